package dev.portcullis.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * Fuzzes the archive readers and the metadata parser, which read whatever anyone uploads: any
 * bytes yield an inspection (findings, never an exception, a hang or unbounded memory). Stored
 * inputs (small valid, truncated and hostile archives) run in every build; {@code JAZZER_FUZZ=1} fuzzes.
 */
class ArchiveFuzzTest {

    private static final dev.portcullis.registry.pypi.PypiFormat PYPI = new dev.portcullis.registry.pypi.PypiFormat();

    private static final Limits LIMITS =
            new Limits(1_000, 1 << 20, 4 << 20, 200, 64 * 1024, 2, Duration.ofSeconds(10), 256 * 1024);

    @FuzzTest(maxDuration = "60s")
    void anyBytesGiveAnInspection(FuzzedDataProvider data) throws IOException {
        byte[] bytes = data.consumeRemainingAsBytes();
        Path file = Files.createTempFile("fuzz-", ".bin");
        try {
            Files.write(file, bytes);
            Inspector inspector = new Inspector(LIMITS, Clock.systemUTC());
            for (String name : new String[] {"demo-1.0-py3-none-any.whl", "demo-1.0.tar.gz", "demo-1.0.tar"}) {
                Inspection inspection = inspector.inspect(file, name, PYPI);
                assertThat(inspection.size()).isEqualTo(bytes.length);
                if (!inspection.complete()) {
                    assertThat(inspection.findings()).isNotEmpty(); // an incomplete walk always says why
                }
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void anyMetadataTextParses(FuzzedDataProvider data) {
        String core = data.consumeString(4096);
        String entryPoints = data.consumeString(1024);
        String wheel = data.consumeRemainingAsString();
        java.util.Map<String, byte[]> files = java.util.Map.of(
                "demo-1.0.dist-info/METADATA", core.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                "demo-1.0.dist-info/entry_points.txt", entryPoints.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                "demo-1.0.dist-info/WHEEL", wheel.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                "demo-1.0.dist-info/RECORD", wheel.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        PackageMetadata metadata = PYPI.metadata("demo-1.0-py3-none-any.whl", files);
        metadata.dependencies().forEach(PYPI.ecosystem()::dependency);
        PYPI.check("demo-1.0-py3-none-any.whl", metadata, files, java.util.List.of());
    }
}
