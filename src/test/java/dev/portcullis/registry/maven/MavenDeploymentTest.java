package dev.portcullis.registry.maven;

import static dev.portcullis.registry.maven.MavenContractTest.MavenArtifacts.endDeployment;
import static dev.portcullis.registry.maven.MavenContractTest.MavenArtifacts.jar;
import static dev.portcullis.registry.maven.MavenContractTest.MavenArtifacts.path;
import static dev.portcullis.registry.maven.MavenContractTest.MavenArtifacts.pom;
import static dev.portcullis.registry.maven.MavenContractTest.MavenArtifacts.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Role;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestData;
import dev.portcullis.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Maven deploy is a series of PUTs that its {@code maven-metadata.xml} ends: the gate decides the
 * release then, with every file there (signatures and provenance arrive after the jar), or once the
 * deployment has been quiet for two minutes when the client never ends it; nobody approves a
 * release the gate has not assessed. With the whole deployment in view, a release that carries no
 * signature after a signed one is held.
 */
class MavenDeploymentTest {

    private static final String GROUP = "org.example";

    @TempDir
    Path dir;

    private static int put(TestServer server, String token, String artifact, String version, String file, byte[] body) {
        return RawHttp.send(
                        server.url(),
                        "PUT",
                        path(GROUP, artifact, version, file),
                        Map.of("Authorization", RawHttp.basic(token)),
                        body)
                .status();
    }

    private static void deployWithoutEnding(TestServer server, String token, String artifact, String version) {
        assertThat(put(
                        server,
                        token,
                        artifact,
                        version,
                        artifact + "-" + version + ".pom",
                        utf8(pom(GROUP, artifact, version, ""))))
                .isEqualTo(201);
        assertThat(put(
                        server,
                        token,
                        artifact,
                        version,
                        artifact + "-" + version + ".jar",
                        jar(GROUP, artifact, version, artifact + " " + version)))
                .isEqualTo(201);
    }

    private static boolean decided(JsonNode release) {
        return release.path("decision").isObject();
    }

    @Test
    void theGateDecidesWhenMavenEndsTheDeploymentAndNoApprovalCountsBefore() {
        String project = "maven:" + GROUP + ":ended";
        try (TestServer server = TestServer.start("sqlite", dir.resolve("data"))) {
            String token = server.token("ci", Role.MAINTAINER, project, Permission.UPLOAD);
            deployWithoutEnding(server, token, "ended", "1.0");
            assertThat(decided(server.release(project, "1.0")))
                    .as("files of a deployment still arriving are not judged one by one")
                    .isFalse();
            RawHttp.Response early = server.approve(project, "1.0");
            assertThat(early.status()).isEqualTo(409);
            assertThat(early.body()).contains("its deployment is still arriving and the gate has not assessed it yet");
            assertThat(server.release(project, "1.0").path("state").asText()).isEqualTo("held");

            assertThat(endDeployment(server, token, GROUP, "ended")).isEqualTo(201);
            JsonNode release = server.release(project, "1.0");
            assertThat(decided(release)).isTrue();
            assertThat(release.path("decision").path("outcome").asText()).isEqualTo("hold");
            assertThat(server.approve(project, "1.0").status()).isEqualTo(200);
            assertThat(server.release(project, "1.0").path("state").asText()).isEqualTo("released");
        }
    }

    @Test
    void aDeploymentNeverEndedIsDecidedAfterTwoQuietMinutes() {
        String project = "maven:" + GROUP + ":unended";
        try (TestServer server = TestServer.start("sqlite", dir.resolve("data"))) {
            String token = server.token("ci", Role.MAINTAINER, project, Permission.UPLOAD);
            deployWithoutEnding(server, token, "unended", "1.0");
            server.clock().advance(Duration.ofMinutes(1));
            server.tick();
            assertThat(decided(server.release(project, "1.0")))
                    .as("a minute of quiet")
                    .isFalse();
            server.clock().advance(Duration.ofMinutes(1).plusSeconds(1));
            server.tick();
            JsonNode release = server.release(project, "1.0");
            assertThat(decided(release)).isTrue();
            assertThat(release.path("state").asText()).isEqualTo("held");
            long decisions = server.events("ReleaseDecided");
            server.clock().advance(Duration.ofMinutes(5));
            server.tick();
            assertThat(server.events("ReleaseDecided"))
                    .as("decided once, not again at every tick")
                    .isEqualTo(decisions);
        }
    }

    @Test
    void aReleaseWithoutTheSignaturesItsPreviousHadIsHeldSayingSo() throws Exception {
        String project = "maven:" + GROUP + ":signed";
        byte[] signature = Files.readAllBytes(TestData.path("maven-signatures").resolve("jsr305-3.0.0.jar.asc"));
        try (TestServer server = TestServer.start("sqlite", dir.resolve("data"))) {
            String token = server.token("ci", Role.MAINTAINER, project, Permission.UPLOAD);
            deployWithoutEnding(server, token, "signed", "1.0");
            assertThat(put(server, token, "signed", "1.0", "signed-1.0.jar.asc", signature))
                    .isEqualTo(201);
            assertThat(endDeployment(server, token, GROUP, "signed")).isEqualTo(201);
            assertThat(server.release(project, "1.0")
                            .path("decision")
                            .path("reasons")
                            .toString())
                    .doesNotContain("OpenPGP");
            assertThat(server.approve(project, "1.0").status()).isEqualTo(200);

            deployWithoutEnding(server, token, "signed", "1.1");
            assertThat(endDeployment(server, token, GROUP, "signed")).isEqualTo(201);
            JsonNode release = server.release(project, "1.1");
            assertThat(release.path("state").asText()).isEqualTo("held");
            assertThat(release.path("decision").path("reasons").toString())
                    .contains("1.1: carries no OpenPGP signature, but the previous release was signed (jar.asc):"
                            + " deployed without the project's signing key");
        }
    }
}
