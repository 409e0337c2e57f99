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
 * ({@code truncated} when the file is longer), and whole-file statistics from the manifest.
 */
public final class SourceFile {

    private final String path;
    private final FileKind kind;
    private final String text;
    private final boolean truncated;
    private final long size;
    private final long longestLine;
    private String lower;

    public SourceFile(String path, FileKind kind, String text, boolean truncated, long size, long longestLine) {
        this.path = path;
        this.kind = kind;
        this.text = text;
        this.truncated = truncated;
        this.size = size;
        this.longestLine = longestLine;
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

    /** The text in lower case, for case-insensitive literal probes (computed once). */
    public String lowerText() {
        if (lower == null) {
            lower = text.toLowerCase(Locale.ROOT);
        }
        return lower;
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
        int start = 0;
        for (int i = 0; i < index; i++) {
            if (text.charAt(i) == '\n') {
                line++;
                start = i + 1;
            }
        }
        int end = text.indexOf('\n', index);
        end = end < 0 ? text.length() : end;
        // Excerpt around the match, not the start of a very long line.
        int from = Math.max(start, index - 40);
        int to = Math.min(end, Math.max(index + 120, from + 160));
        return new Hit(line, text.substring(from, to));
    }

    public Finding finding(String rule, Severity severity, String message, Hit hit) {
        return new Finding(
                rule, severity, message, path, hit == null ? null : hit.line(), hit == null ? null : hit.text());
    }
}
