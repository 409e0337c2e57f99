package dev.portcullis.inspect;

import com.fasterxml.jackson.annotation.JsonAlias;
import java.util.List;
import java.util.Map;

/**
 * What a package file says about itself, in every ecosystem's terms at once: its name and version,
 * its dependencies (each as the ecosystem writes one: a PEP 508 requirement, {@code lodash@^4}),
 * what installing it makes runnable or runs ({@code entryPoints}: Python entry points, npm scripts
 * and bins, by section), whether it declares itself free of platform-specific code ({@code pure};
 * null when it says nothing), and the other facts a reviewer compares between releases ({@code
 * facts}: Requires-Python, wheel tags, extras …). Read by the ecosystem's {@link PackageFormat},
 * leniently: a hostile file must still produce a report.
 */
public record PackageMetadata(
        String name,
        String version,
        String summary,
        @JsonAlias("requiresDist") List<String> dependencies,
        Map<String, Map<String, String>> entryPoints,
        Boolean pure,
        Map<String, String> facts) {

    public static final PackageMetadata NONE =
            new PackageMetadata(null, null, null, List.of(), Map.of(), null, Map.of());

    public PackageMetadata {
        dependencies = dependencies == null ? List.of() : List.copyOf(dependencies);
        entryPoints = entryPoints == null ? Map.of() : Map.copyOf(entryPoints);
        facts = facts == null ? Map.of() : Map.copyOf(facts);
    }

    /** Whether the package declares platform-independent code only. */
    public boolean declaresPure() {
        return Boolean.TRUE.equals(pure);
    }
}
