package dev.portcullis.registry.pypi;

import static dev.portcullis.testing.Archives.Entry.file;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.inspect.Finding;
import dev.portcullis.inspect.Inspection;
import dev.portcullis.inspect.Inspector;
import dev.portcullis.inspect.Limits;
import dev.portcullis.inspect.PackageMetadata;
import dev.portcullis.inspect.Severity;
import dev.portcullis.publish.Ecosystem;
import dev.portcullis.testing.Archives;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PyPI's files as the inspector reads them: core metadata, entry points and tags; RECORD against
 * the entries; the metadata against the file name; the metadata bytes kept as they are; how two
 * releases' files line up; PEP 508 dependency keys and PEP 740 subject names.
 */
class PypiFormatTest {

    @TempDir
    Path dir;

    private final PypiFormat format = new PypiFormat();

    private Inspection inspect(String filename, byte[] bytes) {
        return new Inspector(Limits.DEFAULT, Clock.systemUTC())
                .inspect(Archives.write(dir, filename, bytes), filename, format);
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
                file(
                        "demo-2.0.dist-info/WHEEL",
                        "Wheel-Version: 1.0\nRoot-Is-Purelib: false\nTag: cp312-cp312-manylinux_2_17_x86_64\n")));
        PackageMetadata m =
                inspect("demo-2.0-cp312-cp312-manylinux_2_17_x86_64.whl", wheel).metadata();

        assertThat(m.name()).isEqualTo("Demo");
        assertThat(m.version()).isEqualTo("2.0");
        assertThat(m.summary()).isEqualTo("A demo");
        assertThat(m.dependencies()).containsExactly("requests>=2.31", "rich; extra == \"pretty\"");
        assertThat(m.facts())
                .containsEntry("requires-python", ">=3.9")
                .containsEntry("extras", "pretty")
                .containsEntry("author", "Ada")
                .containsEntry("author-email", "ada@example.org")
                .containsEntry("top-level", "demo")
                .containsEntry("tags", "cp312-cp312-manylinux_2_17_x86_64");
        assertThat(m.entryPoints()).containsEntry("console_scripts", java.util.Map.of("demo", "demo.cli:main"));
        assertThat(m.pure()).isFalse();
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
                edited.add(file(
                        e.getName(),
                        e.getName().equals("demo/__init__.py")
                                ? "A = 2\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)
                                : bytes));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        edited.add(file("demo/_extra.py", "B = 1\n"));
        Inspection inspection = inspect("demo-1.0-py3-none-any.whl", Archives.zip(edited));

        assertThat(inspection.findings())
                .extracting(Finding::rule, Finding::severity, Finding::path)
                .contains(
                        org.assertj.core.groups.Tuple.tuple("record", Severity.HIGH, "demo/__init__.py"),
                        org.assertj.core.groups.Tuple.tuple("record", Severity.MEDIUM, "demo/_extra.py"));
    }

    @Test
    void metadataMustNameTheFilesProjectAndVersion() {
        byte[] wheel = Archives.wheel("other", "9.9", List.of(file("other/__init__.py", "")), List.of());
        Inspection inspection = inspect("demo-1.0-py3-none-any.whl", wheel);
        assertThat(inspection.findings())
                .extracting(Finding::message)
                .contains(
                        "the metadata names project 'other', the file name 'demo'",
                        "the metadata has version '9.9', the file name '1.0'");

        Inspection none = inspect("demo-1.0-py3-none-any.whl", Archives.zip(List.of(file("demo/__init__.py", ""))));
        assertThat(none.findings()).anySatisfy(f -> assertThat(f.message()).contains("no readable core metadata"));
    }

    @Test
    void theCoreMetadataIsKeptByteForByteFromTheOneReading() {
        String metadata = "Metadata-Version: 2.1\r\nName: demo\r\nVersion: 1.0\r\nSummary: caf\u00e9 \u2603\r\n";
        byte[] wheel = Archives.wheel("demo", "1.0", List.of(file("demo/__init__.py", "")), List.of());
        List<Archives.Entry> entries = new ArrayList<>();
        try (var zip = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(wheel))) {
            for (var e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                byte[] bytes = zip.readAllBytes();
                entries.add(file(
                        e.getName(),
                        e.getName().endsWith("METADATA") ? metadata.getBytes(StandardCharsets.UTF_8) : bytes));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Inspection inspection = inspect("demo-1.0-py3-none-any.whl", Archives.zip(entries));
        assertThat(inspection.metadataFiles().get("demo-1.0.dist-info/METADATA"))
                .isEqualTo(metadata.getBytes(StandardCharsets.UTF_8));
        assertThat(inspection.metadata().summary()).isEqualTo("caf\u00e9 \u2603");
    }

    @Test
    void anSdistsMetadataIsItsPkgInfo() {
        byte[] sdist = Archives.tarGz(tar -> {
            Archives.tarFile(
                    tar,
                    "demo-1.0/PKG-INFO",
                    "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nRequires-Dist: numpy\n");
            Archives.tarFile(tar, "demo-1.0/demo/__init__.py", "");
            Archives.tarFile(tar, "demo-1.0/demo.egg-info/entry_points.txt", "[console_scripts]\nd = demo:main\n");
        });
        Inspection inspection = inspect("demo-1.0.tar.gz", sdist);
        assertThat(inspection.metadata().name()).isEqualTo("demo");
        assertThat(inspection.metadata().dependencies()).containsExactly("numpy");
        assertThat(inspection.metadata().entryPoints()).containsKey("console_scripts");
        assertThat(inspection.metadata().declaresPure()).isTrue();
        assertThat(inspection.findings()).noneMatch(f -> f.severity().atLeast(Severity.MEDIUM));
    }

    @Test
    void twoDistInfoDirectoriesAreFlagged() {
        List<Archives.Entry> entries = new ArrayList<>();
        entries.add(file("other-1.0.dist-info/METADATA", "Name: other\nVersion: 1.0\n"));
        byte[] wheel = Archives.wheel("demo", "1.0", List.of(file("demo/__init__.py", "")), List.of());
        try (var zip = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(wheel))) {
            for (var e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                entries.add(file(e.getName(), zip.readAllBytes()));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Inspection inspection = inspect("demo-1.0-py3-none-any.whl", Archives.zip(entries));
        assertThat(inspection.metadata().name())
                .as("the metadata the file name names")
                .isEqualTo("demo");
        assertThat(inspection.findings())
                .extracting(Finding::message)
                .contains("the wheel has more than one .dist-info directory; installers pick one");
    }

    @Test
    void filesOfTwoReleasesLineUpWithoutTheirVersion() {
        assertThat(format.stablePath("demo-1.0-py3-none-any.whl", "demo-1.0.dist-info/METADATA"))
                .isEqualTo("{dist-info}/METADATA");
        assertThat(format.stablePath("demo-1.0-py3-none-any.whl", "demo-1.0.data/scripts/x"))
                .isEqualTo("{data}/scripts/x");
        assertThat(format.stablePath("demo-1.0-py3-none-any.whl", "demo/__init__.py"))
                .isEqualTo("demo/__init__.py");
        assertThat(format.stablePath("demo-1.0.tar.gz", "demo-1.0/demo/__init__.py"))
                .isEqualTo("demo/__init__.py");
        assertThat(format.variant("demo-1.0-cp312-cp312-manylinux_2_17_x86_64.whl"))
                .isEqualTo("cp312-cp312-manylinux_2_17_x86_64");
        assertThat(format.variant("demo-1.0-1-py3-none-any.whl")).isEqualTo("py3-none-any");
        assertThat(format.variant("demo-1.0.tar.gz")).isEqualTo("sdist");
    }

    @Test
    void dependenciesAreKeyedByNormalizedNameAndMarker() {
        PypiEcosystem pypi = new PypiEcosystem();
        Ecosystem.Dependency d = pypi.dependency("Zope.Interface[test] >= 5 ; python_version<'3.12'");
        assertThat(d.key()).isEqualTo("zope-interface;python_version<'3.12'");
        assertThat(d.constraint()).isEqualTo("[test]>=5");
        assertThat(pypi.dependency("numpy").key())
                .isNotEqualTo(pypi.dependency("numpy; python_version<'3.9'").key());
        assertThat(pypi.dependency("Requests >= 2").key())
                .isEqualTo(pypi.dependency("requests>=3").key());
    }

    @Test
    void attestationSubjectsNameDistributionsAfterNormalization() {
        PypiEcosystem pypi = new PypiEcosystem();
        assertThat(pypi.namesFile("Foo_Bar-1.0-py3-none-any.whl", "foo_bar-1.0.0-py3-none-any.whl"))
                .isTrue();
        assertThat(pypi.namesFile("foo_bar-1.0-py3-none-any.whl", "foo_bar-1.0-py2-none-any.whl"))
                .isFalse();
        assertThat(pypi.namesFile("foo-1.0.tar.gz", "foo-1.1.tar.gz")).isFalse();
    }
}
