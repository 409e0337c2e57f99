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
    static final String SOURCE = "dependency-source";
    static final String BUNDLED_SCRIPTS = "bundled install scripts";
    /** The scripts npm runs when a package is installed from a registry. */
    static final List<String> INSTALL_SCRIPTS = List.of("preinstall", "install", "postinstall");

    /** The manifest and native build file, and those of bundled dependencies (npm runs their install scripts too). */
    private static final Pattern METADATA_ENTRY =
            Pattern.compile("[^/]+/(?:node_modules/(?:@[^/]+/)?[^/]+/)*(package\\.json|binding\\.gyp)");

    private static final Pattern BUNDLED_MANIFEST =
            Pattern.compile("[^/]+/(?:node_modules/(?:@[^/]+/)?[^/]+/)+package\\.json");
    /** The native-build tools packages name as their install script (with their options, alternatives chained). */
    private static final Pattern BUILD_TOOL = Pattern.compile(
            "(?:node-gyp(?:-build(?:-optional-packages)?)?|prebuild-install|node-pre-gyp|cmake-js)(?:\\s+[-\\w=./]+)*"
                    + "(?:\\s*(?:\\|\\||&&)\\s*(?:node-gyp(?:-build(?:-optional-packages)?)?|prebuild-install|node-pre-gyp|cmake-js)(?:\\s+[-\\w=./]+)*)*");

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
        return files.keySet().stream()
                .filter(p -> p.endsWith("/package.json") && p.indexOf('/') == p.lastIndexOf('/'))
                .findFirst();
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
        Map<String, String> bundled = bundledInstallScripts(files);
        if (!bundled.isEmpty()) {
            entryPoints.put(BUNDLED_SCRIPTS, bundled);
        }
        boolean gyp = files.keySet().stream()
                        .anyMatch(p -> p.endsWith("/binding.gyp") && p.indexOf('/') == p.lastIndexOf('/'))
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
        // npm packages say nothing about platform-specific code; a native build says there is some.
        return new PackageMetadata(
                text(m, "name"),
                text(m, "version"),
                text(m, "description"),
                dependencies(m),
                entryPoints,
                gyp ? Boolean.FALSE : null,
                facts);
    }

    /** The install scripts of bundled dependencies, keyed {@code <dependency> <script>}. */
    private static Map<String, String> bundledInstallScripts(Map<String, byte[]> files) {
        Map<String, String> out = new TreeMap<>();
        files.forEach((path, bytes) -> {
            if (!BUNDLED_MANIFEST.matcher(path).matches()) {
                return;
            }
            try {
                JsonNode m = JSON.readTree(bytes);
                if (m == null || !m.isObject()) {
                    return;
                }
                String dependency =
                        path.substring(path.indexOf("node_modules/"), path.length() - "/package.json".length());
                Map<String, String> scripts = strings(m.path("scripts"));
                for (String script : INSTALL_SCRIPTS) {
                    if (scripts.containsKey(script)) {
                        out.put(dependency + " " + script, scripts.get(script));
                    }
                }
            } catch (IOException | RuntimeException e) {
                // an unreadable bundled manifest: npm would not read it either
            }
        });
        return out;
    }

    @Override
    public java.util.Set<dev.portcullis.inspect.FileKind> foreignKinds() {
        return java.util.Set.of(dev.portcullis.inspect.FileKind.NATIVE, dev.portcullis.inspect.FileKind.SHELL);
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
            String command = scripts.get(script);
            if (command == null) {
                continue;
            }
            boolean fetches = FETCHING_SCRIPT.matcher(command).find();
            findings.add(Finding.of(
                    INSTALL,
                    fetches ? Severity.HIGH : Severity.LOW,
                    (fetches ? "downloads or decodes code when installed: " : "runs code when installed: ") + script
                            + ": " + clip(command)));
        }
        metadata.entryPoints().getOrDefault(BUNDLED_SCRIPTS, Map.of()).forEach((where, command) -> {
            boolean fetches = FETCHING_SCRIPT.matcher(command).find();
            findings.add(Finding.of(
                    INSTALL,
                    fetches ? Severity.HIGH : Severity.LOW,
                    "a bundled dependency " + (fetches ? "downloads or decodes code" : "runs code")
                            + " when installed: " + where + ": " + clip(command)));
        });
        if (!scripts.containsKey("install") && !scripts.containsKey("preinstall") && nativeBuild(metadata)) {
            findings.add(Finding.of(
                    INSTALL,
                    Severity.LOW,
                    "builds native code when installed (binding.gyp: npm runs node-gyp rebuild)"));
        }
        for (String dependency : metadata.dependencies()) {
            outsideRegistry(dependency)
                    .ifPresent(where -> findings.add(Finding.of(
                            SOURCE, Severity.LOW, "installs " + dependency + " from " + where + ", not the registry")));
        }
        return findings;
    }

    /** An install script that fetches, pipes to a shell, or decodes: the command itself is the loader. */
    private static final Pattern FETCHING_SCRIPT = Pattern.compile(
            "https?://|\\b(curl|wget|iwr|Invoke-WebRequest|powershell|certutil|bitsadmin)\\b|\\|\\s*(ba|z)?sh\\b|base64|\\beval\\b",
            Pattern.CASE_INSENSITIVE);

    private static boolean nativeBuild(PackageMetadata metadata) {
        return metadata.facts().containsKey("native build");
    }

    /**
     * Where a dependency comes from when not from the registry ({@code lodash@^4} does): a git
     * repository, a GitHub shorthand, a URL (PhantomRaven's "remote dynamic dependencies": the
     * registry holds no code to inspect and the server answers what it likes), a local path, or
     * another package under this name ({@code npm:} alias).
     */
    static Optional<String> outsideRegistry(String dependency) {
        String written = dependency.replaceFirst("^(optional|peer|bundled):", "");
        int at = written.indexOf('@', 1);
        if (at < 0) {
            return Optional.empty();
        }
        String spec = written.substring(at + 1).strip().toLowerCase(Locale.ROOT);
        if (spec.startsWith("git+") || spec.startsWith("git://") || spec.startsWith("git@")) {
            return Optional.of("a git repository");
        }
        if (spec.startsWith("http://") || spec.startsWith("https://")) {
            return Optional.of("a URL");
        }
        if (spec.startsWith("github:")
                || spec.startsWith("gitlab:")
                || spec.startsWith("bitbucket:")
                || spec.startsWith("gist:")) {
            return Optional.of("a hosted git repository");
        }
        if (spec.startsWith("file:") || spec.startsWith("link:")) {
            return Optional.of("a local path");
        }
        if (spec.startsWith("npm:")) {
            return Optional.of("another package (npm: alias)");
        }
        if (SHORTHAND.matcher(spec).matches()) {
            return Optional.of("a GitHub repository");
        }
        return Optional.empty();
    }

    /** GitHub's {@code user/repo[#ref]} shorthand (a range never has a slash). */
    private static final Pattern SHORTHAND = Pattern.compile("[a-z0-9][a-z0-9._-]*/[a-z0-9._-]+(#.*)?");

    /**
     * Since the previous release: an install script added or changed (how Shai-Hulud, s1ngularity
     * and ua-parser-js ran), a native build added (node-gyp runs at install), or a dependency from
     * outside the registry added (a URL or repository whose content the registry never saw): high.
     */
    @Override
    public List<Finding> compare(PackageMetadata before, PackageMetadata after) {
        List<Finding> findings = new ArrayList<>();
        Map<String, String> old = before.entryPoints().getOrDefault("scripts", Map.of());
        Map<String, String> now = after.entryPoints().getOrDefault("scripts", Map.of());
        for (String script : INSTALL_SCRIPTS) {
            String was = old.get(script);
            String is = now.get(script);
            if (is != null && !is.equals(was)) {
                // A switch between native-build tools (node-pre-gyp to node-gyp-build) runs no new code of the
                // package's.
                boolean buildTool = BUILD_TOOL.matcher(is.strip()).matches()
                        && !FETCHING_SCRIPT.matcher(is).find();
                findings.add(Finding.of(
                        INSTALL,
                        buildTool ? Severity.MEDIUM : Severity.HIGH,
                        (was == null ? "adds the install script " : "changes the install script ") + script + ": "
                                + clip(is) + (was == null ? "" : " (was: " + clip(was) + ")")));
            }
        }
        Map<String, String> bundledBefore = before.entryPoints().getOrDefault(BUNDLED_SCRIPTS, Map.of());
        after.entryPoints().getOrDefault(BUNDLED_SCRIPTS, Map.of()).forEach((where, command) -> {
            if (!command.equals(bundledBefore.get(where))) {
                findings.add(Finding.of(
                        INSTALL,
                        Severity.HIGH,
                        "a bundled dependency " + (bundledBefore.containsKey(where) ? "changes" : "adds")
                                + " an install script: " + where + ": " + clip(command)));
            }
        });
        if (nativeBuild(after) && !nativeBuild(before)) {
            findings.add(Finding.of(
                    INSTALL,
                    Severity.HIGH,
                    "adds a native build (binding.gyp): node-gyp runs its commands when the package is installed"));
        }
        java.util.Set<String> had = new java.util.HashSet<>(before.dependencies());
        for (String dependency : after.dependencies()) {
            if (!had.contains(dependency)) {
                outsideRegistry(dependency)
                        .ifPresent(where -> findings.add(Finding.of(
                                SOURCE,
                                Severity.HIGH,
                                "adds " + dependency + ", installed from " + where
                                        + ": code the registry never held, whatever that server answers")));
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
