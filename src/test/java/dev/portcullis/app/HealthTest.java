package dev.portcullis.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The probes an orchestrator asks (docs/OPERATIONS.md): {@code /livez} answers while the process
 * does; {@code /readyz} names each thing the process needs — the database answering and migrated,
 * the blob store writable, every background loop alive — and answers 503 when one fails; the
 * checks run at most once a second, whoever asks.
 */
class HealthTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void readinessNamesWhatFails(String database) throws Exception {
        Path data = dir.resolve("data");
        try (TestServer server = TestServer.start(database, data)) {
            RawHttp.Response live = RawHttp.send(server.url(), "GET", "/livez", Map.of(), null);
            assertThat(live.status()).isEqualTo(200);
            assertThat(JSON.readTree(live.body()).path("status").asText()).isEqualTo("ok");

            JsonNode ready = readyz(server, 200);
            assertThat(ready.path("status").asText()).isEqualTo("ready");
            assertThat(ready.path("checks").path("database").path("ok").asBoolean())
                    .isTrue();
            assertThat(ready.path("checks").path("blobs").path("ok").asBoolean())
                    .isTrue();
            JsonNode loops = ready.path("checks").path("loops");
            for (String loop : new String[] {
                "portcullis-alerts",
                "portcullis-upstream",
                "portcullis-promoter",
                "portcullis-gate",
                "portcullis-checkpoints",
                "portcullis-housekeeping"
            }) {
                assertThat(loops.path(loop).path("alive").asBoolean()).as(loop).isTrue();
                assertThat(loops.path(loop).path("scheduled").asBoolean())
                        .as(loop)
                        .isTrue();
            }

            // Where uploads are staged is no longer a directory: not ready, and the body says which part.
            Path tmp = data.resolve("blobs").resolve("tmp");
            try (var leftovers = Files.list(tmp)) {
                for (Path p : leftovers.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(tmp);
            Files.writeString(tmp, "not a directory");
            try {
                // Checked at most once a second: within it, callers get the last answer.
                assertThat(readyz(server, 200).path("status").asText()).isEqualTo("ready");
                server.clock().advance(java.time.Duration.ofSeconds(2));
                JsonNode unready = readyz(server, 503);
                assertThat(unready.path("status").asText()).isEqualTo("not ready");
                assertThat(unready.path("checks").path("blobs").path("ok").asBoolean())
                        .isFalse();
                assertThat(unready.path("checks").path("blobs").path("reason").asText())
                        .startsWith("the blob store cannot be written");
                assertThat(unready.path("checks").path("database").path("ok").asBoolean())
                        .isTrue();
                assertThat(unready.toString()).doesNotContain(data.toString());
            } finally {
                Files.delete(tmp);
                Files.createDirectories(tmp);
            }
            server.clock().advance(java.time.Duration.ofSeconds(2));
            assertThat(readyz(server, 200).path("status").asText()).isEqualTo("ready");
        }
    }

    private static JsonNode readyz(TestServer server, int status) throws Exception {
        RawHttp.Response r = RawHttp.send(server.url(), "GET", "/readyz", Map.of(), null);
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        return JSON.readTree(r.body());
    }
}
