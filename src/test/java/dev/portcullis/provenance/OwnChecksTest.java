package dev.portcullis.provenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checks Portcullis makes beyond sigstore-java 2.0.0 (docs/PROVENANCE.md), each on its own,
 * on real bundles from the Sigstore conformance suite with one thing changed: the trusted root's
 * validity starts, the verifier's clock, a log key's validity, the checkpoint signer's name.
 */
class OwnChecksTest {

    private static final Path CASES = Path.of("src/test/resources/testdata/sigstore-conformance");
    private static final Path PRODUCTION =
            Path.of("src/test/resources/testdata/sigstore-trust-roots/trusted_root.json");
    private static final String BEACON =
            "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/"
                    + ".github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
    private static final ExpectedIdentity EXPECTED =
            ExpectedIdentity.exactly(BEACON, "https://token.actions.githubusercontent.com");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aTrustedRootMustStateWhenEachKeyBecameValid() throws IOException {
        assertThat(TrustedRootFile.problems(Files.readAllBytes(PRODUCTION))).isEmpty();
        ObjectNode root = (ObjectNode) JSON.readTree(PRODUCTION.toFile());
        ((ObjectNode) root.path("ctlogs").get(0).path("publicKey").path("validFor")).remove("start");
        ((ObjectNode) root.path("certificateAuthorities").get(1).path("validFor")).remove("start");
        assertThat(TrustedRootFile.problems(JSON.writeValueAsBytes(root)))
                .hasSize(2)
                .anySatisfy(p -> assertThat(p).startsWith("CT log").contains("no validFor.start"))
                .anySatisfy(
                        p -> assertThat(p).startsWith("certificate authority").contains("no validFor.start"));
        Path file = dir.resolve("root.json");
        JSON.writeValue(file.toFile(), root);
        assertThatThrownBy(() -> new ProvenanceVerifier(file, Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is malformed: CT log");
        assertThat(TrustedRootFile.problems("[1]".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .containsExactly("it is not a JSON object");
    }

    @Test
    void aLogTimeAfterNowIsRefused() throws IOException {
        // The two bundles were logged in 2024; a verifier whose clock says 2023 refuses them, for the
        // message signature (sigstore-java's path, our check after it) and the DSSE envelope (ours) alike.
        Clock before = Clock.fixed(Instant.parse("2023-01-01T00:00:00Z"), ZoneOffset.UTC);
        for (String name : new String[] {"happy-path-v0.3", "happy-path-intoto-in-dsse-v3"}) {
            String bundle = Files.readString(CASES.resolve(name).resolve("bundle.sigstore.json"));
            assertThat(new ProvenanceVerifier(PRODUCTION, Clock.systemUTC())
                            .verifyBundle(bundle, CASES.resolve("a.txt"), EXPECTED))
                    .isInstanceOf(ProvenanceVerifier.Verified.class);
            assertThat(new ProvenanceVerifier(PRODUCTION, before)
                            .verifyBundle(bundle, CASES.resolve("a.txt"), EXPECTED))
                    .isInstanceOfSatisfying(
                            ProvenanceVerifier.Failed.class,
                            f -> assertThat(f.reason()).as(name).contains("later than now (2023-01-01T00:00:00Z)"));
        }
    }

    @Test
    void theLogsKeyMustHaveBeenValidWhenItLoggedTheEntry() throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(PRODUCTION.toFile());
        ((ObjectNode) root.path("tlogs").get(0).path("publicKey").path("validFor")).put("end", "2022-01-01T00:00:00Z");
        Path file = dir.resolve("ended.json");
        JSON.writeValue(file.toFile(), root);
        String bundle =
                Files.readString(CASES.resolve("happy-path-intoto-in-dsse-v3").resolve("bundle.sigstore.json"));
        assertThat(new ProvenanceVerifier(file, Clock.systemUTC())
                        .verifyBundle(bundle, CASES.resolve("a.txt"), EXPECTED))
                .isInstanceOfSatisfying(
                        ProvenanceVerifier.Failed.class,
                        f -> assertThat(f.reason())
                                .startsWith(
                                        "no transparency log of the trusted root with this entry's log id had a valid key"));
    }

    @Test
    void aCheckpointIsSignedUnderItsOriginsName() {
        assertThat(LogEntryVerifier.keyName("rekor.sigstore.dev - 1193050959916656506"))
                .isEqualTo("rekor.sigstore.dev");
        assertThat(LogEntryVerifier.keyName("localhost:8000 - 124190645164477")).isEqualTo("localhost:8000");
        assertThat(LogEntryVerifier.keyName("log2025-1.rekor.sigstore.dev")).isEqualTo("log2025-1.rekor.sigstore.dev");
    }

    @Test
    void aCheckpointSignedUnderAnotherNameIsNotTheLogs() throws IOException {
        // The custom-root in-toto case, its checkpoint's signer renamed: the signature no longer counts.
        Path source = CASES.resolve("intoto-with-custom-trust-root");
        String bundle = Files.readString(source.resolve("bundle.sigstore.json"));
        assertThat(verifyCustom(source, bundle)).isInstanceOf(ProvenanceVerifier.Verified.class);
        String renamed = bundle.replace("\\u2014 localhost:8000 ", "\\u2014 localhost:8001 ")
                .replace("— localhost:8000 ", "— localhost:8001 ");
        assertThat(renamed).isNotEqualTo(bundle);
        assertThat(verifyCustom(source, renamed))
                .isInstanceOfSatisfying(
                        ProvenanceVerifier.Failed.class,
                        f -> assertThat(f.reason())
                                .isEqualTo("the checkpoint carries no valid signature by the log (localhost:8000)"));
    }

    @Test
    void aGitHubCertificateThatDoesNotNameTheOwnerOrTheStartedWorkflowFailsClosed() {
        dev.portcullis.identity.TrustedPublisher github =
                new dev.portcullis.identity.TrustedPublisher.GitHub("acme", "4242", "widget", "release.yml", null);
        java.util.Map<String, String> full = new java.util.HashMap<>(java.util.Map.of(
                "source_repository_owner_id", "4242",
                "build_config_uri", "https://github.com/acme/widget/.github/workflows/release.yml@refs/tags/v1",
                "build_trigger", "push"));
        assertThat(AttestationChecker.buildMismatch(github, full)).isEmpty();
        java.util.Map<String, String> noOwner = new java.util.HashMap<>(full);
        noOwner.remove("source_repository_owner_id");
        assertThat(AttestationChecker.buildMismatch(github, noOwner))
                .hasValue("owner id: the certificate does not name the repository owner's id");
        java.util.Map<String, String> noWorkflow = new java.util.HashMap<>(full);
        noWorkflow.remove("build_config_uri");
        assertThat(AttestationChecker.buildMismatch(github, noWorkflow))
                .hasValue("workflow: the certificate does not name the workflow that was started");
    }

    private static ProvenanceVerifier.Result verifyCustom(Path source, String bundle) {
        ProvenanceVerifier.Signer signer = ProvenanceVerifier.signer(bundle).orElseThrow();
        return new ProvenanceVerifier(source.resolve("trusted_root.json"), Clock.systemUTC())
                .verifyBundle(
                        bundle,
                        source.resolve("artifact"),
                        ExpectedIdentity.exactly(signer.identity(), signer.issuer()));
    }
}
