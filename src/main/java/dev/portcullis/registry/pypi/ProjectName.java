package dev.portcullis.registry.pypi;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A project name as uploaded ({@code display}) and its PEP 503 normalized form, which identifies
 * the project: lowercase, with runs of {@code -}, {@code _} and {@code .} folded to one {@code -}.
 */
public record ProjectName(String display, String normalized) {

    /** The name rule PyPI enforces on upload (core metadata "Name", ASCII only). */
    private static final Pattern VALID =
            Pattern.compile("^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", Pattern.CASE_INSENSITIVE);

    private static final Pattern SEPARATORS = Pattern.compile("[-_.]+");

    public ProjectName {
        Objects.requireNonNull(display, "display");
        Objects.requireNonNull(normalized, "normalized");
    }

    public static boolean isValid(String name) {
        return name != null && name.length() <= 200 && VALID.matcher(name).matches();
    }

    /** Parses a valid name; throws {@link IllegalArgumentException} with PyPI's wording otherwise. */
    public static ProjectName of(String name) {
        if (!isValid(name)) {
            throw new IllegalArgumentException("'"
                    + name
                    + "' is an invalid value for Name. Error: Start and end with a letter or numeral"
                    + " containing only ASCII numeric and '.', '_' and '-'.");
        }
        return new ProjectName(name, normalize(name));
    }

    public static String normalize(String name) {
        return SEPARATORS.matcher(name).replaceAll("-").toLowerCase(Locale.ROOT);
    }
}
