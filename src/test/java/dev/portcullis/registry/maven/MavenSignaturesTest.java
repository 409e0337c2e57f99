package dev.portcullis.registry.maven;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.inspect.Finding;
import dev.portcullis.inspect.Inspection;
import dev.portcullis.inspect.Inspector;
import dev.portcullis.inspect.Limits;
import dev.portcullis.inspect.ReleaseDiff;
import dev.portcullis.inspect.Severity;
import dev.portcullis.testing.TestData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Maven's {@code .asc} signatures, real ones from Maven Central: which key signed is read and kept
 * with the file; a release signed by another key than its previous release is a high finding of
 * the release diff; the same key is quiet; a file that is no signature is a finding of its own.
 */
class MavenSignaturesTest {

    private static final MavenFormat FORMAT = new MavenFormat(new MavenEcosystem());
    private static final Path SIGNATURES = TestData.path("maven-signatures");

    @TempDir
    Path dir;

    private static Inspection inspect(Path file) {
        return new Inspector(Limits.DEFAULT, Clock.systemUTC())
                .inspect(file, file.getFileName().toString(), FORMAT);
    }

    private static List<Finding> diff(Inspection before, Inspection after) {
        return ReleaseDiff.between(before, null, after, null, FORMAT, Limits.DEFAULT, Clock.systemUTC())
                .findings()
                .stream()
                .filter(f -> f.rule().equals(MavenFormat.SIGNATURE))
                .toList();
    }

    @Test
    void aChangeOfSigningKeyIsHighAndTheSameKeyIsQuiet() {
        Inspection jsr300 = inspect(SIGNATURES.resolve("jsr305-3.0.0.jar.asc"));
        Inspection jsr301 = inspect(SIGNATURES.resolve("jsr305-3.0.1.jar.asc"));
        assertThat(jsr300.metadata().facts()).containsEntry("signing key", "353A436E043E3145");
        assertThat(jsr301.metadata().facts()).containsEntry("signing key", "59A252FB1199D873");
        assertThat(diff(jsr300, jsr301)).singleElement().satisfies(f -> {
            assertThat(f.severity()).isEqualTo(Severity.HIGH);
            assertThat(f.message())
                    .isEqualTo("is signed with another OpenPGP key (59A252FB1199D873) than the previous release"
                            + " (353A436E043E3145): a new release manager, or someone else's key");
        });

        Inspection cc1271 = inspect(SIGNATURES.resolve("commons-compress-1.27.1.jar.asc"));
        Inspection cc1280 = inspect(SIGNATURES.resolve("commons-compress-1.28.0.jar.asc"));
        assertThat(cc1280.metadata().facts())
                .containsEntry("signing key", "86FDC7E2A11262CB")
                .containsEntry("signing key fingerprint", "2DB4F1EF0FA761ECC4EA935C86FDC7E2A11262CB");
        assertThat(diff(cc1271, cc1280)).isEmpty();
        assertThat(cc1280.findings()).noneMatch(f -> f.rule().equals(MavenFormat.SIGNATURE));
    }

    @Test
    void aFileThatIsNoSignatureIsAFinding() throws Exception {
        Path junk = Files.writeString(
                dir.resolve("demo-1.0.jar.asc"),
                "-----BEGIN PGP SIGNATURE-----\n\nbm90IGEgc2lnbmF0dXJl\n-----END PGP SIGNATURE-----\n",
                StandardCharsets.US_ASCII);
        assertThat(inspect(junk).findings()).anySatisfy(f -> {
            assertThat(f.rule()).isEqualTo(MavenFormat.SIGNATURE);
            assertThat(f.severity()).isEqualTo(Severity.MEDIUM);
            assertThat(f.message()).isEqualTo("the signature is not a readable OpenPGP signature");
        });
    }

    /** Through the gate: 1.0 released signed by one key, 1.1 deployed signed by another is held with the key named. */
    @Test
    void aDeploymentSignedByAnotherKeyIsHeldWithTheKeysNamed() throws Exception {
        String project = "maven:org.example:signed";
        try (dev.portcullis.testing.TestServer server =
                dev.portcullis.testing.TestServer.start("sqlite", dir.resolve("data"))) {
            String token = server.token(
                    "ci", dev.portcullis.identity.Role.MAINTAINER, project, dev.portcullis.identity.Permission.UPLOAD);
            for (String[] release : new String[][] {{"1.0", "jsr305-3.0.0.jar.asc"}, {"1.1", "jsr305-3.0.1.jar.asc"}}) {
                String version = release[0];
                byte[] pom = ("<project><modelVersion>4.0.0</modelVersion><groupId>org.example</groupId>"
                                + "<artifactId>signed</artifactId><version>" + version + "</version></project>")
                        .getBytes(StandardCharsets.UTF_8);
                assertThat(put(server, token, version, "signed-" + version + ".pom", pom))
                        .isEqualTo(201);
                assertThat(put(
                                server,
                                token,
                                version,
                                "signed-" + version + ".pom.asc",
                                Files.readAllBytes(SIGNATURES.resolve(release[1]))))
                        .isEqualTo(201);
                assertThat(MavenContractTest.MavenArtifacts.endDeployment(server, token, "org.example", "signed"))
                        .isEqualTo(201);
                if (version.equals("1.0")) {
                    assertThat(server.approve(project, "1.0").status()).isEqualTo(200);
                }
            }
            String held = dev.portcullis.testing.RawHttp.send(
                            server.url(),
                            "GET",
                            "/api/v1/projects/" + project + "/releases/1.1",
                            java.util.Map.of("Authorization", "Bearer " + server.adminToken()),
                            null)
                    .body();
            assertThat(held)
                    .contains("\"state\":\"held\"")
                    .contains("is signed with another OpenPGP key (59A252FB1199D873) than the previous release"
                            + " (353A436E043E3145)");
        }
    }

    private static int put(
            dev.portcullis.testing.TestServer server, String token, String version, String file, byte[] body) {
        return dev.portcullis.testing.RawHttp.send(
                        server.url(),
                        "PUT",
                        "/maven2/org/example/signed/" + version + "/" + file,
                        java.util.Map.of("Authorization", dev.portcullis.testing.RawHttp.basic(token)),
                        body)
                .status();
    }
}
