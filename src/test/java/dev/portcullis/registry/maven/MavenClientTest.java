package dev.portcullis.registry.maven;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Role;
import dev.portcullis.testing.MavenClient;
import dev.portcullis.testing.Processes;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real Maven through the gate: {@code mvn deploy} stages a held release, nothing resolves until a
 * person approves it, then {@code mvn dependency:get} downloads exactly the deployed jar, checked
 * against the checksums Portcullis answers; redeploying the released version is refused with a
 * reason Maven prints.
 */
class MavenClientTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void mvnDeployIsHeldUntilApprovedThenResolves(String database) throws Exception {
        String group = "test.portcullis.r"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        String project = "maven:" + group + ":demo";
        try (TestServer server = TestServer.start(database, dir.resolve("data"))) {
            String token = server.token("ci", Role.MAINTAINER, project, Permission.UPLOAD);
            MavenClient maven = new MavenClient(dir.resolve("client"), server.url(), token);
            Path build = MavenClient.jarProject(dir.resolve("demo"), group, "1.0", maven.repository());

            Processes.Result deployed = maven.run(build, "deploy", "-Dmaven.install.skip=true");
            assertThat(deployed.exitCode()).as(deployed.output()).isZero();

            JsonNode release = release(server, project, "1.0");
            assertThat(release.path("state").asText()).isEqualTo("held");
            assertThat(release.path("files").findValuesAsText("filename"))
                    .containsExactlyInAnyOrder("demo-1.0.jar", "demo-1.0.pom");
            String path = "/maven2/" + group.replace('.', '/') + "/demo/1.0/demo-1.0.jar";
            assertThat(RawHttp.send(server.url(), "GET", path, Map.of(), null).status())
                    .as("a held jar does not exist for builds")
                    .isEqualTo(404);
            Processes.Result early = resolve(maven, group);
            assertThat(early.exitCode()).as(early.output()).isNotZero();

            assertThat(server.approve(project, "1.0").status()).isEqualTo(200);
            Processes.Result resolved = resolve(maven, group);
            assertThat(resolved.exitCode()).as(resolved.output()).isZero();
            Path local = Path.of(System.getProperty("user.home"), ".m2", "repository", group.replace('.', '/'))
                    .resolve("demo/1.0/demo-1.0.jar");
            assertThat(Files.readAllBytes(local)).isEqualTo(Files.readAllBytes(build.resolve("target/demo-1.0.jar")));
            String metadata = RawHttp.send(
                            server.url(),
                            "GET",
                            "/maven2/" + group.replace('.', '/') + "/demo/maven-metadata.xml",
                            Map.of(),
                            null)
                    .body();
            assertThat(metadata).contains("<version>1.0</version>").contains("<release>1.0</release>");

            Files.writeString(build.resolve("src/main/resources/hello.txt"), "other bytes\n");
            Files.writeString(build.resolve("src/main/resources/hello.txt"), "other bytes\n");
            Processes.Result again = maven.run(build, "deploy", "-Dmaven.install.skip=true");
            assertThat(again.exitCode()).isNotZero();
            assertThat(again.output())
                    .contains("status code: 409")
                    .contains("demo-1.0.jar was deployed already with other bytes; a deployed file never changes");
        } finally {
            MavenClient.forget(group);
        }
    }

    private static Processes.Result resolve(MavenClient maven, String group) {
        return maven.run(
                Path.of(System.getProperty("java.io.tmpdir")),
                "-U",
                "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:get",
                "-Dartifact=" + group + ":demo:1.0",
                "-Dtransitive=false",
                "-DremoteRepositories=portcullis::default::" + maven.repository());
    }

    private static JsonNode release(TestServer server, String project, String version) throws Exception {
        return JSON.readTree(RawHttp.send(
                        server.url(),
                        "GET",
                        "/api/v1/projects/" + project + "/releases/" + version,
                        Map.of("Authorization", "Bearer " + server.adminToken()),
                        null)
                .body());
    }
}
