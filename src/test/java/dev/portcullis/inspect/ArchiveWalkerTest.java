package dev.portcullis.inspect;

import static dev.portcullis.testing.Archives.Entry.file;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.Archives;
import dev.portcullis.testing.Archives.Entry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The safe archive readers on crafted hostile archives: every hazard ends as a finding with a
 * clear message (critical ones refuse the upload), never an exception or a hang.
 */
class ArchiveWalkerTest {

    @TempDir
    Path dir;

    private Inspection inspect(String filename, byte[] bytes, Limits limits) {
        return new Inspector(limits, Clock.systemUTC())
                .inspect(Archives.write(dir, filename, bytes), filename, new dev.portcullis.registry.pypi.PypiFormat());
    }

    private Inspection inspect(String filename, byte[] bytes) {
        return inspect(filename, bytes, Limits.DEFAULT);
    }

    private static List<String> messages(Inspection inspection, Severity severity) {
        return inspection.findings().stream()
                .filter(f -> f.severity() == severity)
                .map(Finding::explain)
                .toList();
    }

    @Test
    void readsAWellFormedWheelCompletelyWithoutFindings() {
        byte[] wheel = Archives.wheel(
                "demo", "1.0", List.of(file("demo/__init__.py", "VERSION = '1.0'\n")), List.of("requests>=2"));
        Inspection inspection = inspect("demo-1.0-py3-none-any.whl", wheel);

        assertThat(inspection.complete()).isTrue();
        assertThat(inspection.findings()).isEmpty();
        assertThat(inspection.refusal()).isEmpty();
        assertThat(inspection.manifest())
                .extracting(ManifestEntry::path)
                .containsExactly(
                        "demo/__init__.py",
                        "demo-1.0.dist-info/METADATA",
                        "demo-1.0.dist-info/WHEEL",
                        "demo-1.0.dist-info/RECORD");
    }

    @Test
    void pathTraversalAndAbsolutePathsAreRefused() {
        byte[] traversal = Archives.zip(List.of(file("demo/../../../home/user/.bashrc", "echo owned\n")));
        Inspection climbing = inspect("demo-1.0-py3-none-any.whl", traversal);
        assertThat(climbing.refusal())
                .hasValueSatisfying(
                        r -> assertThat(r).contains("path traversal").contains("demo/../../../home/user/.bashrc"));

        Inspection absolute = inspect(
                "demo-1.0-py3-none-any.whl", Archives.zip(List.of(file("/etc/cron.d/job", "* * * * * root id\n"))));
        assertThat(absolute.refusal()).hasValueSatisfying(r -> assertThat(r).contains("absolute path"));

        Inspection drive = inspect("demo-1.0.zip", Archives.zip(List.of(file("C:\\Windows\\evil.dll", "x"))));
        assertThat(drive.refusal()).hasValueSatisfying(r -> assertThat(r).contains("absolute path"));
    }

    @Test
    void duplicateEntriesAreRefused() {
        byte[] zip = Archives.zip(
                List.of(file("demo/__init__.py", "A = 1\n"), file("demo/__init__.py", "import os; os.system('id')\n")));
        Inspection inspection = inspect("demo-1.0-py3-none-any.whl", zip);

        assertThat(inspection.refusal())
                .hasValueSatisfying(r -> assertThat(r).contains("two entries with the same name"));
    }

