package dev.portcullis.registry.maven;

import dev.portcullis.inspect.ArchiveFormat;
import dev.portcullis.inspect.Finding;
import dev.portcullis.inspect.Inspection;
import dev.portcullis.inspect.ManifestEntry;
import dev.portcullis.inspect.PackageFormat;
import dev.portcullis.inspect.PackageMetadata;
import dev.portcullis.inspect.Severity;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Maven's files for the inspector: jars, wars and aars are zips; a pom, a Gradle module file and
 * a detached signature are plain files, read as one entry. The metadata is the pom: the deployed
 * {@code .pom} itself, or the one a jar carries under {@code META-INF/maven/}.
 */
final class MavenFormat implements PackageFormat {

    /** The extensions a deployment may carry (checksums are answered, not stored). */
    static final List<String> EXTENSIONS =
            List.of(".jar", ".war", ".aar", ".ear", ".zip", ".pom", ".module", ".asc", ".sigstore.json");

    /** A Sigstore bundle beside a deployed file (the sigstore-maven-plugin's {@code X.sigstore.json}). */
    static final String SIGSTORE = ".sigstore.json";

    private final MavenEcosystem ecosystem;

    MavenFormat(MavenEcosystem ecosystem) {
        this.ecosystem = ecosystem;
    }

    @Override
    public MavenEcosystem ecosystem() {
        return ecosystem;
    }

    @Override
    public boolean reads(String filename) {
        return deployable(filename);
    }

    /** Whether a deployment may carry a file of this name (by its extension). */
    static boolean deployable(String filename) {
        String n = filename.toLowerCase(Locale.ROOT);
        return EXTENSIONS.stream().anyMatch(n::endsWith);
    }

