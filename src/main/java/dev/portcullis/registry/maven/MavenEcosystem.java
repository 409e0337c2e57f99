package dev.portcullis.registry.maven;

import dev.portcullis.core.Refusal;
import dev.portcullis.publish.Ecosystem;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Maven's naming and versioning: a project is {@code groupId:artifactId} (case-sensitive, as
 * repositories lay them out), a version is the string the path carries (Maven never normalizes it:
 * {@code 1.0} and {@code 1.0.0} are two directories). SNAPSHOT versions are refused: they are
 * rewritten on every build and have no place behind a release gate (docs/MAVEN.md). A dependency is
 * written {@code groupId:artifactId:version[:scope]}, keyed by its coordinates and scope.
 */
public final class MavenEcosystem implements Ecosystem {

    public static final String ID = "maven";

    /** A groupId or artifactId: what Maven Central accepts, and nothing a path could be made of. */
    private static final Pattern PART = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}");

    private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.+-]{0,99}");

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Named name(String written) {
        String[] parts = written == null ? new String[0] : written.split(":", -1);
        if (parts.length != 2 || !valid(parts[0]) || !valid(parts[1])) {
            throw new Refusal.Invalid("'" + written + "' is not a Maven project: groupId:artifactId, each of letters,"
                    + " digits, '_', '-' and '.', not starting with '.' or '-'");
        }
        return new Named(written, written);
    }

    private static boolean valid(String part) {
        return PART.matcher(part).matches() && !part.contains("..");
    }

    @Override
    public Versioned version(String written) {
        if (written == null || !VERSION.matcher(written).matches() || written.contains("..")) {
            throw new Refusal.Invalid("'" + written + "' is not a valid Maven version: letters, digits, '.', '-', '_'"
                    + " and '+', starting with a letter or digit");
        }
        if (written.toUpperCase(Locale.ROOT).endsWith("SNAPSHOT")) {
            throw new Refusal.Invalid("'" + written + "' is a SNAPSHOT: Portcullis gates releases only; deploy"
                    + " snapshots to your build's own repository");
        }
        return new Versioned(written, written);
    }

    /** {@code groupId:artifactId:version[:scope]}: the key is the coordinates and the scope (compile when none), the constraint the version. */
    @Override
    public Dependency dependency(String written) {
        String[] parts = written.strip().split(":", -1);
        if (parts.length < 2) {
            return new Dependency(written.strip(), "", written);
        }
        String scope = parts.length > 3 && !parts[3].isBlank() ? parts[3] : "compile";
        String key = parts[0] + ":" + parts[1] + (scope.equals("compile") ? "" : " (" + scope + ")");
        return new Dependency(key, parts.length > 2 ? parts[2] : "", written);
    }
}
