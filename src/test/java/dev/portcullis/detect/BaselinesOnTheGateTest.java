package dev.portcullis.detect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Role;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestServer;
import dev.portcullis.testing.Uploads;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The gate keeps each project's baseline between decisions and learns only what was released
 * since (detect/Detectors): what it learned must stay exactly what a baseline learned from the
 * whole released history would say, also when a release leaves the released set.
 */
class BaselinesOnTheGateTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROJECT = "baselined";

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void aBaselineLearnsEachReleaseOnceAndForgetsAQuarantinedOne(String database) throws Exception {
        try (TestServer server = TestServer.start(database, dir.resolve("data"))) {
            String token = server.token("ci", Role.MAINTAINER, PROJECT, Permission.UPLOAD);
            upload(server, token, "1.0", "numpy");
            assertThat(server.approve(PROJECT, "1.0").status()).isEqualTo(200);
            upload(server, token, "2.0", "numpy", "requests");
            assertThat(dependencySignals(server, "2.0"))
                    .as("decided against 1.0 alone")
                    .anyMatch(s -> s.contains("adds requests, never used by this project in 1 release(s)"));
            assertThat(server.approve(PROJECT, "2.0").status()).isEqualTo(200);

            upload(server, token, "2.1", "numpy", "requests");
            assertThat(dependencySignals(server, "2.1"))
                    .as("2.0, released since the last decision, was learned")
                    .noneMatch(s -> s.contains("requests"));
            assertThat(server.approve(PROJECT, "2.1").status()).isEqualTo(200);

            assertThat(server.decide(server.admin(), PROJECT, "2.0", "quarantine")
                            .status())
                    .isEqualTo(200);
            upload(server, token, "2.2", "numpy", "requests", "six");
            assertThat(dependencySignals(server, "2.2"))
                    .as("learned again without the quarantined 2.0: 1.0 and 2.1 remain, each counted once")
                    .anyMatch(s -> s.contains("adds six, never used by this project in 2 release(s)"))
                    .noneMatch(s -> s.contains("adds requests"));
        }
    }

    private static void upload(TestServer server, String token, String version, String... requires) {
        byte[] wheel = Uploads.wheel(PROJECT, version, PROJECT, version, Map.of(), List.of(requires));
        RawHttp.Response response = RawHttp.upload(
                server.url(),
                token,
                Uploads.wheelForm(PROJECT, version, Uploads.wheelName(PROJECT, version), wheel)
                        .build());
        assertThat(response.status()).as(response.body()).isEqualTo(200);
    }

    private static List<String> dependencySignals(TestServer server, String version) throws Exception {
        JsonNode release = JSON.readTree(RawHttp.send(
                        server.url(),
                        "GET",
                        "/api/v1/projects/" + PROJECT + "/releases/" + version,
                        Map.of("Authorization", "Bearer " + server.adminToken()),
                        null)
                .body());
        JsonNode reasons = release.path("decision").path("reasons");
        assertThat(reasons.isArray()).as(release.toString()).isTrue();
        return StreamSupport.stream(reasons.spliterator(), false)
                .map(JsonNode::asText)
                .filter(reason -> reason.contains(" signal from dependencies: "))
                .toList();
    }
}
