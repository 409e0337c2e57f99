package dev.portcullis.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The structure docs/ARCHITECTURE.md describes, checked on every build: a violation fails the
 * suite. Bottom packages know no feature; features form no cycle; no feature reaches into another's
 * HTTP adapter or SQL; a registry's protocol types stay in its {@code registry/} package.
 */
class ArchitectureTest {

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.portcullis");

    /** Infrastructure every feature may use, and which uses none. */
    private static final String[] BOTTOM = {
        "dev.portcullis.core..",
        "dev.portcullis.net..",
        "dev.portcullis.store..",
        "dev.portcullis.http..",
        "dev.portcullis.events.."
    };

    private static final String[] FEATURES = {
        "dev.portcullis.identity..",
        "dev.portcullis.publish..",
        "dev.portcullis.inspect..",
        "dev.portcullis.provenance..",
        "dev.portcullis.detect..",
        "dev.portcullis.gate..",
        "dev.portcullis.upstream..",
        "dev.portcullis.audit..",
        "dev.portcullis.watch..",
        "dev.portcullis.registry..",
        "dev.portcullis.web..",
        "dev.portcullis.app..",
        "dev.portcullis.cli.."
    };

    @Test
    void bottomPackagesKnowNoFeature() {
        noClasses()
                .that()
                .resideInAnyPackage(BOTTOM)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(FEATURES)
                .because("core, net, store, http and events are the layer every feature stands on")
                .check(MAIN);
    }

