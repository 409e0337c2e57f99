package dev.portcullis.inspect;

import java.util.Locale;

/** Byte counts for people: 853.6 kB, 11.4 MB (decimal units, as PyPI and pip show them). */
public final class Bytes {

    private Bytes() {}

    public static String human(long bytes) {
        if (bytes < 1000) {
            return bytes + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1000 && unit < units.length - 1) {
            value /= 1000;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
