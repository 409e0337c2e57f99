package dev.portcullis.publish;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Names that imitate a well-known package: the same name once letters that look alike are
 * folded together ({@code jeIlyfish} for {@code jellyfish}: I, l and 1; 0 and o; rn and m; vv and
 * w), or with two adjacent letters swapped ({@code reqeusts}). A name that is itself well known
 * imitates nothing. Each ecosystem ships its list (scripts/refresh-well-known-names).
 */
public final class LookAlikes {

    public static final LookAlikes NONE = new LookAlikes(Set.of());

    /** Swaps count only in names this long: short names are a letter apart from many real ones. */
    private static final int SWAP_FROM = 6;

    private final Set<String> known;
    private final Map<String, String> byFolded = new HashMap<>();

    private LookAlikes(Set<String> names) {
        Set<String> normalized = new HashSet<>();
        names.forEach(n -> normalized.add(normalize(n)));
        this.known = Set.copyOf(normalized);
        for (String name : this.known) {
            byFolded.putIfAbsent(fold(name), name);
        }
    }

    /** The list in {@code resource} (one name per line, {@code #} comments) next to {@code owner}. */
    public static LookAlikes fromResource(Class<?> owner, String resource) {
        Set<String> names = new HashSet<>();
        try (InputStream in = owner.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource + " of " + owner.getName());
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = reader.readLine()) != null; ) {
                String name = line.strip();
                if (!name.isEmpty() && !name.startsWith("#")) {
                    names.add(name.toLowerCase(Locale.ROOT));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new LookAlikes(names);
    }

    public static LookAlikes of(Set<String> names) {
        return new LookAlikes(names);
    }

    /** The well-known name {@code name} imitates, if any. */
    public Optional<String> imitated(String name) {
        String lower = normalize(name);
        if (known.isEmpty() || known.contains(lower)) {
            return Optional.empty();
        }
        String folded = byFolded.get(fold(name));
        if (folded != null) {
            return Optional.of(folded);
        }
        if (lower.length() >= SWAP_FROM) {
            char[] c = lower.toCharArray();
            for (int i = 0; i + 1 < c.length; i++) {
                if (c[i] == c[i + 1]) {
                    continue;
                }
                swap(c, i);
                String swapped = new String(c);
                swap(c, i);
                if (known.contains(swapped)) {
                    return Optional.of(swapped);
                }
            }
        }
        return Optional.empty();
    }

    /** Lower case, runs of {@code - _ .} as one {@code -} (PEP 503; npm's dots compare the same way). */
    private static String normalize(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[-_.]+", "-");
    }

    private static void swap(char[] c, int i) {
        char t = c[i];
        c[i] = c[i + 1];
        c[i + 1] = t;
    }

    /** Letters that look alike made one (case first: a capital I is the lower-case l it imitates). */
    static String fold(String name) {
        StringBuilder out = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            char lower = Character.toLowerCase(ch);
            if (ch == 'I' || lower == '1' || lower == '|' || lower == 'i') {
                out.append('l');
            } else if (lower == '0') {
                out.append('o');
            } else if (lower == '_' || lower == '.') {
                out.append('-');
            } else {
                out.append(lower);
            }
        }
        return out.toString().replace("rn", "m").replace("vv", "w");
    }
}
