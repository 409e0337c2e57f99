package dev.portcullis.inspect;

import static dev.portcullis.inspect.Archives.Entry.file;
import static org.assertj.core.api.Assertions.assertThat;

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

/** Manifest, metadata and whole-file checks; and real benign distributions stay at low severity or below. */
class InspectorTest {

  @TempDir Path dir;

  private Inspection inspect(String filename, byte[] bytes) {
    return new Inspector(Limits.DEFAULT, Clock.systemUTC()).inspect(Archives.write(dir, filename, bytes), filename);
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

    assertThat(inspection.manifest()).extracting(ManifestEntry::path, ManifestEntry::kind).containsExactly(
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
    assertThat(init.sha256()).isEqualTo(dev.portcullis.store.Sha256.hex("A = 1\nB = 22\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    assertThat(inspection.manifest().get(5).entropy()).isZero();
    assertThat(inspection.manifest().get(4).lines()).isEqualTo(1); // no trailing newline
  }

  @Test
  void parsesCoreMetadataEntryPointsAndWheelTags() {
    byte[] wheel = Archives.zip(List.of(
        file("demo/__init__.py", ""),
        file("demo-2.0.dist-info/METADATA", """
            Metadata-Version: 2.3
            Name: Demo
            Version: 2.0
            Summary: A demo
            Author: Ada
            Author-email: ada@example.org
            Requires-Python: >=3.9
            Requires-Dist: requests>=2.31
            Requires-Dist: rich; extra == "pretty"
            Provides-Extra: pretty
            Project-URL: Source, https://example.org/demo

            Long description: with colons.
            Name: not-a-header
            """),
        file("demo-2.0.dist-info/entry_points.txt", "[console_scripts]\ndemo = demo.cli:main\n"),
        file("demo-2.0.dist-info/top_level.txt", "demo\n"),
        file("demo-2.0.dist-info/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: false\nTag: cp312-cp312-manylinux_2_17_x86_64\n")));
    PackageMetadata m = inspect("demo-2.0-cp312-cp312-manylinux_2_17_x86_64.whl", wheel).metadata();

    assertThat(m.name()).isEqualTo("Demo");
    assertThat(m.version()).isEqualTo("2.0");
    assertThat(m.requiresDist()).containsExactly("requests>=2.31", "rich; extra == \"pretty\"");
    assertThat(m.requiresPython()).isEqualTo(">=3.9");
    assertThat(m.providesExtra()).containsExactly("pretty");
    assertThat(m.projectUrls()).containsExactly("Source, https://example.org/demo");
    assertThat(m.author()).isEqualTo("Ada");
    assertThat(m.authorEmail()).isEqualTo("ada@example.org");
    assertThat(m.entryPoints()).containsEntry("console_scripts", java.util.Map.of("demo", "demo.cli:main"));
    assertThat(m.topLevel()).containsExactly("demo");
    assertThat(m.wheelTags()).containsExactly("cp312-cp312-manylinux_2_17_x86_64");
    assertThat(m.pure()).isFalse();
    assertThat(PackageMetadata.requirementName("Zope.Interface[test] >= 5 ; python_version<'3.12'")).isEqualTo("zope-interface");
  }

  @Test
  void recordHashesAreCheckedAgainstTheEntries() {
    byte[] honest = Archives.wheel("demo", "1.0", List.of(file("demo/__init__.py", "A = 1\n")), List.of());
    assertThat(inspect("demo-1.0-py3-none-any.whl", honest).findings()).isEmpty();

    // The same wheel with __init__.py replaced after the build, and a file RECORD does not list.
    List<Archives.Entry> edited = new ArrayList<>();
    try (var zip = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(honest))) {
      for (var e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
        byte[] bytes = zip.readAllBytes();
        edited.add(file(e.getName(), e.getName().equals("demo/__init__.py") ? "A = 2\n".getBytes() : bytes));
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    edited.add(file("demo/_extra.py", "B = 1\n"));
    Inspection inspection = inspect("demo-1.0-py3-none-any.whl", Archives.zip(edited));

    assertThat(inspection.findings()).extracting(Finding::rule, Finding::severity, Finding::path).contains(
        org.assertj.core.groups.Tuple.tuple("record", Severity.HIGH, "demo/__init__.py"),
        org.assertj.core.groups.Tuple.tuple("record", Severity.MEDIUM, "demo/_extra.py"));
  }

  @Test
  void metadataMustNameTheFilesProjectAndVersion() {
    byte[] wheel = Archives.wheel("other", "9.9", List.of(file("other/__init__.py", "")), List.of());
    Inspection inspection = inspect("demo-1.0-py3-none-any.whl", wheel);
    assertThat(inspection.findings()).extracting(Finding::message)
        .contains("the metadata names project 'other', the file name 'demo'", "the metadata has version '9.9', the file name '1.0'");

    Inspection none = inspect("demo-1.0-py3-none-any.whl", Archives.zip(List.of(file("demo/__init__.py", ""))));
    assertThat(none.findings()).anySatisfy(f -> assertThat(f.message()).contains("no readable core metadata"));
  }

  @Test
  void aWindowsExecutableUnderAPythonNameIsCaught() {
    byte[] pe = new byte[256];
    pe[0] = 'M';
    pe[1] = 'Z';
    byte[] wheel = Archives.wheel("num2words", "0.5.15", List.of(file("num2words/_build.py", pe)), List.of());
    Inspection inspection = inspect("num2words-0.5.15-py3-none-any.whl", wheel);

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
    try (Stream<Path> debian = Files.list(TestData.debianDirectory("/usr/share/python-wheels", "python3-pip-whl python3-setuptools-whl python3-wheel-whl"))) {
      debian.filter(p -> p.toString().endsWith(".whl")).forEach(files::add);
    }
    try (Stream<Path> testdata = Files.list(TestData.path("pep740"))) {
      testdata.filter(p -> p.toString().endsWith(".whl") || p.toString().endsWith(".tar.gz")).forEach(files::add);
    }
    assertThat(files).as("Debian's pip, setuptools and wheel wheels and the PEP 740 test distributions")
        .anySatisfy(p -> assertThat(p.getFileName().toString()).startsWith("pip-"))
        .anySatisfy(p -> assertThat(p.getFileName().toString()).startsWith("setuptools-"))
        .anySatisfy(p -> assertThat(p.getFileName().toString()).startsWith("wheel-"))
        .hasSizeGreaterThanOrEqualTo(7);
    Inspector inspector = new Inspector(Limits.DEFAULT, Clock.systemUTC());
    for (Path file : files) {
      Inspection inspection = inspector.inspect(file, file.getFileName().toString());
      assertThat(inspection.complete()).as(file.toString()).isTrue();
      assertThat(inspection.manifest()).as(file.toString()).isNotEmpty();
      assertThat(inspection.findings()).as(file + " findings").allSatisfy(f -> assertThat(f.severity()).isLessThanOrEqualTo(Severity.LOW));
    }
  }
}
