package dev.portcullis.registry.pypi;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A public version identifier (PEP 440, "Version specifiers" spec). Local versions ({@code +abc})
 * are refused, as on PyPI. {@link #normalized()} is the spec's normal form; {@link #canonical()}
 * also drops trailing {@code .0} release components, so {@code 1.0} and {@code 1.0.0} name the
 * same release (packaging's {@code canonicalize_version}).
 */
public record Pep440Version(String normalized, String canonical) {

    // The grammar from PEP 440 Appendix B, written with Java group names.
    private static final Pattern VERSION = Pattern.compile(
            "^\\s*v?(?:(?:(?<epoch>[0-9]+)!)?(?<release>[0-9]+(?:\\.[0-9]+)*)"
                    + "(?<pre>[-_.]?(?<prel>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?<pren>[0-9]+)?)?"
                    + "(?<post>(?:-(?<postn1>[0-9]+))|(?:[-_.]?(?<postl>post|rev|r)[-_.]?(?<postn2>[0-9]+)?))?"
                    + "(?<dev>[-_.]?(?<devl>dev)[-_.]?(?<devn>[0-9]+)?)?)"
                    + "(?:\\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?\\s*$",
            Pattern.CASE_INSENSITIVE);

    public static Pep440Version parse(String text) {
        if (text == null || text.length() > 100) {
            throw invalid(text);
        }
        Matcher m = VERSION.matcher(text);
        if (!m.matches()) {
            throw invalid(text);
        }
        if (m.group("local") != null) {
            throw new IllegalArgumentException(
                    "'" + text + "' is an invalid value for Version. Error: Can't use PEP 440 local versions.");
        }
        StringBuilder prefix = new StringBuilder();
        if (m.group("epoch") != null && !number(m.group("epoch")).equals("0")) {
            prefix.append(number(m.group("epoch"))).append('!');
        }
        List<String> release = new ArrayList<>();
        for (String part : m.group("release").split("\\.")) {
            release.add(number(part));
        }
        StringBuilder suffix = new StringBuilder();
        if (m.group("pre") != null) {
            suffix.append(preLabel(m.group("prel"))).append(numberOrZero(m.group("pren")));
        }
        if (m.group("post") != null) {
            String n = m.group("postn1") != null ? m.group("postn1") : m.group("postn2");
            suffix.append(".post").append(numberOrZero(n));
        }
        if (m.group("dev") != null) {
            suffix.append(".dev").append(numberOrZero(m.group("devn")));
        }
        String normalized = prefix + String.join(".", release) + suffix;
        List<String> trimmed = new ArrayList<>(release);
        while (trimmed.size() > 1 && trimmed.getLast().equals("0")) {
            trimmed.removeLast();
        }
        String canonical = prefix + String.join(".", trimmed) + suffix;
        return new Pep440Version(normalized, canonical);
    }

    private static String preLabel(String label) {
        return switch (label.toLowerCase(Locale.ROOT)) {
            case "alpha", "a" -> "a";
            case "beta", "b" -> "b";
            default -> "rc"; // c, rc, pre, preview
        };
    }

    private static String numberOrZero(String digits) {
        return digits == null ? "0" : number(digits);
    }

    private static String number(String digits) {
        return new BigInteger(digits).toString();
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("'"
                + text
                + "' is an invalid value for Version. Error: Start and end with a letter or numeral"
                + " containing only ASCII numeric and '.', '_' and '-'. See"
                + " https://packaging.python.org/specifications/version-specifiers/ for more"
                + " information.");
    }
}
