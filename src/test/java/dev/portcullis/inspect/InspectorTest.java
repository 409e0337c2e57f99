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
}
