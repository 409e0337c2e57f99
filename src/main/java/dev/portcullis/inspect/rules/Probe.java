package dev.portcullis.inspect.rules;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A pattern guarded by literals: the regular expression runs only on files that contain at least
 * one of them (most files contain none, and all literals of all probes are found in one pass over
 * a file, {@link Literals}). Every match of {@code pattern} must contain one of {@code literals}
 * (compared in lower case when {@code ignoreCase}).
 */
final class Probe {

    private final Pattern pattern;
    private final boolean ignoreCase;
    private final String[] literals;
    private final int[] ids;

    private Probe(Pattern pattern, boolean ignoreCase, String... literals) {
        this.pattern = pattern;
        this.ignoreCase = ignoreCase;
        this.literals = literals.clone();
        this.ids = new int[literals.length];
        for (int i = 0; i < literals.length; i++) {
            ids[i] = Literals.register(literals[i], ignoreCase);
        }
    }

    Pattern pattern() {
        return pattern;
    }

    static Probe of(String regex, String... literals) {
        return new Probe(Pattern.compile(regex), false, literals);
    }

    static Probe ignoringCase(String regex, String... literals) {
        String[] lower = new String[literals.length];
        for (int i = 0; i < literals.length; i++) {
            lower[i] = literals[i].toLowerCase(Locale.ROOT);
        }
        return new Probe(Pattern.compile(regex, Pattern.CASE_INSENSITIVE), true, lower);
    }

    boolean possible(SourceFile file) {
        for (int i = 0; i < ids.length; i++) {
            if (file.contains(ids[i], literals[i], ignoreCase)) {
                return true;
            }
        }
        return false;
    }

    Optional<SourceFile.Hit> find(SourceFile file) {
        return possible(file) ? file.find(pattern) : Optional.empty();
    }

    /** Every match (at most {@code cap}), in order. */
    java.util.List<SourceFile.Hit> findAll(SourceFile file, int cap) {
        return possible(file) ? file.findAll(pattern, cap) : java.util.List.of();
    }

    int count(SourceFile file, int cap) {
        return possible(file) ? file.count(pattern, cap) : 0;
    }

    boolean matches(String line) {
        for (String literal : literals) {
            if ((ignoreCase ? line.toLowerCase(Locale.ROOT) : line).contains(literal)) {
                return pattern.matcher(line).find();
            }
        }
        return false;
    }
}