    @Test
    void linksAreFlaggedAndEscapingLinksRefused() {
        Inspection zipLink = inspect(
                "demo-1.0-py3-none-any.whl",
                Archives.zip(List.of(
                        new Entry("demo/config", "../../../.ssh/id_rsa".getBytes(StandardCharsets.UTF_8), true))));
        assertThat(zipLink.refusal())
                .hasValueSatisfying(r -> assertThat(r).contains("link points outside the archive"));

        Inspection innerLink = inspect(
                "demo-1.0-py3-none-any.whl",
                Archives.zip(List.of(new Entry("demo/link", "other.py".getBytes(StandardCharsets.UTF_8), true))));
        assertThat(innerLink.refusal()).isEmpty();
        assertThat(messages(innerLink, Severity.HIGH))
                .anySatisfy(m -> assertThat(m).contains("symbolic link to other.py"));

        byte[] tar = Archives.tarGz(t -> {
            Archives.tarFile(t, "demo-1.0/PKG-INFO", "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n");
            Archives.tarSpecial(t, "demo-1.0/docs", Archives.SYMLINK, "README.md");
            Archives.tarSpecial(t, "demo-1.0/steal", Archives.SYMLINK, "/etc/shadow");
        });
        Inspection sdist = inspect("demo-1.0.tar.gz", tar);
        assertThat(messages(sdist, Severity.LOW)).anySatisfy(m -> assertThat(m).contains("symbolic link to README.md"));
        assertThat(sdist.refusal())
                .hasValueSatisfying(r -> assertThat(r).contains("outside the archive (to /etc/shadow)"));
    }

    @Test
    void deviceFilesAndPipesAreRefused() {
        byte[] tar = Archives.tarGz(t -> {
            Archives.tarFile(t, "demo-1.0/PKG-INFO", "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n");
            Archives.tarSpecial(t, "demo-1.0/tty", Archives.CHAR_DEVICE, null);
            Archives.tarSpecial(t, "demo-1.0/pipe", Archives.FIFO, null);
        });
        Inspection inspection = inspect("demo-1.0.tar.gz", tar);

        assertThat(inspection.refusal())
                .hasValueSatisfying(
                        r -> assertThat(r).contains("device file or pipe").contains("demo-1.0/tty"));
        assertThat(messages(inspection, Severity.CRITICAL)).hasSize(2);
    }

    @Test
    void zipBombStopsAtTheRatioLimitWithoutInflatingEverything() {
        byte[] zeros = new byte[64 << 20]; // 64 MB of zeros deflate to about 64 kB
        byte[] bomb = Archives.zip(List.of(file("demo/data.bin", zeros)));
        assertThat(bomb.length).isLessThan(200_000);

        Inspection inspection = inspect("demo-1.0-py3-none-any.whl", bomb);

        assertThat(inspection.complete()).isFalse();
        assertThat(inspection.refusal())
                .hasValueSatisfying(r -> assertThat(r).contains("times its compressed size (zip bomb)"));
        assertThat(inspection.manifest()).isEmpty(); // the entry never finished
    }

    @Test
    void gzipBombInATarballStopsAtTheStreamRatio() {
        byte[] tar = Archives.tarGz(t -> Archives.tarFile(t, "demo-1.0/data.txt", "0".repeat(32 << 20)));
        Inspection inspection = inspect("demo-1.0.tar.gz", tar);

        assertThat(inspection.refusal()).hasValueSatisfying(r -> assertThat(r).contains("compression bomb"));
    }

    @Test
    void perEntryTotalAndEntryCountLimitsHold() {
        Limits small = new Limits(3, 4000, 6000, 200, 1 << 20, 2, Duration.ofMinutes(1), 1 << 20);

        byte[] compressible =
                "abcdefgh".repeat(625).getBytes(StandardCharsets.UTF_8); // 5000 bytes, deflate to a few dozen
        Inspection big = inspect("demo-1.0.zip", Archives.zip(List.of(file("a.txt", compressible))), small);
        assertThat(big.refusal()).hasValueSatisfying(r -> assertThat(r).contains("per-entry size limit"));

        byte[] three = Arrays.copyOf(compressible, 3000);
        Inspection total = inspect(
                "demo-1.0.zip",
                Archives.zip(List.of(file("a.txt", three), file("b.txt", three), file("c.txt", three))),
                small);
        assertThat(total.refusal()).hasValueSatisfying(r -> assertThat(r).contains("in total"));

        Inspection many = inspect(
                "demo-1.0.zip",
                Archives.zip(List.of(file("a", "1"), file("b", "2"), file("c", "3"), file("d", "4"))),
                small);
        assertThat(many.refusal()).hasValueSatisfying(r -> assertThat(r).contains("more than 3 entries"));
    }

