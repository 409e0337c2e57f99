package dev.portcullis.registry.maven;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Role;
import dev.portcullis.testing.MavenClient;
import dev.portcullis.testing.Multipart;
import dev.portcullis.testing.Processes;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Central Publisher Portal API with Sonatype's own client: {@code mvn deploy} through the
 * central-publishing-maven-plugin uploads a bundle, which Portcullis stages held and reports
 * VALIDATED (the plugin waits for that); "publish" is an approval with the approver's second
 * factor, after which the deployment is PUBLISHED and the jar resolves. Bad bundles are refused
 * whole, with nothing staged.
 */
class CentralPortalTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void theCentralPublishingPluginUploadsAndPublishingIsAnApproval() throws Exception {
        String group = "test.portcullis.c"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        String project = "maven:" + group + ":demo";
        try (TestServer server = TestServer.start("sqlite", dir.resolve("data"))) {
            String token = server.token("ci", Role.MAINTAINER, project, Permission.UPLOAD);
            MavenClient maven = new MavenClient(dir.resolve("client"), server.url(), token);
            Path build = dev.portcullis.testing.MavenClient.jarProject(
                    dir.resolve("demo"), group, "1.0", maven.repository());
            String pom = Files.readString(build.resolve("pom.xml"));
            Files.writeString(
                    build.resolve("pom.xml"),
                    pom.replace("</pluginManagement>", String.format(java.util.Locale.ROOT, """
                            </pluginManagement>
                                  <plugins>
                                    <plugin>
                                      <groupId>org.sonatype.central</groupId>
                                      <artifactId>central-publishing-maven-plugin</artifactId>
                                      <version>0.9.0</version>
                                      <extensions>true</extensions>
                                      <configuration>
                                        <publishingServerId>portcullis</publishingServerId>
                                        <centralBaseUrl>%s</centralBaseUrl>
                                        <autoPublish>false</autoPublish>
                                        <waitUntil>validated</waitUntil>
                                        <deploymentName>demo %s</deploymentName>
                                      </configuration>
                                    </plugin>
                                  </plugins>""", server.url(), group)));

            Processes.Result deployed = maven.run(build, "deploy", "-Dmaven.install.skip=true");
            assertThat(deployed.exitCode()).as(deployed.output()).isZero();
            assertThat(deployed.output()).contains("Deployment will require manual publishing", "has been validated");
            String id = deployed.output()
                    .lines()
                    .filter(l -> l.contains("Uploaded bundle successfully") && l.contains("deploymentId: "))
                    .map(l -> l.substring(l.indexOf("deploymentId: ") + "deploymentId: ".length())
                            .strip()
                            .split("[\\s.]")[0])
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no deployment id in\n" + deployed.output()));

            JsonNode release = release(server, project);
            assertThat(release.path("state").asText()).isEqualTo("held");
            assertThat(release.path("files").findValuesAsText("filename"))
                    .containsExactlyInAnyOrder("demo-1.0.jar", "demo-1.0.pom");
            JsonNode status = status(server, token, id);
            assertThat(status.path("deploymentState").asText()).isEqualTo("VALIDATED");
            assertThat(status.path("deploymentName").asText()).isEqualTo("demo " + group);
            assertThat(status.path("purls").get(0).asText()).isEqualTo("pkg:maven/" + group + "/demo@1.0");

            // "Publish" with the upload token: an approval it may not give.
            RawHttp.Response byCi = RawHttp.send(
                    server.url(),
                    "POST",
                    "/api/v1/publisher/deployment/" + id,
                    Map.of("Authorization", "Bearer " + token, "X-Portcullis-OTP", "000000"),
                    null);
            assertThat(byCi.status()).isEqualTo(403);
            assertThat(release(server, project).path("state").asText()).isEqualTo("held");

            // The Portal's documented form: Bearer base64(name:secret), with the approver's second factor.
            String portalAuth = java.util.Base64.getEncoder()
                    .encodeToString(("approver:" + server.adminToken()).getBytes(StandardCharsets.UTF_8));
            RawHttp.Response published = RawHttp.send(
                    server.url(),
                    "POST",
                    "/api/v1/publisher/deployment/" + id,
                    Map.of(
                            "Authorization",
                            "Bearer " + portalAuth,
                            "X-Portcullis-OTP",
                            server.admin().otp()),
                    null);
            assertThat(published.status()).as(published.body()).isEqualTo(204);
            assertThat(status(server, token, id).path("deploymentState").asText())
                    .isEqualTo("PUBLISHED");
            assertThat(RawHttp.send(
                                    server.url(),
                                    "GET",
                                    "/maven2/" + group.replace('.', '/') + "/demo/1.0/demo-1.0.jar",
                                    Map.of(),
                                    null)
                            .status())
                    .isEqualTo(200);
            RawHttp.Response isPublished = RawHttp.send(
                    server.url(),
                    "GET",
                    "/api/v1/publisher/published?namespace=" + group + "&name=demo&version=1.0",
                    Map.of("Authorization", "Bearer " + token),
                    null);
            assertThat(JSON.readTree(isPublished.body()).path("published").asBoolean())
                    .isTrue();
        } finally {
            MavenClient.forget(group);
        }
    }

    @Test
    void aBadBundleIsRefusedWholeAndNothingIsStaged() throws Exception {
        try (TestServer server = TestServer.start("sqlite", dir.resolve("data"))) {
            String token = server.token("ci", Role.MAINTAINER, "maven:org.example:demo", Permission.UPLOAD);
            String base = "org/example/demo/1.0/demo-1.0";
            byte[] jar =
                    zip(Map.of("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n".getBytes(StandardCharsets.UTF_8)));
            Map<String, byte[]> good = new LinkedHashMap<>();
            good.put(base + ".pom", pom());
            good.put(base + ".jar", jar);
            good.put(base + ".jar.sha1", MavenFiles.Digests.of(jar).sha1().getBytes(StandardCharsets.US_ASCII));

            Map<String, byte[]> wrongSum = new LinkedHashMap<>(good);
            wrongSum.put(base + ".jar.sha1", "0".repeat(40).getBytes(StandardCharsets.US_ASCII));
            expectRefused(server, token, zip(wrongSum), 400, "the sha1 in " + base + ".jar.sha1 does not match");

            Map<String, byte[]> traversal = new LinkedHashMap<>(good);
            traversal.put("org/example/../../etc/demo/1.0/demo-1.0.jar", jar);
            expectRefused(server, token, zip(traversal), 400, "org/example/../../etc/demo/1.0/demo-1.0.jar");

            Map<String, byte[]> foreign = new LinkedHashMap<>(good);
            foreign.put("org/other/lib/1.0/lib-1.0.jar", jar);
            expectRefused(server, token, zip(foreign), 403, "isn't allowed to upload to project 'org.other:lib'");

            expectRefused(server, token, "PK not a zip".getBytes(StandardCharsets.US_ASCII), 400, "not a zip file");
            long files = server.app()
                    .database()
                    .<Long, RuntimeException>withHandle(h -> h.createQuery("SELECT COUNT(*) FROM release_files")
                            .mapTo(Long.class)
                            .one());
            assertThat(files).isZero();

            RawHttp.Response ok = upload(server, token, zip(good), "USER_MANAGED");
            assertThat(ok.status()).as(ok.body()).isEqualTo(201);
            assertThat(status(server, token, ok.body().strip())
                            .path("deploymentState")
                            .asText())
                    .isEqualTo("VALIDATED");
            RawHttp.Response anonymous = RawHttp.send(
                    server.url(),
                    "POST",
                    "/api/v1/publisher/status?id=" + ok.body().strip(),
                    Map.of(),
                    null);
            assertThat(anonymous.status()).isEqualTo(401);
            String other = server.token("eve", Role.MAINTAINER, "maven:org.other:lib", Permission.UPLOAD);
            assertThat(RawHttp.send(
                                    server.url(),
                                    "POST",
                                    "/api/v1/publisher/status?id=" + ok.body().strip(),
                                    Map.of("Authorization", "Bearer " + other),
                                    null)
                            .status())
                    .as("another project's token does not see the deployment")
                    .isEqualTo(404);

            // Drop: the approver rejects what is held; the deployment FAILED, the version never resolves.
            RawHttp.Response dropped = RawHttp.send(
                    server.url(),
                    "DELETE",
                    "/api/v1/publisher/deployment/" + ok.body().strip(),
                    Map.of(
                            "Authorization",
                            "Bearer " + server.adminToken(),
                            "X-Portcullis-OTP",
                            server.admin().otp()),
                    null);
            assertThat(dropped.status()).as(dropped.body()).isEqualTo(204);
            JsonNode failed = status(server, token, ok.body().strip());
            assertThat(failed.path("deploymentState").asText()).isEqualTo("FAILED");
            assertThat(failed.path("errors").toString()).contains("rejected");
        }
    }

    /** A bundle is small on the wire; what its entries inflate to is bounded by the file size limit. */
    @Test
    void aBundleThatInflatesPastTheLimitIsRefused() throws Exception {
        try (TestServer server = TestServer.start("sqlite", dir.resolve("data"), 64 * 1024)) {
            String token = server.token("ci", Role.MAINTAINER, "maven:org.example:demo", Permission.UPLOAD);
            Map<String, byte[]> bomb = new LinkedHashMap<>();
            bomb.put("org/example/demo/1.0/demo-1.0.pom", pom());
            bomb.put("org/example/demo/1.0/demo-1.0.jar", new byte[1024 * 1024]);
            byte[] bundle = zip(bomb);
            assertThat(bundle.length).isLessThan(64 * 1024);
            expectRefused(server, token, bundle, 413, "org/example/demo/1.0/demo-1.0.jar is larger than 65536 bytes");
        }
    }

    private static void expectRefused(TestServer server, String token, byte[] bundle, int status, String message) {
        RawHttp.Response refused = upload(server, token, bundle, "AUTOMATIC");
        assertThat(refused.status()).as(refused.body()).isEqualTo(status);
        assertThat(refused.body()).contains(message);
    }

    private static RawHttp.Response upload(TestServer server, String token, byte[] bundle, String type) {
        Multipart form = new Multipart().file("bundle", "bundle.zip", bundle);
        return RawHttp.send(
                server.url(),
                "POST",
                "/api/v1/publisher/upload?name=test&publishingType=" + type,
                Map.of(
                        "Authorization",
                        "UserToken "
                                + java.util.Base64.getEncoder()
                                        .encodeToString(("ci:" + token).getBytes(StandardCharsets.UTF_8)),
                        "Content-Type",
                        Multipart.contentType()),
                form.build());
    }

    private static byte[] pom() {
        return """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>org.example</groupId>
                  <artifactId>demo</artifactId>
                  <version>1.0</version>
                </project>
                """.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] zip(Map<String, byte[]> entries) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static JsonNode status(TestServer server, String token, String id) throws Exception {
        RawHttp.Response r = RawHttp.send(
                server.url(),
                "POST",
                "/api/v1/publisher/status?id=" + id,
                Map.of("Authorization", "Bearer " + token),
                null);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static JsonNode release(TestServer server, String project) throws Exception {
        return server.release(project, "1.0");
    }
}
