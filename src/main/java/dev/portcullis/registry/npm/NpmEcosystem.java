package dev.portcullis.registry.npm;

import dev.portcullis.core.Refusal;
import dev.portcullis.publish.Ecosystem;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * npm's naming and versioning: package names as the registry accepts new ones (lower case, URL-safe,
 * at most 214 characters, {@code @scope/name} for scoped packages), SemVer 2.0.0 versions (build
 * metadata does not tell two releases apart, as in SemVer precedence), and dependencies written
 * {@code name@range}, or {@code optional:}/{@code peer:}/{@code bundled:} before it.
 */
public final class NpmEcosystem implements Ecosystem {

    public static final String ID = "npm";

    private static final Pattern NAME = Pattern.compile("(?:@[a-z0-9~-][a-z0-9._~-]*/)?[a-z0-9~-][a-z0-9._~-]*");
    private static final Set<String> RESERVED = Set.of("node_modules", "favicon.ico");
    private static final Pattern SEMVER = Pattern.compile("(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)"
            + "(?:-((?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
            + "(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?");
    private static final Set<String> KINDS = Set.of("optional", "peer", "bundled");

    /** The npm corpus's packages (scripts/refresh-well-known-names): what a dependency may imitate. */
    private static final dev.portcullis.publish.LookAlikes WELL_KNOWN =
            dev.portcullis.publish.LookAlikes.fromResource(NpmEcosystem.class, "well-known-names.txt");

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Named name(String written) {
        if (written == null
                || written.length() > 214
                || !NAME.matcher(written).matches()
                || RESERVED.contains(written)) {
            throw new Refusal.Invalid(
                    "'" + written + "' is not a valid package name: lower-case letters, digits, '-', '.', '_' and"
                            + " '~', at most 214 characters, not starting with '.' or '_', optionally as @scope/name");
        }
        return new Named(written, written);
    }

    @Override
    public Versioned version(String written) {
        if (written == null
                || written.length() > 256
                || !SEMVER.matcher(written).matches()) {
            throw new Refusal.Invalid("'" + written + "' is not a valid SemVer version (such as 1.2.3 or 2.0.0-rc.1)");
        }
        int plus = written.indexOf('+');
        return new Versioned(written, plus < 0 ? written : written.substring(0, plus));
    }

    /** {@code [kind:]name@range}: the key is the kind and the name, the constraint the range. */
    @Override
    public Dependency dependency(String written) {
        String rest = written.strip();
        String kind = "";
        int colon = rest.indexOf(':');
        if (colon > 0 && KINDS.contains(rest.substring(0, colon))) {
            kind = rest.substring(0, colon + 1);
            rest = rest.substring(colon + 1);
        }
        int at = rest.indexOf('@', 1);
        String name = at < 0 ? rest : rest.substring(0, at);
        return new Dependency(
                kind + name,
                at < 0 ? "" : rest.substring(at + 1).replace(" ", ""),
                written,
                WELL_KNOWN.imitated(name).orElse(null));
    }

    /**
     * npm's provenance names the package, not the file: a package URL, {@code pkg:npm/name@version}
     * with a scope's {@code @} written {@code %40} ({@code pkg:npm/%40scope/name@1.0.0}).
     */
    @Override
    public boolean namesFile(String subject, String name, String version, String filename) {
        if (!subject.startsWith("pkg:npm/")) {
            return false;
        }
        String rest = subject.substring("pkg:npm/".length());
        int end = rest.length();
        for (char c : new char[] {'?', '#'}) {
            int at = rest.indexOf(c);
            end = at >= 0 ? Math.min(end, at) : end;
        }
        String decoded = percentDecoded(rest.substring(0, end));
        return decoded != null && decoded.equals(name + "@" + version);
    }

    /** {@code %XX} escapes decoded as UTF-8 ({@code +} stays a plus, unlike form decoding); null when malformed. */
    private static String percentDecoded(String text) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%') {
                if (i + 2 >= text.length()) {
                    return null;
                }
                try {
                    out.write(Integer.parseInt(text.substring(i + 1, i + 3), 16));
                } catch (NumberFormatException e) {
                    return null;
                }
                i += 2;
            } else {
                out.writeBytes(String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The file name npm gives a version's tarball: the name without its scope, then the version. */
    static String tarballName(String name, String version) {
        return name.substring(name.indexOf('/') + 1) + "-" + version + ".tgz";
    }
}
