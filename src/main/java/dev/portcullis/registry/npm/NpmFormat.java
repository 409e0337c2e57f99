package dev.portcullis.registry.npm;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.inspect.Finding;
import dev.portcullis.inspect.ManifestEntry;
import dev.portcullis.inspect.PackageFormat;
import dev.portcullis.inspect.PackageMetadata;
import dev.portcullis.inspect.Severity;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * npm tarballs for the inspector: {@code package/package.json} (name, version, dependencies of each
 * kind, scripts and bins, engines, os/cpu), a native build ({@code binding.gyp}) making a package
 * not pure; the checks only npm's files allow — the manifest names the file's package and version,
 * and the scripts npm runs at install ({@code preinstall}, {@code install}, {@code postinstall}) are
 * named; and between releases, an install script that appears or changes (Shai-Hulud's and
 * s1ngularity's way in) is high.
 */
public final class NpmFormat implements PackageFormat {

    static final String MANIFEST = "manifest";
    static final String INSTALL = "install-script";
    /** The scripts npm runs when a package is installed from a registry. */
    static final List<String> INSTALL_SCRIPTS = List.of("preinstall", "install", "postinstall");

    private static final Pattern METADATA_ENTRY = Pattern.compile("[^/]+/(package\\.json|binding\\.gyp)");
    static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(64)
                    .maxStringLength(1 << 20)
                    .build())
            .build());

    private final NpmEcosystem ecosystem;

    NpmFormat(NpmEcosystem ecosystem) {
        this.ecosystem = ecosystem;
    }

    /** For tests and tools outside the server. */
    public NpmFormat() {
        this(new NpmEcosystem());
    }

    @Override
    public NpmEcosystem ecosystem() {
        return ecosystem;
    }

    @Override
    public boolean reads(String filename) {
        return filename.toLowerCase(Locale.ROOT).endsWith(".tgz");
    }

    @Override
    public boolean isMetadata(String path) {
        return METADATA_ENTRY.matcher(path).matches();
    }

    /** The manifest's path: {@code package/package.json} as npm packs it, else the first top folder's. */
    static Optional<String> manifestPath(Map<String, byte[]> files) {
        if (files.containsKey("package/package.json")) {
            return Optional.of("package/package.json");
        }
        return files.keySet().stream().filter(p -> p.endsWith("/package.json")).findFirst();
    }

    /** The tarball's own package.json, parsed; empty when there is none or it is not a JSON object. */
    static Optional<JsonNode> manifest(Map<String, byte[]> files) {
        return manifestPath(files).flatMap(path -> {
            try {
                JsonNode node = JSON.readTree(files.get(path));
                return node != null && node.isObject() ? Optional.of(node) : Optional.empty();
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
        });
    }

    @Override
    public PackageMetadata metadata(String filename, Map<String, byte[]> files) {
        Optional<JsonNode> read = manifest(files);
        if (read.isEmpty()) {
            return PackageMetadata.NONE;
        }
        JsonNode m = read.get();
        Map<String, Map<String, String>> entryPoints = new TreeMap<>();
        Map<String, String> scripts = strings(m.path("scripts"));
        if (!scripts.isEmpty()) {
            entryPoints.put("scripts", scripts);
        }
        Map<String, String> bins = m.path("bin").isTextual()
                ? Map.of(text(m, "name"), m.path("bin").asText())
                : strings(m.path("bin"));
        if (!bins.isEmpty()) {
            entryPoints.put("bin", bins);
        }
        boolean gyp = files.keySet().stream().anyMatch(p -> p.endsWith("/binding.gyp"))
                || m.path("gypfile").asBoolean(false);
        Map<String, String> facts = new LinkedHashMap<>();
        for (String key : List.of("license", "main", "type", "engines", "os", "cpu", "repository")) {
            JsonNode value = m.path(key);
            if (!value.isMissingNode() && !value.isNull()) {
                facts.put(key, value.isTextual() ? value.asText() : value.toString());
            }
        }
        if (gyp) {
            facts.put("native build", "binding.gyp");
        }
        return new PackageMetadata(
                text(m, "name"), text(m, "version"), text(m, "description"), dependencies(m), entryPoints, !gyp, facts);
    }

    /** Every dependency, written as {@link NpmEcosystem#dependency} reads them. */
    static List<String> dependencies(JsonNode m) {
        List<String> out = new ArrayList<>();
        strings(m.path("dependencies")).forEach((name, range) -> out.add(name + "@" + range));
        strings(m.path("optionalDependencies")).forEach((name, range) -> out.add("optional:" + name + "@" + range));
        strings(m.path("peerDependencies")).forEach((name, range) -> out.add("peer:" + name + "@" + range));
        JsonNode bundled = m.has("bundleDependencies") ? m.path("bundleDependencies") : m.path("bundledDependencies");
        bundled.forEach(name -> out.add("bundled:" + name.asText()));
        return out;
    }

    static Map<String, String> strings(JsonNode object) {
        Map<String, String> out = new TreeMap<>();
        if (object.isObject()) {
            object.properties()
                    .forEach(e -> out.put(
                            e.getKey(),
                            e.getValue().isTextual()
                                    ? e.getValue().asText()
                                    : e.getValue().toString()));
        }
        return out;
    }

    private static String text(JsonNode m, String field) {
        JsonNode value = m.path(field);
        return value.isTextual() ? value.asText() : null;
    }

    // ------------------------------------------------------------------ checks

    @Override
    public List<Finding> check(
            String filename, PackageMetadata metadata, Map<String, byte[]> files, List<ManifestEntry> manifest) {
        List<Finding> findings = new ArrayList<>();
        if (metadata.name() == null || metadata.version() == null) {
            findings.add(Finding.of(
                    MANIFEST, Severity.HIGH, "the tarball has no readable package.json with a name and a version"));
            return findings;
        }
        if (reads(filename) && !filename.equals(NpmEcosystem.tarballName(metadata.name(), metadata.version()))) {
            findings.add(Finding.of(
                    MANIFEST,
                    Severity.HIGH,
                    "package.json names " + metadata.name() + "@" + metadata.version() + ", not the file " + filename));
        }
        Map<String, String> scripts = metadata.entryPoints().getOrDefault("scripts", Map.of());
        for (String script : INSTALL_SCRIPTS) {
            if (scripts.containsKey(script)) {
                findings.add(Finding.of(
                        INSTALL,
                        Severity.LOW,
                        "runs code when installed: " + script + ": " + clip(scripts.get(script))));
            }
        }
        return findings;
    }

    /** An install script added or changed since the previous release: high (how Shai-Hulud and s1ngularity spread). */
    @Override
    public List<Finding> compare(PackageMetadata before, PackageMetadata after) {
        List<Finding> findings = new ArrayList<>();
        Map<String, String> old = before.entryPoints().getOrDefault("scripts", Map.of());
        Map<String, String> now = after.entryPoints().getOrDefault("scripts", Map.of());
        for (String script : INSTALL_SCRIPTS) {
            String was = old.get(script);
            String is = now.get(script);
            if (is != null && !is.equals(was)) {
                findings.add(Finding.of(
                        "diff",
                        Severity.HIGH,
                        (was == null ? "adds the install script " : "changes the install script ") + script + ": "
                                + clip(is) + (was == null ? "" : " (was: " + clip(was) + ")")));
            }
        }
        return findings;
    }

    private static String clip(String text) {
        return text.length() > 200 ? text.substring(0, 200) + "…" : text;
    }

    // ------------------------------------------------------------------ pairing releases

    /** npm packs everything under one top folder ({@code package/}); paths compare without it. */
    @Override
    public String stablePath(String filename, String path) {
        int slash = path.indexOf('/');
        return slash < 0 ? path : path.substring(slash + 1);
    }

    @Override
    public String variant(String filename) {
        return "tarball";
    }
}
