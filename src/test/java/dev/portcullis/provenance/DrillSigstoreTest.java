package dev.portcullis.provenance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.store.Sha256;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the drill Sigstore signs verifies by the same verifier as real attestations, against its own
 * trusted root and no other, and carries the run it describes.
 */
class DrillSigstoreTest {

    @TempDir
    Path dir;

    @Test
    void itsAttestationsVerifyAgainstItsRootOnly() throws Exception {
        DrillSigstore sigstore = new DrillSigstore(new SecureRandom());
        Path file = Files.writeString(dir.resolve("drill_x-1.1.0-py3-none-any.whl"), "stand-in wheel");
        DrillSigstore.Run run = new DrillSigstore.Run(
                "portcullis-drill/drill-x",
                "0",
                "release.yml",
                "refs/pull/7/merge",
                "pull_request_target",
                "github-hosted",
                "0123456789abcdef0123456789abcdef01234567");
        String attestation = sigstore.attest(
                file.getFileName().toString(),
                Sha256.hex(file),
                run,
                Clock.systemUTC().instant());
        ProvenanceVerifier drill = ProvenanceVerifier.of(sigstore.trustedRoot(), "the drill root", Clock.systemUTC());
        ProvenanceVerifier.Result result = drill.verifyAttestation(
                Pep740Attestation.parse(attestation),
                file.getFileName().toString(),
                file,
                ExpectedIdentity.githubWorkflow("portcullis-drill", "drill-x", "release.yml"),
                file.getFileName().toString()::equals);
        assertThat(result).isInstanceOfSatisfying(ProvenanceVerifier.Verified.class, v -> {
            assertThat(v.identity())
                    .isEqualTo(
                            "https://github.com/portcullis-drill/drill-x/.github/workflows/release.yml@refs/pull/7/merge");
            assertThat(v.source())
                    .containsEntry("build_trigger", "pull_request_target")
                    .containsEntry("source_repository_ref", "refs/pull/7/merge")
                    .containsEntry("source_repository_owner_id", "0")
                    .containsEntry("runner_environment", "github-hosted");
        });

        ProvenanceVerifier production = new ProvenanceVerifier(
                Path.of("src/test/resources/testdata/sigstore-trust-roots/trusted_root.json"), Clock.systemUTC());
        assertThat(production.verifyAttestation(
                        Pep740Attestation.parse(attestation),
                        file.getFileName().toString(),
                        file,
                        ExpectedIdentity.githubWorkflow("portcullis-drill", "drill-x", "release.yml"),
                        file.getFileName().toString()::equals))
                .isInstanceOfSatisfying(
                        ProvenanceVerifier.Failed.class,
                        f -> assertThat(f.reason())
                                .startsWith("the signing certificate is not from the trusted Fulcio"));
        // Another drill instance (another process) does not trust this one's signatures either.
        assertThat(ProvenanceVerifier.of(
                                new DrillSigstore(new SecureRandom()).trustedRoot(), "another", Clock.systemUTC())
                        .verifyAttestation(
                                Pep740Attestation.parse(attestation),
                                file.getFileName().toString(),
                                file,
                                ExpectedIdentity.githubWorkflow("portcullis-drill", "drill-x", "release.yml"),
                                file.getFileName().toString()::equals))
                .isInstanceOf(ProvenanceVerifier.Failed.class);
        assertThat(new String(sigstore.trustedRoot(), StandardCharsets.UTF_8)).contains(DrillSigstore.REKOR);
    }
}
