package dev.portcullis.inspect.rules;

import dev.portcullis.inspect.FileKind;
import dev.portcullis.inspect.Finding;
import dev.portcullis.inspect.Severity;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A text file as the rules see it: its path in the archive, kind, the first bytes decoded as text
 * ({@code truncated} when the file is longer), and whole-file statistics from the manifest. Comment
 * lines (in Python every comment, and docstrings, found by {@link PythonText}'s tokenizer) are
 * blanked ({@link #code}): a URL in documentation is not a download.
 */
public final class SourceFile {

    private final String path;
    private final FileKind kind;
    private final String text;
    private final boolean truncated;
    private final long size;
    private final long longestLine;
    private String lower;
    private java.util.BitSet functionLines; // 1-based lines inside def/class bodies (Python)
    private java.util.BitSet literals; // ids of the probe literals the text contains (Literals)
    private int literalsKnown; // how many literals the automaton that found them knew

    public SourceFile(String path, FileKind kind, String text, boolean truncated, long size, long longestLine) {
        this.path = path;
        this.kind = kind;
        this.text = code(kind, text);
        this.truncated = truncated;
        this.size = size;
        this.longestLine = longestLine;
    }

    /**
     * {@code text} with its comment lines turned into spaces (line numbers and offsets kept): lines
     * that begin with {@code //} (JavaScript) or {@code #} (Python, shell; a first-line {@code #!}
     * stays), and JavaScript block comments opened at the start of a line, to their {@code *}{@code
     * /}. Only comments that start a line are blanked: a comment marker inside a line may be inside a
     * string or a regular expression, and code must never be mistaken for a comment.
     */
    static String code(FileKind kind, String text) {
        if (kind == FileKind.PYTHON) {
            return PythonText.code(text);
        }
        boolean js = kind == FileKind.JAVASCRIPT;
        boolean hash = kind == FileKind.SHELL;
        if (!js && !hash) {
            return text;
        }
        char[] out = text.toCharArray();
        int blockEnd = -1; // past the "*" + "/" of the block comment being blanked; -1: none
        int lineStart = 0;
        while (lineStart < out.length) {
            int lineEnd = text.indexOf('\n', lineStart);
            lineEnd = lineEnd < 0 ? out.length : lineEnd;
            int from = lineStart;
            if (blockEnd < 0) {
                while (from < lineEnd && (out[from] == ' ' || out[from] == '\t' || out[from] == '\r')) {
                    from++;
                }
                boolean shebang = lineStart == 0 && text.startsWith("#!", from);
                if (js ? text.startsWith("//", from) : from < lineEnd && out[from] == '#' && !shebang) {
                    java.util.Arrays.fill(out, from, lineEnd, ' ');
                } else if (js && text.startsWith("/*", from)) {
                    int close = text.indexOf("*/", from + 2); // found once per comment, not per line
                    blockEnd = close < 0 ? out.length : close + 2;
                }
            }
            if (blockEnd >= 0) {
                java.util.Arrays.fill(out, from, Math.min(blockEnd, lineEnd), ' ');
                if (blockEnd <= lineEnd) {
                    blockEnd = -1; // what follows the comment on its last line is code
                }
            }
            lineStart = lineEnd + 1;
        }
        return new String(out);
    }

    public String path() {
        return path;
    }

    public FileKind kind() {
        return kind;
    }

    public String text() {
        return text;
    }

    public boolean truncated() {
        return truncated;
    }

    public long size() {
        return size;
    }

    public long longestLine() {
        return longestLine;
    }

    /**
     * Whether 1-based {@code line} of a Python file lies in the body of a {@code def} or {@code
     * class}: code that runs when called, not when the module is imported or run as a script (an
     * {@code if __name__ == "__main__"} block runs).
     */
    public boolean insideFunction(int line) {
        if (functionLines == null) {
            functionLines = PythonText.functionBodies(text);
        }
        return functionLines.get(line);
    }

    /** The text in lower case, for case-insensitive literal probes (computed once). */
    public String lowerText() {
        if (lower == null) {
            lower = text.toLowerCase(Locale.ROOT);
        }
        return lower;
    }

    /**
     * Whether the text contains probe literal {@code id} ({@code literal}, lower case when {@code
     * ignoreCase}): every registered literal is found in one pass, on the first question.
     */
    boolean contains(int id, String literal, boolean ignoreCase) {
        if (literals == null) {
            Literals.Automaton automaton = Literals.automaton();
            literals = automaton.find(text);
            literalsKnown = automaton.size();
        }
        if (id < literalsKnown) {
            return literals.get(id);
        }
        return (ignoreCase ? lowerText() : text).contains(literal); // registered after this file was read
    }

    /** One matching line: 1-based number and the line itself. */
    public record Hit(int line, String text) {}

    public String name() {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    public String lowerName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public List<String> lines() {
        return text.lines().toList();
    }

    /** The first line matching {@code pattern}, if any. */
    public Optional<Hit> find(Pattern pattern) {
        Matcher m = pattern.matcher(text);
        if (!m.find()) {
            return Optional.empty();
        }
        return Optional.of(hitAt(m.start()));
    }

    /** Every line {@code pattern} matches (at most {@code cap} matches), numbered in one pass. */
    public List<Hit> findAll(Pattern pattern, int cap) {
        Matcher m = pattern.matcher(text);
        List<Hit> hits = new java.util.ArrayList<>();
        int line = 1;
        int counted = 0;
        while (hits.size() < cap && m.find()) {
            for (int i = counted; i < m.start(); i++) {
                if (text.charAt(i) == '\n') {
                    line++;
                }
            }
            counted = m.start();
            hits.add(new Hit(line, excerpt(m.start())));
        }
        return hits;
    }

    /** How many times {@code pattern} matches, counting at most {@code cap}. */
    public int count(Pattern pattern, int cap) {
        Matcher m = pattern.matcher(text);
        int n = 0;
        while (n < cap && m.find()) {
            n++;
        }
        return n;
    }

    /** The line around character offset {@code index}. */
    public Hit hitAt(int index) {
        int line = 1;
        for (int i = 0; i < index; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return new Hit(line, excerpt(index));
    }

    /** The text around character offset {@code index} on its line: not the start of a very long line. */
    private String excerpt(int index) {
        int start = text.lastIndexOf('\n', index - 1) + 1;
        int end = text.indexOf('\n', index);
        end = end < 0 ? text.length() : end;
        int from = Math.max(start, index - 40);
        int to = Math.min(end, Math.max(index + 120, from + 160));
        return text.substring(from, to);
    }

    public Finding finding(String rule, Severity severity, String message, Hit hit) {
        return new Finding(
                rule, severity, message, path, hit == null ? null : hit.line(), hit == null ? null : hit.text());
    }
}
