package dev.portcullis.core;

/**
 * Makes untrusted text safe to record: control characters (NUL included, which PostgreSQL refuses
 * in text columns) become {@code U+FFFD}, and the text is cut to the column's length.
 */
public final class Printable {

    private Printable() {}

    public static String of(String value, int max) {
        if (value == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(Math.min(value.length(), max));
        for (int i = 0; i < value.length() && out.length() < max; i++) {
            char c = value.charAt(i);
            out.append(Character.isISOControl(c) ? '\uFFFD' : c);
        }
        return out.toString();
    }
}
