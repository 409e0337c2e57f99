package dev.portcullis.inspect;

import static dev.portcullis.testing.Archives.Entry.file;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.registry.pypi.PypiFormat;
import dev.portcullis.testing.Archives;
import dev.portcullis.testing.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The manifest and the checks every ecosystem gets; and real benign distributions stay at low severity or below. */
class InspectorTest {

    @TempDir
    Path dir;

    private Inspection inspect(String filename, byte[] bytes) {
        return new Inspector(Limits.DEFAULT, Clock.systemUTC())
                .inspect(Archives.write(dir, filename, bytes), filename, PackageFormat.GENERIC);
    }

    @Test
    void manifestClassifiesAndMeasuresEveryFile() {
        byte[] elf = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0};
        byte[] wheel = Archives.zip(List.of(
                file("demo/__init__.py", "A = 1\nB = 22\n"),
                file("demo/run.sh", "#!/bin/sh\necho hi\n"),
                file("demo/lib.so", elf),
                file("demo/tool", "#!/usr/bin/env python3\nprint(1)\n"),
                file("demo/app.js", "console.log(1)"),
                file("demo/data.bin", new byte[] {0, 0, 0, 0})));
        Inspection inspection = inspect("demo-1.0.zip", wheel);

        assertThat(inspection.manifest())
                .extracting(ManifestEntry::path, ManifestEntry::kind)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("demo/__init__.py", FileKind.PYTHON),
                        org.assertj.core.groups.Tuple.tuple("demo/run.sh", FileKind.SHELL),
                        org.assertj.core.groups.Tuple.tuple("demo/lib.so", FileKind.NATIVE),
                        org.assertj.core.groups.Tuple.tuple("demo/tool", FileKind.PYTHON),
                        org.assertj.core.groups.Tuple.tuple("demo/app.js", FileKind.JAVASCRIPT),
                        org.assertj.core.groups.Tuple.tuple("demo/data.bin", FileKind.DATA));
        ManifestEntry init = inspection.manifest().getFirst();
        assertThat(init.size()).isEqualTo(13);
        assertThat(init.lines()).isEqualTo(2);
        assertThat(init.longestLine()).isEqualTo(6);
        assertThat(init.sha256())
                .isEqualTo(dev.portcullis.store.Sha256.hex(
                        "A = 1\nB = 22\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(inspection.manifest().get(5).entropy()).isZero();
        assertThat(inspection.manifest().get(4).lines()).isEqualTo(1); // no trailing newline
    }

    @Test
    void aWindowsExecutableUnderAPythonNameIsCaught() {
        byte[] pe = new byte[256];
        pe[0] = 'M';
        pe[1] = 'Z';
        byte[] wheel = Archives.wheel("num2words", "0.5.15", List.of(file("num2words/_build.py", pe)), List.of());
        Inspection inspection = inspect("num2words-0.5.15.zip", wheel);

        assertThat(inspection.findings()).anySatisfy(f -> {
            assertThat(f.severity()).isEqualTo(Severity.HIGH);
            assertThat(f.message()).contains("native executable code hides under a source file's name");
            assertThat(f.path()).isEqualTo("num2words/_build.py");
        });
    }

    /**
     * Real distributions: the wheels Debian ships for pip, setuptools and wheel (installed by
     * .ci/run) and the published sdists and wheel in src/test/resources/testdata/pep740. None may be flagged
     * above low severity: setuptools' start-up .pth and launcher .exe files, pip's vendored
     * .pypirc reader and a generated 28,000-character line are real, and all benign.
     */
    @Test
    void benignRealPackagesStayAtLowSeverityOrBelow() throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> debian = Files.list(TestData.debianDirectory(
                "/usr/share/python-wheels", "python3-pip-whl python3-setuptools-whl python3-wheel-whl"))) {
            debian.filter(p -> p.toString().endsWith(".whl")).forEach(files::add);
        }
        try (Stream<Path> testdata = Files.list(TestData.path("pep740"))) {
            testdata.filter(p -> p.toString().endsWith(".whl") || p.toString().endsWith(".tar.gz"))
                    .forEach(files::add);
        }
        assertThat(files)
                .as("Debian's pip, setuptools and wheel wheels and the PEP 740 test distributions")
                .anySatisfy(p -> assertThat(p.getFileName().toString()).startsWith("pip-"))
                .anySatisfy(p -> assertThat(p.getFileName().toString()).startsWith("setuptools-"))
                .anySatisfy(p -> assertThat(p.getFileName().toString()).startsWith("wheel-"))
                .hasSizeGreaterThanOrEqualTo(7);
        Inspector inspector = new Inspector(Limits.DEFAULT, Clock.systemUTC());
        for (Path file : files) {
            Inspection inspection = inspector.inspect(file, file.getFileName().toString(), new PypiFormat());
            assertThat(inspection.complete()).as(file.toString()).isTrue();
            assertThat(inspection.manifest()).as(file.toString()).isNotEmpty();
            assertThat(inspection.findings())
                    .as(file + " findings")
                    .allSatisfy(f -> assertThat(f.severity()).isLessThanOrEqualTo(Severity.LOW));
        }
    }

    /**
     * The content rules run beside the walk, on other threads: findings still come in the walk's
     * order whatever the order in which the rules finish, each file's text reaches the rules whole
     * (also past the header's declared size), and a rule that fails makes the inspection fail
     * (the caller holds the release) instead of losing its findings.
     */
    @Test
    void rulesRunBesideTheWalkKeepTheWalksOrderAndFailLoudly() {
        List<Archives.Entry> entries = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            entries.add(file("demo/m" + i + ".py", "x = " + i + "\n" + "#".repeat(i * 1_000) + "\n"));
        }
        entries.add(file("demo/empty.py", ""));
        Path archive = Archives.write(dir, "demo-1.0.zip", Archives.zip(entries));
        java.util.concurrent.CountDownLatch secondChecked = new java.util.concurrent.CountDownLatch(1);
        dev.portcullis.inspect.rules.ContentRule slowFirst = new dev.portcullis.inspect.rules.ContentRule() {
            @Override
            public String id() {
                return "probe";
            }

            @Override
            public List<Finding> check(dev.portcullis.inspect.rules.SourceFile file) {
                if (file.path().endsWith("/m1.py")) {
                    secondChecked.countDown();
                }
                if (file.path().endsWith("/m0.py")) {
                    try { // the first file's rules finish after the second's: order must not depend on it
                        assertThat(secondChecked.await(30, java.util.concurrent.TimeUnit.SECONDS))
                                .isTrue();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return List.of(Finding.at("probe", Severity.INFO, file.text().length() + " chars", file.path()));
            }
        };
        Inspection inspection = new Inspector(Limits.DEFAULT, Clock.systemUTC(), List.of(slowFirst))
                .inspect(archive, "demo-1.0.zip", PackageFormat.GENERIC);
        List<Finding> probes = inspection.findings().stream()
                .filter(f -> f.rule().equals("probe"))
                .toList();
        assertThat(probes)
                .extracting(Finding::path)
                .containsExactlyElementsOf(
                        inspection.manifest().stream().map(ManifestEntry::path).toList());
        assertThat(probes.get(7).message()).isEqualTo((6 + 7 * 1_000 + 1) + " chars");
        assertThat(probes.getLast().message()).isEqualTo("0 chars");

        dev.portcullis.inspect.rules.ContentRule broken = new dev.portcullis.inspect.rules.ContentRule() {
            @Override
            public String id() {
                return "broken";
            }

            @Override
            public List<Finding> check(dev.portcullis.inspect.rules.SourceFile file) {
                if (file.path().endsWith("/m33.py")) {
                    throw new IllegalStateException("rule bug on " + file.path());
                }
                return List.of();
            }
        };
        Inspector failing = new Inspector(Limits.DEFAULT, Clock.systemUTC(), List.of(broken));
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> failing.inspect(archive, "demo-1.0.zip", PackageFormat.GENERIC))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("rule bug on demo/m33.py");
    }
}
