package dev.portcullis.provenance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Sigstore bundles carrying in-toto statements (the form of npm's provenance), verified step by
 * step against the Sigstore conformance suite's real bundles: the valid ones verify, each invalid
 * one is refused for its own reason.
 */
class StatementBundleTest {

    private static final Path CASES = Path.of("src/test/resources/testdata/sigstore-conformance");
    private static final Path PRODUCTION =
            Path.of("src/test/resources/testdata/sigstore-trust-roots/trusted_root.json");

    @TempDir
    Path dir;

    private static ProvenanceVerifier.Result verify(String name) throws IOException {
        Path root = Files.exists(CASES.resolve(name).resolve("trusted_root.json"))
                ? CASES.resolve(name).resolve("trusted_root.json")
                : PRODUCTION;
        Path artifact = Files.exists(CASES.resolve(name).resolve("artifact"))
                ? CASES.resolve(name).resolve("artifact")
                : CASES.resolve("a.txt");
        String bundle = Files.readString(CASES.resolve(name).resolve("bundle.sigstore.json"));
        ProvenanceVerifier.Signer signer = ProvenanceVerifier.signer(bundle).orElseThrow();
        return new ProvenanceVerifier(root, java.time.Clock.systemUTC())
                .verifyBundle(
                        bundle,
                        artifact,
                        ExpectedIdentity.exactly(signer.identity(), signer.issuer()),
                        subject -> true);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"happy-path-intoto-in-dsse-v3"})
    void validStatementBundlesVerify(String name) throws IOException {
        assertThat(verify(name)).isInstanceOfSatisfying(ProvenanceVerifier.Verified.class, v -> {
            assertThat(v.predicateType()).isEqualTo("https://slsa.dev/provenance/v1");
            assertThat(v.identity()).isNotBlank();
        });
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "dsse-invalid-sig_fail | the DSSE signature is not valid",
                "dsse-mismatch-envelope_fail | the log entry records another",
                "dsse-mismatch-sig_fail | the log entry records another DSSE signature"
            })
    void invalidStatementBundlesAreRefusedForTheirReason(String name, String reason) throws IOException {
        assertThat(verify(name))
                .isInstanceOfSatisfying(
                        ProvenanceVerifier.Failed.class,
                        f -> assertThat(f.reason()).contains(reason));
    }

    @Test
    void theWrongSignerIsRefused() throws IOException {
        String bundle = Files.readString(CASES.resolve("happy-path-intoto-in-dsse-v3/bundle.sigstore.json"));
        ProvenanceVerifier.Result result = new ProvenanceVerifier(PRODUCTION, java.time.Clock.systemUTC())
                .verifyBundle(
                        bundle,
                        CASES.resolve("a.txt"),
                        ExpectedIdentity.githubWorkflow("acme", "widget", "release.yml"),
                        subject -> true);
        assertThat(result)
                .isInstanceOfSatisfying(
                        ProvenanceVerifier.Failed.class,
                        f -> assertThat(f.reason()).contains("another signer"));
        ProvenanceVerifier.Result other = verifyOtherFile(bundle, "not the statement's file\n");
        assertThat(other)
                .isInstanceOfSatisfying(
                        ProvenanceVerifier.Failed.class,
                        f -> assertThat(f.reason()).contains("the statement's sha256 digest for a.txt is"));
    }

    private ProvenanceVerifier.Result verifyOtherFile(String bundle, String content) throws IOException {
        Path file = Files.writeString(dir.resolve("a.txt"), content);
        ProvenanceVerifier.Signer signer = ProvenanceVerifier.signer(bundle).orElseThrow();
        return new ProvenanceVerifier(PRODUCTION, java.time.Clock.systemUTC())
                .verifyBundle(
                        bundle, file, ExpectedIdentity.exactly(signer.identity(), signer.issuer()), subject -> true);
    }

    /** npm names the tarball by SHA-512: every digest the subject lists that can be compared must be the file's. */
    @Test
    void subjectsAreComparedByEachDigestTheyList() throws Exception {
        Path tarball = Files.writeString(dir.resolve("x-1.0.0.tgz"), "tarball bytes");
        String sha512 = java.util.HexFormat.of()
                .formatHex(java.security.MessageDigest.getInstance("SHA-512").digest(Files.readAllBytes(tarball)));
        StatementVerifier.Statement good = new StatementVerifier.Statement(
                "https://slsa.dev/provenance/v1",
                java.util.List.of(new StatementVerifier.Subject("pkg:npm/x@1.0.0", Map.of("sha512", sha512))));
        StatementVerifier.subject(good, tarball, s -> s.equals("pkg:npm/x@1.0.0"));

        StatementVerifier.Statement otherBytes = new StatementVerifier.Statement(
                "https://slsa.dev/provenance/v1",
                java.util.List.of(new StatementVerifier.Subject(
                        "pkg:npm/x@1.0.0",
                        Map.of("sha512", sha512.replace(sha512.charAt(0), sha512.charAt(0) == 'a' ? 'b' : 'a')))));
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> StatementVerifier.subject(otherBytes, tarball, s -> s.equals("pkg:npm/x@1.0.0")))
                .hasMessageContaining("the statement's sha512 digest for pkg:npm/x@1.0.0 is");
        StatementVerifier.Statement noDigest = new StatementVerifier.Statement(
                "https://slsa.dev/provenance/v1",
                java.util.List.of(new StatementVerifier.Subject("pkg:npm/x@1.0.0", Map.of("md5", "00"))));
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> StatementVerifier.subject(noDigest, tarball, s -> true))
                .hasMessageContaining("no SHA-256 or SHA-512 digest");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> StatementVerifier.subject(good, tarball, s -> s.equals("pkg:npm/y@1.0.0")))
                .hasMessageContaining("not this file");
    }

    /** Real npm provenance of 2023 (sigstore 1.0.0, bundle v0.1): no inclusion proof, so it cannot be verified now. */
    @Test
    void oldNpmProvenanceWithoutAnInclusionProofIsRefusedSayingSo() throws IOException {
        Path npm = Path.of("src/test/resources/testdata/npm-provenance");
        ProvenanceVerifier.Result result = new ProvenanceVerifier(PRODUCTION, java.time.Clock.systemUTC())
                .verifyBundle(
                        Files.readString(npm.resolve("sigstore-1.0.0.sigstore")),
                        npm.resolve("sigstore-1.0.0.tgz"),
                        ExpectedIdentity.githubWorkflow("sigstore", "sigstore-js", "publish.yml"),
                        subject -> subject.equals("pkg:npm/sigstore@1.0.0"));
        assertThat(result)
                .isInstanceOfSatisfying(
                        ProvenanceVerifier.Failed.class,
                        f -> assertThat(f.reason())
                                .contains("not a Sigstore bundle")
                                .contains("inclusion proof"));
    }
}