    @Override
    public Optional<ArchiveFormat> container(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.endsWith(".pom") || n.endsWith(".module") || n.endsWith(".asc") || n.endsWith(SIGSTORE)) {
            return Optional.of(ArchiveFormat.PLAIN);
        }
        if (n.endsWith(".aar") || n.endsWith(".ear")) {
            return Optional.of(ArchiveFormat.ZIP);
        }
        return ArchiveFormat.forName(name);
    }

    @Override
    public boolean isMetadata(String path) {
        return ((path.endsWith(".pom") || path.endsWith(".asc")) && !path.contains("/"))
                || (path.startsWith("META-INF/maven/") && path.endsWith("/pom.xml"));
    }

    @Override
    public PackageMetadata metadata(String filename, Map<String, byte[]> files) {
        if (filename.endsWith(".asc")) {
            byte[] asc = files.get(filename);
            return (asc == null ? Optional.<Signatures.Signer>empty() : Signatures.signer(asc))
                    .map(s -> {
                        Map<String, String> facts = new java.util.LinkedHashMap<>();
                        facts.put(SIGNING_KEY, s.keyId());
                        if (s.fingerprint() != null) {
                            facts.put("signing key fingerprint", s.fingerprint());
                        }
                        return new PackageMetadata(null, null, null, List.of(), Map.of(), null, facts);
                    })
                    .orElse(PackageMetadata.NONE);
        }
        return pomOf(filename, files)
                .map(p -> new PackageMetadata(
                        p.groupId() + ":" + p.artifactId(),
                        p.version(),
                        p.description(),
                        p.dependencies(),
                        Map.of(),
                        null,
                        p.facts()))
                .orElse(PackageMetadata.NONE);
    }

    /** The deployed pom, or the one pom a jar carries (a shaded jar carries several: none is its own then). */
    static Optional<Pom> pomOf(String filename, Map<String, byte[]> files) {
        if (filename.endsWith(".pom")) {
            byte[] pom = files.get(filename);
            return pom == null ? Optional.empty() : Pom.read(pom);
        }
        List<byte[]> carried = files.entrySet().stream()
                .filter(e -> e.getKey().startsWith("META-INF/maven/"))
                .map(Map.Entry::getValue)
                .toList();
        return carried.size() == 1 ? Pom.read(carried.getFirst()) : Optional.empty();
    }

    @Override
    public List<Finding> check(
            String filename, PackageMetadata metadata, Map<String, byte[]> files, List<ManifestEntry> manifest) {
        if (filename.endsWith(".pom") && metadata.name() == null) {
            return List.of(Finding.at("metadata", Severity.HIGH, "the pom is not a readable Maven pom", filename));
        }
        if (filename.endsWith(".asc") && !metadata.facts().containsKey(SIGNING_KEY)) {
            return List.of(Finding.at(
                    SIGNATURE, Severity.MEDIUM, "the signature is not a readable OpenPGP signature", filename));
        }
        return List.of();
    }

    /**
     * What a pom changes that decides where builds fetch from and what runs in them: repositories
     * added (a dependency can then come from anywhere: high), build plugins or executions of them
     * added (code that runs in every build of the project: medium for plugins that exist to run
     * commands or scripts, low otherwise — 13% of real upgrade pairs add some plugin), the parent
     * changed (everything it declares: medium).
     */
    @Override
    public List<Finding> compare(PackageMetadata before, PackageMetadata after) {
        List<Finding> findings = new java.util.ArrayList<>();
        List<String> added = addedWords(before, after, "repositories");
        if (!added.isEmpty()) {
            findings.add(Finding.of(
                    POM,
                    Severity.HIGH,
                    "adds repositories to the pom: " + String.join(", ", added)
                            + " (its dependencies may now come from there)"));
        }
        List<String> plugins = addedWords(before, after, "build plugins");
        if (!plugins.isEmpty()) {
            findings.add(Finding.of(
                    POM,
                    plugins.stream().anyMatch(MavenFormat::runsCommands) ? Severity.MEDIUM : Severity.LOW,
                    "adds build plugins: " + String.join(", ", plugins)));
        }
        List<String> executions = addedWords(before, after, "build executions");
        List<String> commands =
                executions.stream().filter(MavenFormat::runsCommands).toList();
        if (!commands.isEmpty()) {
            findings.add(Finding.of(
                    POM,
                    Severity.MEDIUM,
                    "adds executions of build plugins that run commands or scripts (plugin:goals@phase): "
                            + String.join(", ", commands)));
        }
        if (commands.size() < executions.size()) {
            findings.add(Finding.of(
                    POM,
                    Severity.LOW,
                    "adds build plugin executions (plugin:goals@phase): "
                            + String.join(
                                    ", ",
                                    executions.stream()
                                            .filter(e -> !commands.contains(e))
                                            .toList())));
        }
        String key = after.facts().get(SIGNING_KEY);
        String previousKey = before.facts().get(SIGNING_KEY);
        if (key != null && previousKey != null && !key.equals(previousKey)) {
            findings.add(Finding.of(
                    SIGNATURE,
                    Severity.HIGH,
                    "is signed with another OpenPGP key (" + key + ") than the previous release (" + previousKey
                            + "): a new release manager, or someone else's key"));
        }
        String parent = after.facts().get("parent");
        if (before.name() != null
                && parent != null
                && !parent.equals(before.facts().get("parent"))) {
            String was = before.facts().get("parent");
            findings.add(Finding.of(
                    POM,
                    Severity.MEDIUM,
                    "changes the parent pom to " + parent + (was == null ? "" : " (was " + was + ")")));
        }
        return findings;
    }

    /**
     * A release without a single signature after one that was signed: Maven Central requires an
     * {@code .asc} beside every file, so a release manager's deploy carries them; a deploy made with
     * a stolen token and no signing key does not (high).
     */
    @Override
    public List<Finding> compareReleases(java.util.Set<String> kindsBefore, java.util.Set<String> kindsAfter) {
        List<String> signed =
                kindsBefore.stream().filter(k -> k.endsWith(".asc")).toList();
        if (signed.isEmpty() || kindsAfter.stream().anyMatch(k -> k.endsWith(".asc"))) {
            return List.of();
        }
        return List.of(Finding.of(
                SIGNATURE,
                Severity.HIGH,
                "carries no OpenPGP signature, but the previous release was signed (" + String.join(", ", signed)
                        + "): deployed without the project's signing key"));
    }

    /** Build plugins whose purpose is to run a command or a script in the build. */
    private static final java.util.Set<String> RUNS_COMMANDS = java.util.Set.of(
            "exec-maven-plugin",
            "maven-antrun-plugin",
            "gmavenplus-plugin",
            "groovy-maven-plugin",
            "frontend-maven-plugin",
            "maven-scripting-plugin",
            "jruby-maven-plugin");

    /** Whether a plugin ({@code groupId:artifactId[:…]}) is one that runs commands or scripts. */
    private static boolean runsCommands(String plugin) {
        String[] parts = plugin.split(":");
        return parts.length > 1 && RUNS_COMMANDS.contains(parts[1]);
    }

    static final String POM = "maven-pom";
    static final String JAR = "maven-jar";
    static final String SIGNATURE = "maven-signature";
    static final String SIGNING_KEY = "signing key";
    private static final String SERVICES = "META-INF/services/";
    private static final String PROCESSOR = SERVICES + "javax.annotation.processing.Processor";

    /**
     * What a jar adds that runs in its consumers without being called: a service provider
     * registered ({@code META-INF/services/}, loaded by {@code ServiceLoader} wherever the service
     * is used: medium; changed providers: medium), an annotation processor registered (it runs
     * inside every compilation with the jar on its class path — developer machines and CI: high),
     * Spring auto-configuration registered (medium); a package tree the previous release did not
     * have (medium), another artifact's classes shaded in (its {@code META-INF/maven/} pom: medium).
     * Only between two jars of a project that had classes before.
     */
    @Override
    public List<Finding> compareFiles(Inspection before, Inspection after) {
        if (!after.filename().endsWith(".jar") || !before.filename().endsWith(".jar")) {
            return List.of();
        }
        Map<String, ManifestEntry> old = new java.util.HashMap<>();
        before.manifest().forEach(e -> old.put(e.path(), e));
        List<Finding> findings = new java.util.ArrayList<>();
        for (ManifestEntry e : after.manifest()) {
            ManifestEntry was = old.get(e.path());
            if (e.path().equals(PROCESSOR) && was == null) {
                findings.add(Finding.at(
                        JAR,
                        Severity.HIGH,
                        "registers an annotation processor: it runs inside every compilation that has this jar on its"
                                + " class path",
                        e.path()));
            } else if (e.path().startsWith(SERVICES) && e.path().length() > SERVICES.length()) {
                String service = e.path().substring(SERVICES.length());
                if (was == null) {
                    findings.add(Finding.at(
                            JAR,
                            Severity.MEDIUM,
                            "registers a provider of " + service + ", loaded wherever an application uses " + service,
                            e.path()));
                } else if (!was.sha256().equals(e.sha256())) {
                    findings.add(Finding.at(
                            JAR, Severity.MEDIUM, "changes the providers registered for " + service, e.path()));
                }
            } else if (was == null
                    && (e.path().equals("META-INF/spring.factories")
                            || (e.path().startsWith("META-INF/spring/")
                                    && e.path().endsWith(".imports")))) {
                findings.add(Finding.at(
                        JAR,
                        Severity.MEDIUM,
                        "registers Spring auto-configuration, run by applications at start",
                        e.path()));
            }
        }
        java.util.Map<String, Integer> trees = packageTrees(after.manifest());
        java.util.Map<String, Integer> oldTrees = packageTrees(before.manifest());
        if (!oldTrees.isEmpty()) {
            List<String> added = trees.entrySet().stream()
                    .filter(t -> !oldTrees.containsKey(t.getKey()))
                    .map(t -> t.getKey() + " (" + t.getValue() + " classes)")
                    .toList();
            if (!added.isEmpty()) {
                findings.add(Finding.of(
                        JAR,
                        Severity.MEDIUM,
                        "adds classes in package trees the previous release did not have: "
                                + String.join(", ", added.subList(0, Math.min(5, added.size())))
                                + (added.size() > 5 ? " and " + (added.size() - 5) + " more" : "")));
            }
        }
        String own = after.metadata().name();
        java.util.Set<String> shaded = carriedPoms(before.manifest());
        List<String> newlyShaded = carriedPoms(after.manifest()).stream()
                .filter(ga -> !shaded.contains(ga) && !ga.equals(own))
                .sorted()
                .toList();
        if (!newlyShaded.isEmpty()) {
            findings.add(Finding.of(
                    JAR,
                    Severity.MEDIUM,
                    "bundles (shades) classes of other artifacts: " + String.join(", ", newlyShaded)));
        }
        return findings;
    }

    /** Class files by their package's first two segments ({@code org/example}), multi-release prefixes removed. */
    private static java.util.Map<String, Integer> packageTrees(List<ManifestEntry> manifest) {
        java.util.Map<String, Integer> trees = new java.util.TreeMap<>();
        for (ManifestEntry e : manifest) {
            String path = e.path();
            if (!path.endsWith(".class") || path.endsWith("module-info.class")) {
                continue;
            }
            if (path.startsWith("META-INF/versions/")) {
                int slash = path.indexOf('/', "META-INF/versions/".length());
                path = slash < 0 ? path : path.substring(slash + 1);
            }
            String[] segments = path.split("/");
            if (segments.length >= 2) {
                String tree = segments.length >= 3 ? segments[0] + "/" + segments[1] : segments[0];
                trees.merge(tree, 1, Integer::sum);
            }
        }
        return trees;
    }

    /** {@code groupId:artifactId} of each pom a jar carries ({@code META-INF/maven/<g>/<a>/pom.xml}). */
    private static java.util.Set<String> carriedPoms(List<ManifestEntry> manifest) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        for (ManifestEntry e : manifest) {
            String[] s = e.path().split("/");
            if (s.length == 5 && s[0].equals("META-INF") && s[1].equals("maven") && s[4].equals("pom.xml")) {
                out.add(s[2] + ":" + s[3]);
            }
        }
        return out;
    }

    private static List<String> addedWords(PackageMetadata before, PackageMetadata after, String fact) {
        // A pom may name one plugin twice (in two profiles): a set of words, not Set.of, which refuses duplicates.
        java.util.Set<String> old = new java.util.HashSet<>(
                java.util.Arrays.asList(before.facts().getOrDefault(fact, "").split(" ")));
        return java.util.Arrays.stream(after.facts().getOrDefault(fact, "").split(" "))
                .filter(w -> !w.isBlank() && !old.contains(w))
                .toList();
    }

    @Override
    public boolean readsCode(String path) {
        return path.endsWith(".class");
    }

    @Override
    public List<Finding> checkCode(String path, byte[] bytes, int length) {
        return ClassCode.check(path, bytes, length);
    }

    @Override
    public String stablePath(String filename, String path) {
        return path.equals(filename) ? "(the file)" : path;
    }

    /** What follows the version in a file name: {@code .jar}, {@code -sources.jar}, {@code .pom.asc}. */
    @Override
    public String variant(String filename) {
        String n = filename.toLowerCase(Locale.ROOT);
        for (String classifier : List.of("-sources", "-javadoc", "-tests")) {
            int at = n.lastIndexOf(classifier + ".");
            if (at > 0) {
                return n.substring(at);
            }
        }
        String suffix = n.endsWith(".asc") ? ".asc" : n.endsWith(SIGSTORE) ? SIGSTORE : "";
        String file = n.substring(0, n.length() - suffix.length());
        int dot = file.lastIndexOf('.');
        return (dot < 0 ? "" : file.substring(dot)) + suffix;
    }
}
