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

  private static final Limits LIMITS = new Limits(1_000, 1 << 20, 4 << 20, 200, 64 * 1024, 2, Duration.ofSeconds(10), 256 * 1024);

  @FuzzTest(maxDuration = "60s")
  void anyBytesGiveAnInspection(FuzzedDataProvider data) throws IOException {
    byte[] bytes = data.consumeRemainingAsBytes();
    Path file = Files.createTempFile("fuzz-", ".bin");
    try {
      Files.write(file, bytes);
      Inspector inspector = new Inspector(LIMITS, Clock.systemUTC());
      for (String name : new String[] {"demo-1.0-py3-none-any.whl", "demo-1.0.tar.gz", "demo-1.0.tar"}) {
        Inspection inspection = inspector.inspect(file, name);
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
    PackageMetadata metadata = PackageMetadata.parse(core, entryPoints, wheel, wheel);
    metadata.pure();
    metadata.requiresDist().forEach(PackageMetadata::requirementName);
    PackageMetadata.headers(core + "\n" + wheel);
  }
}
