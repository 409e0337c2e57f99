package dev.portcullis.inspect;

/**
 * One thing the inspection found: which rule, how bad, one sentence a maintainer understands, and
 * the evidence (the file inside the archive, the 1-based line, a short excerpt; each may be absent).
 */
public record Finding(String rule, Severity severity, String message, String path, Integer line, String excerpt) {

    public static final int MAX_EXCERPT = 160;

    public Finding {
        excerpt = excerpt == null ? null : clip(excerpt);
    }

    public static Finding of(String rule, Severity severity, String message) {
        return new Finding(rule, severity, message, null, null, null);
    }

    public static Finding at(String rule, Severity severity, String message, String path) {
        return new Finding(rule, severity, message, path, null, null);
    }

    /** The message with its evidence, as one line. */
    public String explain() {
        StringBuilder s = new StringBuilder(message);
        if (path != null) {
            s.append(" [").append(path).append(line == null ? "" : ":" + line).append(']');
        }
        if (excerpt != null) {
            s.append(": ").append(excerpt);
        }
        return s.toString();
    }

    private static String clip(String text) {
        String oneLine = text.strip().replaceAll("\\s+", " ");
        StringBuilder printable = new StringBuilder();
        for (int i = 0; i < oneLine.length() && printable.length() < MAX_EXCERPT; i++) {
            char c = oneLine.charAt(i);
            printable.append(Character.isISOControl(c) ? '?' : c);
        }
        return oneLine.length() > MAX_EXCERPT ? printable + "…" : printable.toString();
    }
}
