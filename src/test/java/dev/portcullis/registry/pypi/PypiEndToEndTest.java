package dev.portcullis.registry.pypi;

import static dev.portcullis.testing.PythonClients.importAndPrintVersion;
import static dev.portcullis.testing.PythonClients.pipInstall;
import static dev.portcullis.testing.PythonClients.sdist;
import static dev.portcullis.testing.PythonClients.twineUpload;
import static dev.portcullis.testing.PythonClients.wheel;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Role;
import dev.portcullis.publish.Release;
import dev.portcullis.testing.CliRunner;
import dev.portcullis.testing.Processes;
import dev.portcullis.testing.PythonClients;
import dev.portcullis.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The foundation's promise, end to end with the real clients: a project built with {@code python3
 * -m build} and uploaded with twine is held and invisible to pip; once approved through the CLI,
 * pip installs it and it imports. Runs on SQLite and on PostgreSQL.
 */
class PypiEndToEndTest {

    private static final String PROJECT = "portcullis-sample";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void twineUploadIsHeldUntilApprovedThenPipInstallsIt(String database) throws Exception {
        Path dist = PythonClients.buildSample(PROJECT, "1.0.0");
        try (TestServer server = TestServer.start(database, dir.resolve("data"))) {
            String uploadToken = server.token("ci", Role.MAINTAINER, PROJECT, Permission.UPLOAD);

            Processes.Result upload = twineUpload(server.url(), uploadToken, wheel(dist), sdist(dist));
            assertThat(upload.exitCode()).as(upload.output()).isZero();

            Processes.Result whileHeld = pipInstall(server.url(), dir.resolve("site-held"), PROJECT);
            assertThat(whileHeld.exitCode()).as(whileHeld.output()).isNotZero();
            assertThat(whileHeld.output()).contains("No matching distribution found for " + PROJECT);
            assertThat(get(server, "/files/" + PROJECT + "/" + wheel(dist).getFileName())
                            .statusCode())
                    .isEqualTo(404);
            assertThat(get(server, "/simple/" + PROJECT + "/").statusCode()).isEqualTo(404);

            CliRunner.Output refused = cli(
                    "release",
                    "approve",
                    PROJECT,
                    "1.0.0",
                    "--server",
                    server.url(),
                    "--token",
                    uploadToken,
                    "--otp",
                    "123456");
            assertThat(refused.code()).isEqualTo(1);
            assertThat(refused.err()).contains("may not approve");

            CliRunner.Output approved = cli(
                    "release",
                    "approve",
                    PROJECT,
                    "1.0.0",
                    "--server",
                    server.url(),
                    "--token",
                    server.adminToken(),
                    "--otp",
                    server.admin().otp());
            assertThat(approved.code()).as(approved.err()).isZero();
            assertThat(approved.out()).contains(PROJECT + " 1.0.0: released");

            Path site = dir.resolve("site");
            Processes.Result install = pipInstall(server.url(), site, PROJECT);
            assertThat(install.exitCode()).as(install.output()).isZero();
            Processes.Result imported = importAndPrintVersion(site, PythonClients.moduleOf(PROJECT));
            assertThat(imported.output().trim()).isEqualTo("1.0.0");

            // A CI retry of the same files succeeds without changing anything (twine treats 200 as done).
            Processes.Result retry = twineUpload(server.url(), uploadToken, wheel(dist), sdist(dist));
            assertThat(retry.exitCode()).as(retry.output()).isZero();
            assertThat(server.events("UploadStaged")).isEqualTo(2);
            assertThat(server.events("ReleaseApproved")).isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void indexServesPep691Pep700Pep714AndYankMarkers(String database) throws Exception {
        Path dist = PythonClients.buildSample(PROJECT, "1.0.0");
        Path dist2 = PythonClients.buildSample(PROJECT, "1.1.0");
        try (TestServer server = TestServer.start(database, dir.resolve("data"))) {
            String token = server.token("ci", Role.MAINTAINER, PROJECT, Permission.UPLOAD);
            assertThat(twineUpload(server.url(), token, wheel(dist), sdist(dist))
                            .exitCode())
                    .isZero();
            assertThat(twineUpload(server.url(), token, wheel(dist2)).exitCode())
                    .isZero();
            Instant beforeApproval = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            assertThat(cli(
                                    "release",
                                    "approve",
                                    PROJECT,
                                    "1.0.0",
                                    "--server",
                                    server.url(),
                                    "--token",
                                    server.adminToken(),
                                    "--otp",
                                    server.admin().otp())
                            .code())
                    .isZero();

            HttpResponse<String> json = get(server, "/simple/" + PROJECT + "/", "application/vnd.pypi.simple.v1+json");
            assertThat(json.headers().firstValue("Content-Type")).hasValue("application/vnd.pypi.simple.v1+json");
            assertThat(json.headers().firstValue("Vary")).hasValue("Accept");
            JsonNode page = JSON.readTree(json.body());
            assertThat(page.path("name").asText()).isEqualTo(PROJECT);
            assertThat(page.path("versions").toString()).isEqualTo("[\"1.0.0\"]"); // 1.1.0 is still held
            assertThat(page.path("files")).hasSize(2);
            JsonNode wheelEntry =
                    page.path("files").get(0).path("filename").asText().endsWith(".whl")
                            ? page.path("files").get(0)
                            : page.path("files").get(1);
            Release release = server.app().catalog().findRelease(PROJECT, "1").orElseThrow();
            assertThat(Instant.parse(wheelEntry.path("upload-time").asText())).isEqualTo(release.decidedAt());
            assertThat(release.decidedAt()).isAfterOrEqualTo(beforeApproval);
            assertThat(wheelEntry.path("size").asLong()).isEqualTo(Files.size(wheel(dist)));
            assertThat(wheelEntry.path("hashes").path("sha256").asText())
                    .isEqualTo(dev.portcullis.testing.Uploads.sha256(Files.readAllBytes(wheel(dist))));

            String metadataHash =
                    wheelEntry.path("core-metadata").path("sha256").asText();
            HttpResponse<String> metadata = get(server, wheelEntry.path("url").asText() + ".metadata");
            assertThat(metadata.statusCode()).isEqualTo(200);
            assertThat(metadata.body()).contains("Name: " + PROJECT).contains("Version: 1.0.0");
            assertThat(dev.portcullis.testing.Uploads.sha256(
                            metadata.body().getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                    .isEqualTo(metadataHash);

            HttpResponse<String> html = get(server, "/simple/" + PROJECT + "/", "text/html");
            assertThat(html.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
            assertThat(html.body())
                    .contains("data-core-metadata=\"sha256=" + metadataHash + "\"")
                    .contains("data-requires-python=\"&gt;=3.8\"");

            assertThat(get(server, "/simple/Portcullis_Sample/").statusCode()).isEqualTo(301);
            HttpResponse<String> api = get(server, "/pypi/" + PROJECT + "/json");
            assertThat(JSON.readTree(api.body()).path("info").path("version").asText())
                    .isEqualTo("1.0.0");

            HttpResponse<String> range = HTTP.send(
                    HttpRequest.newBuilder(URI.create(
                                    server.url() + wheelEntry.path("url").asText()))
                            .header("Range", "bytes=0-3")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(range.statusCode()).isEqualTo(206);
            assertThat(range.body()).startsWith("PK");

            // Yank (PEP 592): marked in both formats; pip skips it unless pinned exactly.
            assertThat(cli(
                                    "release",
                                    "approve",
                                    PROJECT,
                                    "1.1.0",
                                    "--server",
                                    server.url(),
                                    "--token",
                                    server.adminToken(),
                                    "--otp",
                                    server.admin().otp())
                            .code())
                    .isZero();
            assertThat(cli(
                                    "release",
                                    "yank",
                                    PROJECT,
                                    "1.1.0",
                                    "--reason",
                                    "broken build",
                                    "--server",
                                    server.url(),
                                    "--token",
                                    server.adminToken(),
                                    "--otp",
                                    server.admin().otp())
                            .code())
                    .isZero();
            JsonNode yanked =
                    JSON.readTree(get(server, "/simple/" + PROJECT + "/", "application/vnd.pypi.simple.v1+json")
                            .body());
            assertThat(yanked.path("files").get(2).path("yanked").asText()).isEqualTo("broken build");
            assertThat(yanked.path("files").get(0).path("yanked").asBoolean()).isFalse();
            assertThat(get(server, "/simple/" + PROJECT + "/", "text/html").body())
                    .contains("data-yanked=\"broken build\"");
            Path unpinned = dir.resolve("unpinned");
            assertThat(pipInstall(server.url(), unpinned, PROJECT).exitCode()).isZero();
            assertThat(importAndPrintVersion(unpinned, PythonClients.moduleOf(PROJECT))
                            .output()
                            .trim())
                    .isEqualTo("1.0.0");
            Path pinned = dir.resolve("pinned");
            Processes.Result pinnedInstall = pipInstall(server.url(), pinned, PROJECT + "==1.1.0");
            assertThat(pinnedInstall.exitCode()).as(pinnedInstall.output()).isZero();
            assertThat(importAndPrintVersion(pinned, PythonClients.moduleOf(PROJECT))
                            .output()
                            .trim())
                    .isEqualTo("1.1.0");
        }
    }

    private static CliRunner.Output cli(String... args) {
        return CliRunner.run(args);
    }

    private static HttpResponse<String> get(TestServer server, String path) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(server.url() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(TestServer server, String path, String accept) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(server.url() + path))
                        .header("Accept", accept)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
