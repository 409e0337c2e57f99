package dev.portcullis.registry.maven;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Role;
import dev.portcullis.testing.CliRunner;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestData;
import dev.portcullis.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Maven's Sigstore bundles: the real sigstore-java 2.0.0 jar and the {@code .sigstore.json} its
 * release workflow published beside it on Maven Central, deployed as the sigstore-maven-plugin
 * deploys them. The bundle is verified against the jar and recorded as the jar's provenance before
 * it is stored; matched to the project's trusted publisher and its build rules; a tampered one is
 * refused and nothing changes.
 */
class MavenSigstoreTest {

    private static final String PROJECT = "maven:dev.sigstore:sigstore-java";
    private static final Path JAR = Path.of(
            System.getProperty("user.home"),
            ".m2",
            "repository",
            "dev/sigstore/sigstore-java/2.0.0/sigstore-java-2.0.0.jar");

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                " | ",
                "--trigger=release | trigger: started by workflow_dispatch, the publisher allows release",
                "--owner-id 1 | owner id: the repository's owner has id 71096353, the publisher's 1"
            })
    void theBundleIsTheJarsProvenance(String rules, String broken) throws Exception {
        byte[] bundle = Files.readAllBytes(TestData.path("maven-sigstore/sigstore-java-2.0.0.jar.sigstore.json"));
        try (TestServer server = TestServer.start(
                "sqlite",
                dir.resolve("data"),
                settings ->
                        settings.withSigstoreTrustedRoot(TestData.path("sigstore-trust-roots/trusted_root.json")))) {
            List<String> args = new ArrayList<>(List.of(
                    "publisher",
                    "add",
                    PROJECT,
                    "--github",
                    "sigstore/sigstore-java",
                    "--workflow",
                    "release-sigstore-java-from-tag.yaml",
                    "--otp",
                    server.admin().otp(),
                    "--server",
                    server.url(),
                    "--token",
                    server.adminToken()));
            String ownerId = "71096353";
            if (rules != null && rules.startsWith("--owner-id")) {
                ownerId = rules.split(" ")[1];
            } else if (rules != null) {
                args.add(rules);
            }
            args.addAll(List.of("--owner-id", ownerId));
            CliRunner.Output added = CliRunner.run(args.toArray(String[]::new));
            assertThat(added.code()).as(added.err()).isZero();
            String token = server.token("ci", Role.MAINTAINER, PROJECT, Permission.UPLOAD);
            String pom = "<project><modelVersion>4.0.0</modelVersion><groupId>dev.sigstore</groupId>"
                    + "<artifactId>sigstore-java</artifactId><version>2.0.0</version></project>";
            assertThat(put(server, token, "sigstore-java-2.0.0.pom", pom.getBytes(StandardCharsets.UTF_8))
                            .status())
                    .isEqualTo(201);
            assertThat(put(server, token, "sigstore-java-2.0.0.jar", Files.readAllBytes(JAR))
                            .status())
                    .isEqualTo(201);

            // A tampered bundle (one byte of the signature) is refused, and nothing changes.
            String text = new String(bundle, StandardCharsets.UTF_8);
            int at = text.indexOf("\"signature\": \"") + "\"signature\": \"".length() + 10;
            String tampered = text.substring(0, at) + (text.charAt(at) == 'A' ? 'B' : 'A') + text.substring(at + 1);
            TestServer.Snapshot before = server.snapshot();
            RawHttp.Response refused = put(
                    server, token, "sigstore-java-2.0.0.jar.sigstore.json", tampered.getBytes(StandardCharsets.UTF_8));
            assertThat(refused.status()).as(refused.body()).isEqualTo(400);
            assertThat(refused.body())
                    .contains(
                            "The attestations cannot be accepted: Sigstore verification failed: Artifact signature was not valid");
            assertThat(server.snapshot()).isEqualTo(before);

            RawHttp.Response accepted = put(server, token, "sigstore-java-2.0.0.jar.sigstore.json", bundle);
            assertThat(accepted.status()).as(accepted.body()).isEqualTo(201);
            assertThat(MavenContractTest.MavenArtifacts.endDeployment(server, token, "dev.sigstore", "sigstore-java"))
                    .isEqualTo(201);
            JsonNode release = server.release(PROJECT, "2.0.0");
            assertThat(release.path("files").findValuesAsText("filename"))
                    .contains("sigstore-java-2.0.0.jar.sigstore.json");
            JsonNode jar = null;
            for (JsonNode f : release.path("files")) {
                if (f.path("filename").asText().equals("sigstore-java-2.0.0.jar")) {
                    jar = f;
                }
            }
            assertThat(jar).isNotNull();
            assertThat(jar.path("provenance").path("signer").asText())
                    .isEqualTo("https://github.com/sigstore/sigstore-java/.github/workflows/"
                            + "release-sigstore-java-from-tag.yaml@refs/tags/v2.0.0");
            if (broken == null) {
                assertThat(jar.path("provenance").path("status").asText()).isEqualTo("verified");
            } else {
                assertThat(jar.path("provenance").path("status").asText()).isEqualTo("unverified");
                assertThat(release.path("decision").path("reasons").toString())
                        .contains("but from a build it does not allow: " + broken)
                        .contains("high signal from provenance");
            }
            List<dev.portcullis.events.RecordedEvent> recorded =
                    server.app().events().list(PROJECT, "ProvenanceRecorded", 0, 10);
            assertThat(recorded).hasSize(1);
            assertThat(recorded.getFirst().subject()).isEqualTo("sigstore-java-2.0.0.jar");
            assertThat(recorded.getFirst().details())
                    .contains("\"provenance\":\"" + (broken == null ? "verified" : "unverified") + "\"")
                    .contains("release-sigstore-java-from-tag.yaml@refs/tags/v2.0.0");
            RawHttp.Response again = put(server, token, "sigstore-java-2.0.0.jar.sigstore.json", bundle);
            assertThat(again.status())
                    .as("the same bundle again changes nothing")
                    .isEqualTo(200);
        }
    }

    /** A release with a verified bundle, then one without any: the downgrade is named (only the jar carries provenance). */
    @org.junit.jupiter.api.Test
    void aReleaseWithoutTheProvenanceItsPreviousHadIsADowngrade() throws Exception {
        byte[] bundle = Files.readAllBytes(TestData.path("maven-sigstore/sigstore-java-2.0.0.jar.sigstore.json"));
        try (TestServer server = TestServer.start(
                "sqlite",
                dir.resolve("data"),
                settings ->
                        settings.withSigstoreTrustedRoot(TestData.path("sigstore-trust-roots/trusted_root.json")))) {
            CliRunner.Output added = CliRunner.run(
                    "publisher",
                    "add",
                    PROJECT,
                    "--github",
                    "sigstore/sigstore-java",
                    "--owner-id",
                    "71096353",
                    "--workflow",
                    "release-sigstore-java-from-tag.yaml",
                    "--otp",
                    server.admin().otp(),
                    "--server",
                    server.url(),
                    "--token",
                    server.adminToken());
            assertThat(added.code()).as(added.err()).isZero();
            String token = server.token("ci", Role.MAINTAINER, PROJECT, Permission.UPLOAD);
            byte[] jar = Files.readAllBytes(JAR);
            for (String version : List.of("2.0.0", "2.0.1")) {
                String pom = "<project><modelVersion>4.0.0</modelVersion><groupId>dev.sigstore</groupId>"
                        + "<artifactId>sigstore-java</artifactId><version>" + version + "</version></project>";
                assertThat(put(
                                        server,
                                        token,
                                        version,
                                        "sigstore-java-" + version + ".pom",
                                        pom.getBytes(StandardCharsets.UTF_8))
                                .status())
                        .isEqualTo(201);
                assertThat(put(server, token, version, "sigstore-java-" + version + ".jar", jar)
                                .status())
                        .isEqualTo(201);
                if (version.equals("2.0.0")) {
                    assertThat(put(server, token, version, "sigstore-java-2.0.0.jar.sigstore.json", bundle)
                                    .status())
                            .isEqualTo(201);
                }
                assertThat(MavenContractTest.MavenArtifacts.endDeployment(
                                server, token, "dev.sigstore", "sigstore-java"))
                        .isEqualTo(201);
                if (version.equals("2.0.0")) {
                    assertThat(server.approve(PROJECT, "2.0.0").status()).isEqualTo(200);
                }
            }
            String reasons = server.release(PROJECT, "2.0.1")
                    .path("decision")
                    .path("reasons")
                    .toString();
            assertThat(reasons)
                    .contains(
                            "high signal from provenance: provenance downgrade: 2.0.0 had verified provenance from the"
                                    + " trusted publisher ([sigstore-java-2.0.0.jar]), 2.0.1 has none");
        }
    }

    private static RawHttp.Response put(TestServer server, String token, String file, byte[] body) {
        return put(server, token, "2.0.0", file, body);
    }

    private static RawHttp.Response put(TestServer server, String token, String version, String file, byte[] body) {
        return RawHttp.send(
                server.url(),
                "PUT",
                "/maven2/dev/sigstore/sigstore-java/" + version + "/" + file,
                Map.of("Authorization", RawHttp.basic(token)),
                body);
    }
}
