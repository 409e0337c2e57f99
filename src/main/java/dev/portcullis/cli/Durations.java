package dev.portcullis.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses human durations ({@code 30d}, {@code 12h}, {@code 90m}, {@code 45s}) and sizes ({@code 1G}). */
final class Durations {

    private static final Pattern DURATION = Pattern.compile("(\\d+)([dhms])");
    private static final Pattern SIZE = Pattern.compile("(\\d+)([kmgt]?)(i?b)?");

    private Durations() {}

    static Duration parse(String text) {
        Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("durations look like 30d, 12h, 90m or 45s, not '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "d" -> Duration.ofDays(n);
            case "h" -> Duration.ofHours(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofSeconds(n);
        };
    }

    static long parseSize(String text) {
        Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("sizes look like 1048576, 512K, 100M or 2G, not '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        int shift = switch (m.group(2)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        return Math.multiplyExact(n, 1L << shift);
    }
}