    /** An entry no bigger than its compressed bytes (stored, or incompressible) is not inflation: the per-entry limit does not apply. */
    @Test
    void entriesThatDoNotInflateAreBoundedByTheUploadLimitNotTheInflationLimit() {
        byte[] random = new byte[5000];
        new Random(1).nextBytes(random);
        Limits small = new Limits(3, 4000, 6000, 200, 1 << 20, 2, Duration.ofMinutes(1), 1 << 20);

        Inspection incompressible = inspect("demo-1.0.zip", Archives.zip(List.of(file("a.bin", random))), small);

        assertThat(incompressible.refusal()).isEmpty();
        assertThat(incompressible.complete()).isTrue();
        assertThat(incompressible.manifest())
                .singleElement()
                .satisfies(e -> assertThat(e.size()).isEqualTo(5000));
    }

    @Test
    void nestedArchivesAreReadToTheDepthLimitAndFlaggedBeyond() {
        byte[] innermost = Archives.zip(List.of(file("deep/payload.js", "var _0x1a2b = 1;\n")));
        byte[] inner = Archives.zip(List.of(file("inner/readme.txt", "hello\n"), file("inner/deeper.zip", innermost)));
        byte[] outer = Archives.zip(List.of(file("demo/vendor.zip", inner)));
        Limits oneLevel = new Limits(1000, 1 << 20, 1 << 22, 200, 1 << 20, 1, Duration.ofMinutes(1), 1 << 20);

        Inspection inspection = inspect("demo-1.0.zip", outer, oneLevel);

        assertThat(inspection.manifest())
                .extracting(ManifestEntry::path)
                .contains("demo/vendor.zip!/inner/readme.txt", "demo/vendor.zip!/inner/deeper.zip", "demo/vendor.zip");
        assertThat(messages(inspection, Severity.MEDIUM))
                .anySatisfy(m -> assertThat(m)
                        .contains("nested more than 1 levels deep was not inspected")
                        .contains("demo/vendor.zip!/inner/deeper.zip"));
        assertThat(inspection.refusal()).isEmpty();
    }

    @Test
    void malformedArchivesGiveAFindingNotAnException() {
        byte[] garbage = new byte[4096];
        new Random(7).nextBytes(garbage);
        Inspection notZip = inspect("demo-1.0-py3-none-any.whl", garbage);
        assertThat(notZip.complete()).isFalse();
        assertThat(notZip.refusal()).hasValueSatisfying(r -> assertThat(r).contains("malformed"));

        byte[] tar = Archives.tarGz(t -> Archives.tarFile(t, "demo-1.0/setup.py", "x = 1\n".repeat(5000)));
        Inspection truncated = inspect("demo-1.0.tar.gz", Arrays.copyOf(tar, tar.length / 2));
        assertThat(truncated.refusal()).hasValueSatisfying(r -> assertThat(r).contains("malformed"));
    }

    @Test
    void runningOutOfTimeEndsTheWalkIncomplete() {
        Clock racing = new Clock() {
            private Instant now = Instant.parse("2026-11-29T00:00:00Z");

            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                now = now.plusSeconds(10); // every look at the clock costs ten seconds
                return now;
            }
        };
        byte[] wheel = Archives.wheel("demo", "1.0", List.of(file("demo/__init__.py", "A = 1\n")), List.of());
        Inspection inspection = new Inspector(Limits.DEFAULT.withMaxDuration(Duration.ofSeconds(15)), racing)
                .inspect(
                        Archives.write(dir, "demo-1.0-py3-none-any.whl", wheel),
                        "demo-1.0-py3-none-any.whl",
                        new dev.portcullis.registry.pypi.PypiFormat());

        assertThat(inspection.complete()).isFalse();
        assertThat(messages(inspection, Severity.HIGH))
                .anySatisfy(m -> assertThat(m).contains("ran out of time"));
    }
}