    @Test
    void featuresFormNoCycle() {
        slices().matching("dev.portcullis.(*)..").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void noFeatureReachesIntoAnotherFeaturesHttpAdapter() {
        for (String feature : new String[] {"identity", "inspect", "gate", "upstream", "audit", "watch"}) {
            classes()
                    .that()
                    .resideInAPackage("dev.portcullis." + feature + ".http..")
                    .should()
                    .onlyBeAccessed()
                    .byAnyPackage("dev.portcullis." + feature + "..", "dev.portcullis.app..")
                    .because("an HTTP adapter is wired by the composition root and used by nobody else")
                    .check(MAIN);
        }
    }

    /** Each registry plug-in ({@code registry/pypi}, …) is used only by itself and the composition root. */
    @Test
    void aRegistrysProtocolStaysInItsPackage() {
        java.util.Set<String> plugins = new java.util.TreeSet<>();
        MAIN.forEach(c -> {
            String p = c.getPackageName();
            if (p.startsWith("dev.portcullis.registry.")) {
                plugins.add(p.substring(
                        0,
                        p.indexOf('.', "dev.portcullis.registry.".length()) < 0
                                ? p.length()
                                : p.indexOf('.', "dev.portcullis.registry.".length())));
            }
        });
        org.assertj.core.api.Assertions.assertThat(plugins).contains("dev.portcullis.registry.pypi");
        for (String plugin : plugins) {
            classes()
                    .that()
                    .resideInAPackage(plugin + "..")
                    .should()
                    .onlyBeAccessed()
                    .byAnyPackage(plugin + "..", "dev.portcullis.app..")
                    .because("an ecosystem's wire protocol is a plug-in: only the composition root knows it is there")
                    .check(MAIN);
        }
    }

    /**
     * The neutral core knows no ecosystem: only the composition root (and the command line above it)
     * names a registry plug-in, and no feature reaches into {@code registry} at all (each plug-in
     * implements the features' ports).
     */
    @Test
    void noFeatureKnowsTheRegistries() {
        noClasses()
                .that()
                .resideOutsideOfPackages("dev.portcullis.registry..", "dev.portcullis.app..", "dev.portcullis.cli..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.portcullis.registry..")
                .because("an ecosystem is a plug-in behind the features' ports (docs/ARCHITECTURE.md)")
                .check(MAIN);
    }

    /**
     * What ArchUnit cannot see — string literals — checked in the sources: PyPI's file names and
     * formats appear in code only inside {@code registry/pypi}. Allowed outside it: the command line
     * and the drills, which are clients of PyPI's protocol like twine (they build and upload wheels).
     */
    @Test
    void pypisFilesAreKnownOnlyToItsRegistry() throws java.io.IOException {
        java.util.regex.Pattern pypi = java.util.regex.Pattern.compile(
                "\\.whl|bdist_wheel|dist-info|PKG-INFO|\\bRECORD\\b|\\.egg\\b|\\bsdist\\b");
        java.util.List<String> offenders = new java.util.ArrayList<>();
        stringLiterals().forEach((source, literals) -> {
            if (!source.startsWith("registry/pypi/")
                    && !source.startsWith("cli/")
                    && !source.startsWith("audit/drill/")) {
                literals.stream()
                        .filter(l -> pypi.matcher(l).find())
                        .forEach(l -> offenders.add(source + ": \"" + l + "\""));
            }
        });
        org.assertj.core.api.Assertions.assertThat(offenders)
                .as("PyPI's formats named outside registry/pypi")
                .isEmpty();
    }

    /** Every main source file (path below dev/portcullis) with its string literals' contents, comments left out. */
    private static java.util.Map<String, java.util.List<String>> stringLiterals() throws java.io.IOException {
        java.util.regex.Pattern literal = java.util.regex.Pattern.compile("\"((?:[^\"\\\\]++|\\\\.)*+)\"");
        java.nio.file.Path root = java.nio.file.Path.of("src/main/java/dev/portcullis");
        java.util.Map<String, java.util.List<String>> out = new java.util.TreeMap<>();
        try (var files = java.nio.file.Files.walk(root)) {
            for (java.nio.file.Path file :
                    files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String code = java.nio.file.Files.readString(file)
                        .replaceAll("(?s)/\\*.*?\\*/", "")
                        .replaceAll("//[^\n]*", "");
                java.util.List<String> literals = new java.util.ArrayList<>();
                var m = literal.matcher(code);
                while (m.find()) {
                    literals.add(m.group(1));
                }
                out.put(root.relativize(file).toString().replace('\\', '/'), literals);
            }
        }
        return out;
    }

    /** Which feature owns each table (docs/ARCHITECTURE.md); every other feature goes through the owner's classes. */
    static final java.util.Map<String, java.util.List<String>> OWNERS = java.util.Map.ofEntries(
            java.util.Map.entry(
                    "identity",
                    java.util.List.of(
                            "users",
                            "user_roles",
                            "web_sessions",
                            "webauthn_credentials",
                            "webauthn_used_challenges",
                            "api_tokens",
                            "recovery_codes",
                            "enrolment_tickets",
                            "publish_tokens",
                            "oidc_jti",
                            "trusted_publishers",
                            "token_upload_rules")),
            java.util.Map.entry("publish", java.util.List.of("projects", "releases", "release_files")),
            java.util.Map.entry("inspect", java.util.List.of("file_inspections")),
            java.util.Map.entry("provenance", java.util.List.of("file_provenance")),
            java.util.Map.entry("gate", java.util.List.of("policies", "approvals", "release_decisions")),
            java.util.Map.entry("events", java.util.List.of("events", "event_chain_head")),
            java.util.Map.entry("watch", java.util.List.of("event_checkpoints", "alerts", "alert_deliveries")),
            java.util.Map.entry(
                    "upstream",
                    java.util.List.of("watched_projects", "upstream_files", "upstream_targets", "promotions")),
            java.util.Map.entry("store", java.util.List.of("leases")),
            java.util.Map.entry("registry/pypi", java.util.List.of("pypi_files")),
            java.util.Map.entry(
                    "registry/maven",
                    java.util.List.of("maven_files", "maven_deployments", "maven_deployment_releases")),
            java.util.Map.entry(
                    "registry/npm",
                    java.util.List.of(
                            "npm_files", "npm_stages", "npm_dist_tags", "npm_tag_requests", "npm_tag_approvals")));

    /**
     * Each feature owns its tables: SQL in a feature's code (its string literals) names only its own
     * tables. And every table the migrations create has an owner here.
     */
    @Test
    void eachFeatureOwnsItsTables() throws java.io.IOException {
        java.util.Map<String, String> owner = new java.util.HashMap<>();
        OWNERS.forEach((feature, tables) -> tables.forEach(t -> owner.put(t, feature)));
        java.util.Set<String> created = new java.util.TreeSet<>();
        try (var migrations = java.nio.file.Files.list(java.nio.file.Path.of("src/main/resources/db/migration"))) {
            for (java.nio.file.Path m : migrations.toList()) {
                var matcher = java.util.regex.Pattern.compile("(?i)CREATE TABLE (?:IF NOT EXISTS )?([a-z_]+)")
                        .matcher(java.nio.file.Files.readString(m));
                while (matcher.find()) {
                    created.add(matcher.group(1).toLowerCase(java.util.Locale.ROOT));
                }
            }
        }
        // A table renamed away (rebuilt under a temporary name, then renamed) no longer exists.
        try (var migrations = java.nio.file.Files.list(java.nio.file.Path.of("src/main/resources/db/migration"))) {
            for (java.nio.file.Path m : migrations.toList()) {
                var matcher = java.util.regex.Pattern.compile("(?i)ALTER TABLE ([a-z_]+) RENAME TO ([a-z_]+)")
                        .matcher(java.nio.file.Files.readString(m));
                while (matcher.find()) {
                    created.remove(matcher.group(1).toLowerCase(java.util.Locale.ROOT));
                    created.add(matcher.group(2).toLowerCase(java.util.Locale.ROOT));
                }
            }
        }
        org.assertj.core.api.Assertions.assertThat(owner.keySet())
                .as("every table has an owner")
                .containsAll(created);

        java.util.regex.Pattern table =
                java.util.regex.Pattern.compile("(?i)\\b(?:FROM|JOIN|INTO|UPDATE|TABLE)\\s+([a-z_]+)");
        java.util.List<String> offenders = new java.util.ArrayList<>();
        for (var source : stringLiterals().entrySet()) {
            String relative = source.getKey();
            String feature = relative.indexOf('/', "registry/".length()) > 0 && relative.startsWith("registry/")
                    ? relative.substring(0, relative.indexOf('/', "registry/".length()))
                    : relative.substring(0, Math.max(0, relative.indexOf('/')));
            String strings = String.join(" ", source.getValue());
            var t = table.matcher(strings);
            while (t.find()) {
                String name = t.group(1).toLowerCase(java.util.Locale.ROOT);
                if (owner.containsKey(name) && !owner.get(name).equals(feature)) {
                    offenders.add(relative + " uses " + name + ", which " + owner.get(name) + " owns");
                }
            }
        }
        org.assertj.core.api.Assertions.assertThat(offenders)
                .as("SQL on another feature's tables")
                .isEmpty();
    }

    @Test
    void repositoriesAreTheirFeaturesOwn() {
        classes()
                .that()
                .haveSimpleNameEndingWith("Repository")
                .should()
                .notBePublic()
                .because("each feature owns its tables; others ask its entry point")
                .check(MAIN);
    }

    @Test
    void onlyTheCompositionRootAndTheCommandLineUseTheApp() {
        noClasses()
                .that()
                .resideOutsideOfPackages("dev.portcullis.app..", "dev.portcullis.cli..", "dev.portcullis")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.portcullis.app..")
                .check(MAIN);
    }
}
