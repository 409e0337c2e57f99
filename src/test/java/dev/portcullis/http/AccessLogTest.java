package dev.portcullis.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.ServerProcess;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve --access-log json}: one JSON line per request with method, path, status, bytes,
 * time, client and agent — never the query string (an OAuth code travels there).
 */
class AccessLogTest {

    @TempDir
    Path dir;

    @Test
    void oneJsonLinePerRequestWithoutTheQueryString() throws Exception {
        try (ServerProcess server = ServerProcess.start(dir.resolve("data"), null, "256m", "--access-log", "json")) {
            assertThat(RawHttp.send(
                                    server.url(),
                                    "GET",
                                    "/livez",
                                    Map.of(
                                            "User-Agent",
                                            "probe/1",
                                            "traceparent",
                                            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
                                    null)
                            .status())
                    .isEqualTo(200);
            RawHttp.send(
                    server.url(),
                    "GET",
                    "/ui/sign-in/oidc/callback?code=SECRET-CODE&state=s",
                    Map.of("traceparent", "00-not-a-trace-SECRET-TRACE"),
                    null);
            RawHttp.send(server.url(), "GET", "/simple/nothing-here/", Map.of(), null);
            // A line is written when its exchange completes, just after the client has the answer.
            dev.portcullis.testing.Await.until(
                    "three access lines",
                    java.time.Duration.ofSeconds(10),
                    () -> server.log()
                                    .lines()
                                    .filter(l -> l.contains(" access - {"))
                                    .count()
                            == 3);
            server.stop();
            ObjectMapper json = new ObjectMapper();
            List<JsonNode> lines = server.log()
                    .lines()
                    .filter(l -> l.contains(" access - {"))
                    .map(l -> {
                        try {
                            return json.readTree(l.substring(l.indexOf('{')));
                        } catch (Exception e) {
                            throw new AssertionError("not JSON: " + l, e);
                        }
                    })
                    .toList();
            assertThat(lines).as(server.log()).hasSize(3);
            assertThat(lines.get(0).path("method").asText()).isEqualTo("GET");
            assertThat(lines.get(0).path("path").asText()).isEqualTo("/livez");
            assertThat(lines.get(0).path("status").asInt()).isEqualTo(200);
            assertThat(lines.get(0).path("bytes").asLong()).isPositive();
            assertThat(lines.get(0).path("agent").asText()).isEqualTo("probe/1");
            assertThat(lines.get(0).path("client").asText()).isEqualTo("127.0.0.1");
            assertThat(lines.get(0).path("trace").asText()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
            assertThat(lines.get(1).path("path").asText()).isEqualTo("/ui/sign-in/oidc/callback");
            assertThat(lines.get(1).has("trace"))
                    .as("a malformed traceparent is not logged")
                    .isFalse();
            assertThat(lines.get(2).path("status").asInt()).isEqualTo(404);
            assertThat(server.log()).doesNotContain("SECRET-CODE").doesNotContain("SECRET-TRACE");
        }
    }

    @Test
    void onlyAWellFormedTraceparentGivesATraceId() {
        assertThat(AccessLog.traceId("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
                .isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(AccessLog.traceId("00-00000000000000000000000000000000-00f067aa0ba902b7-01"))
                .as("all-zero trace id")
                .isNull();
        assertThat(AccessLog.traceId("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"))
                .as("all-zero parent id")
                .isNull();
        assertThat(AccessLog.traceId("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
                .as("version ff")
                .isNull();
        assertThat(AccessLog.traceId("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"))
                .as("upper case")
                .isNull();
        assertThat(AccessLog.traceId("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\nforged line"))
                .isNull();
        assertThat(AccessLog.traceId(null)).isNull();
    }
}
