package dev.portcullis.registry.npm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Role;
import dev.portcullis.testing.NpmPackages;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * npm's provenance ({@code npm publish --provenance} attaches a Sigstore bundle as {@code
 * <name>-<version>.sigstore}) is verified at publish, with real bundles: one that is genuine but
 * about another file, and real npm provenance too old to verify, are refused in npm's shape with
 * nothing stored; the same tarball without provenance is held as usual.
 */
class NpmProvenanceTest {

    private static final Path TESTDATA = Path.of("src/test/resources/testdata");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void provenanceIsVerifiedAtPublish() throws Exception {
        try (TestServer server = TestServer.start(
                "sqlite",
                dir.resolve("data"),
                settings ->
                        settings.withSigstoreTrustedRoot(TESTDATA.resolve("sigstore-trust-roots/trusted_root.json")))) {
            String token = server.token("ci", Role.MAINTAINER, "npm:sigstore", Permission.UPLOAD);
            byte[] tarball = Files.readAllBytes(TESTDATA.resolve("npm-provenance/sigstore-1.0.0.tgz"));
            Map<String, Object> manifest = NpmPackages.manifestOf(tarball);
            TestServer.Snapshot before = server.snapshot();

            String aboutAnotherFile = Files.readString(
                    TESTDATA.resolve("sigstore-conformance/happy-path-intoto-in-dsse-v3/bundle.sigstore.json"));
            RawHttp.Response other =
                    publish(server, token, NpmPackages.publishBody(manifest, tarball, "latest", aboutAnotherFile));
            assertThat(other.status()).as(other.body()).isEqualTo(400);
            assertThat(JSON.readTree(other.bytes()).path("error").asText())
                    .isEqualTo(
                            "The provenance (.sigstore) cannot be accepted: the statement is about [a.txt], not this file");

            String tooOld = Files.readString(TESTDATA.resolve("npm-provenance/sigstore-1.0.0.sigstore"));
            RawHttp.Response old = publish(server, token, NpmPackages.publishBody(manifest, tarball, "latest", tooOld));
            assertThat(old.status()).isEqualTo(400);
            assertThat(JSON.readTree(old.bytes()).path("error").asText())
                    .startsWith("The provenance (.sigstore) cannot be accepted:")
                    .contains("inclusion proof");

            RawHttp.Response garbage =
                    publish(server, token, NpmPackages.publishBody(manifest, tarball, "latest", "{\"mediaType\": 1}"));
            assertThat(garbage.status()).isEqualTo(400);
            assertThat(server.snapshot()).isEqualTo(before);
            assertThat(server.events("UploadRejected")).isEqualTo(3);

            RawHttp.Response plain = publish(server, token, NpmPackages.publishBody(manifest, tarball, "latest"));
            assertThat(plain.status()).as(plain.body()).isBetween(200, 201);
            assertThat(server.app().catalog().releasedArtifacts("npm:sigstore")).isEmpty(); // held
        }
    }

    private static RawHttp.Response publish(TestServer server, String token, byte[] body) {
        return RawHttp.send(
                server.url(),
                "PUT",
                "/npm/sigstore",
                Map.of("Authorization", "Bearer " + token, "Content-Type", "application/json"),
                body);
    }
}
