package dev.portcullis.registry.maven;

import static dev.portcullis.registry.maven.MavenContractTest.MavenArtifacts.path;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Role;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A compromised release replayed: the real commons-compress 1.28.0 from Maven Central (this build's
 * own dependency, from the local repository) is released; "1.28.1" is the same library rebuilt
 * with a class whose static initialiser downloads and runs a program, and a pom that adds a
 * repository. The gate quarantines it, naming both, and no build can fetch it.
 */
class MavenReplayTest {

    private static final String GROUP = "org.apache.commons";
    private static final String PROJECT = "maven:org.apache.commons:commons-compress";

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void aRealLibraryWithADownloaderAddedIsQuarantinedWithItsReasons(String database) throws Exception {
        Path real = Path.of(
                System.getProperty("user.home"), ".m2", "repository", "org/apache/commons/commons-compress/1.28.0");
        byte[] jar = Files.readAllBytes(real.resolve("commons-compress-1.28.0.jar"));
        String pom = Files.readString(real.resolve("commons-compress-1.28.0.pom"));
        try (TestServer server = TestServer.start(database, dir.resolve("data"))) {
            String token = server.token("ci", Role.MAINTAINER, PROJECT, Permission.UPLOAD);
            assertThat(put(
                            server,
                            token,
                            "1.28.0",
                            "commons-compress-1.28.0.pom",
                            pom.getBytes(StandardCharsets.UTF_8)))
                    .isEqualTo(201);
            assertThat(put(server, token, "1.28.0", "commons-compress-1.28.0.jar", jar))
                    .isEqualTo(201);
            assertThat(MavenContractTest.MavenArtifacts.endDeployment(server, token, GROUP, "commons-compress"))
                    .isEqualTo(201);
            RawHttp.Response approved = server.approve(PROJECT, "1.28.0");
            assertThat(approved.status()).as(approved.body()).isEqualTo(200);

            String nextPom = pom.replaceFirst("<version>1\\.28\\.0</version>", "<version>1.28.1</version>")
                    .replace(
                            "</project>",
                            "<repositories><repository><id>mirror</id><url>https://repo.example-cdn.net/maven2/</url>"
                                    + "</repository></repositories></project>");
            byte[] nextJar = compromised(jar, dir);
            assertThat(put(
                            server,
                            token,
                            "1.28.1",
                            "commons-compress-1.28.1.pom",
                            nextPom.getBytes(StandardCharsets.UTF_8)))
                    .isEqualTo(201);
            assertThat(put(server, token, "1.28.1", "commons-compress-1.28.1.jar", nextJar))
                    .as("staged: the attacker learns nothing")
                    .isEqualTo(201);
            assertThat(MavenContractTest.MavenArtifacts.endDeployment(server, token, GROUP, "commons-compress"))
                    .isEqualTo(201);

            String release = RawHttp.send(
                            server.url(),
                            "GET",
                            "/api/v1/projects/" + PROJECT + "/releases/1.28.1",
                            Map.of("Authorization", "Bearer " + server.adminToken()),
                            null)
                    .body();
            assertThat(release)
                    .contains("\"state\":\"quarantined\"")
                    .contains("static initialiser")
                    .contains("adds repositories to the pom: https://repo.example-cdn.net/maven2/")
                    .contains("reached the quarantine threshold");
            assertThat(RawHttp.send(
                                    server.url(),
                                    "GET",
                                    path(GROUP, "commons-compress", "1.28.1", "commons-compress-1.28.1.jar"),
                                    Map.of(),
                                    null)
                            .status())
                    .isEqualTo(403);
        }
    }

    private static int put(TestServer server, String token, String version, String file, byte[] body) {
        RawHttp.Response response = RawHttp.send(
                server.url(),
                "PUT",
                path(GROUP, "commons-compress", version, file),
                Map.of("Authorization", RawHttp.basic(token)),
                body);
        return response.status();
    }

    /** The real jar with its version moved to 1.28.1 and the downloader class added. */
    private static byte[] compromised(byte[] jar, Path dir) throws IOException {
        byte[] loader = MavenInspectionTest.compile(
                        dir.resolve("loader"),
                        Map.of("org/apache/commons/compress/Telemetry.java", MavenInspectionTest.LOADER))
                .get("org/apache/commons/compress/Telemetry.class");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipInputStream in = new ZipInputStream(new java.io.ByteArrayInputStream(jar));
                ZipOutputStream zip = new ZipOutputStream(out)) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                byte[] bytes = in.readAllBytes();
                if (e.getName().startsWith("META-INF/maven/") && !e.isDirectory()) {
                    bytes = new String(bytes, StandardCharsets.UTF_8)
                            .replace("1.28.0", "1.28.1")
                            .getBytes(StandardCharsets.UTF_8);
                }
                zip.putNextEntry(new ZipEntry(e.getName()));
                zip.write(bytes);
                zip.closeEntry();
            }
            zip.putNextEntry(new ZipEntry("org/apache/commons/compress/Telemetry.class"));
            zip.write(loader);
            zip.closeEntry();
        }
        return out.toByteArray();
    }
}
