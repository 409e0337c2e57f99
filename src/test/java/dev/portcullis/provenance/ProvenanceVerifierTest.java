package dev.portcullis.provenance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every real PEP 740 vector in src/test/resources/testdata/pep740 verifies offline with its trusted root
 * and signer; each one thing changed — a byte of the artifact, the file name, the identity, the
 * issuer, the trusted root, the DSSE signature, the transparency-log entry — fails with a reason.
 */
class ProvenanceVerifierTest {

    private static final Path TESTDATA = TestData.path("");
    private static final String GITHUB = "https://token.actions.githubusercontent.com";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static ProvenanceVerifier production;
    private static ProvenanceVerifier staging;

    @BeforeAll
    static void trustedRoots() {
        production = new ProvenanceVerifier(
                TESTDATA.resolve("sigstore-trust-roots/trusted_root.json"), java.time.Clock.systemUTC());
        staging = new ProvenanceVerifier(
                TESTDATA.resolve("sigstore-trust-roots/staging_trusted_root.json"), java.time.Clock.systemUTC());
    }

    private static Path file(String name) {
        return TESTDATA.resolve("pep740").resolve(name);
    }

    private static Pep740Attestation attestation(String name) throws Exception {
        return Pep740Attestation.parse(Files.readString(file(name)));
    }

    @ParameterizedTest
    @CsvSource({
        "pypi_attestations-0.0.19.tar.gz, .publish.attestation, production, https://github.com/trailofbits/pypi-attestations/.github/workflows/release.yml@refs/tags/v0.0.19, "
                + GITHUB,
        "pypi_attestations-0.0.19.tar.gz, .slsa.attestation, production, https://github.com/trailofbits/pypi-attestations/.github/workflows/release.yml@refs/tags/v0.0.19, "
                + GITHUB,
        "pypi_attestation_models-0.0.4a2.tar.gz, .attestation, production, https://github.com/trailofbits/pypi-attestation-models/.github/workflows/release.yml@refs/tags/v0.0.4a2, "
                + GITHUB,
        "gitlab_oidc_project-0.0.3.tar.gz, .publish.attestation, production, https://gitlab.com/facutuesca/gitlab-oidc-project//.gitlab-ci.yml@refs/heads/main, https://gitlab.com",
        "rfc8785-0.1.2-py3-none-any.whl, .publish.attestation, staging, william@yossarian.net, https://github.com/login/oauth",
        "rfc8785-0.1.2-py3-none-any.whl, .attestation, staging, william@yossarian.net, https://github.com/login/oauth",
    })
    void everyRealVectorVerifies(String artifact, String suffix, String root, String identity, String issuer)
            throws Exception {
        ProvenanceVerifier verifier = root.equals("production") ? production : staging;
        ProvenanceVerifier.Result result = verify(
                verifier,
                attestation(artifact + suffix),
                artifact,
                file(artifact),
                ExpectedIdentity.exactly(identity, issuer));
        assertThat(result).isInstanceOf(ProvenanceVerifier.Verified.class);
        assertThat(((ProvenanceVerifier.Verified) result).identity()).isEqualTo(identity);
    }

    @Test
    void theGithubVectorRecordsItsSourceAndMatchesTheWorkflowAtAnyRef() throws Exception {
        ProvenanceVerifier.Result result = verify(
                production,
                attestation("pypi_attestations-0.0.19.tar.gz.publish.attestation"),
                "pypi_attestations-0.0.19.tar.gz",
                file("pypi_attestations-0.0.19.tar.gz"),
                ExpectedIdentity.githubWorkflow("trailofbits", "pypi-attestations", "release.yml"));
        ProvenanceVerifier.Verified verified = (ProvenanceVerifier.Verified) result;
        assertThat(verified.predicateType()).isEqualTo("https://docs.pypi.org/attestations/publish/v1");
        assertThat(verified.source())
                .containsEntry("source_repository_uri", "https://github.com/trailofbits/pypi-attestations")
                .containsEntry("source_repository_ref", "refs/tags/v0.0.19")
                .containsKey("source_repository_digest");
    }

    @Test
    void plainSigstoreBundlesVerify() throws Exception {
        assertThat(staging.verifyBundle(
                        Files.readString(file("rfc8785-0.1.2-py3-none-any.whl.sigstore")),
                        file("rfc8785-0.1.2-py3-none-any.whl"),
                        ExpectedIdentity.exactly("william@yossarian.net", "https://github.com/login/oauth")))
                .isInstanceOf(ProvenanceVerifier.Verified.class);
        assertThat(production.verifyBundle(
                        Files.readString(file("pypi_attestation_models-0.0.4a2.tar.gz.sigstore")),
                        file("pypi_attestation_models-0.0.4a2.tar.gz"),
                        ExpectedIdentity.githubWorkflow("trailofbits", "pypi-attestation-models", "release.yml")))
                .isInstanceOf(ProvenanceVerifier.Verified.class);
    }

    @Test
    void eachChangeFailsWithAReason() throws Exception {
        String name = "pypi_attestations-0.0.19.tar.gz";
        Pep740Attestation good = attestation(name + ".publish.attestation");
        ExpectedIdentity signer = ExpectedIdentity.githubWorkflow("trailofbits", "pypi-attestations", "release.yml");
        Path dir = Files.createTempDirectory("provenance");

        byte[] bytes = Files.readAllBytes(file(name));
        bytes[bytes.length / 2] ^= 1;
        Path altered = Files.write(dir.resolve(name), bytes);
        assertFailed(verify(production, good, name, altered, signer), "digest");

        assertFailed(
                verify(production, good, "pypi_attestations-0.0.20.tar.gz", file(name), signer),
                "not pypi_attestations-0.0.20.tar.gz");
        assertFailed(
                verify(
                        production,
                        good,
                        name,
                        file(name),
                        ExpectedIdentity.githubWorkflow("trailofbits", "pypi-attestations", "ci.yml")),
                "the certificate names another signer than expected");
        assertFailed(
                verify(
                        production,
                        good,
                        name,
                        file(name),
                        ExpectedIdentity.exactly(
                                "https://github.com/trailofbits/pypi-attestations/.github/workflows/release.yml@refs/tags/v0.0.19",
                                "https://gitlab.com")),
                "the certificate names another signer than expected");
        assertFailed(
                verify(staging, good, name, file(name), signer),
                "the signing certificate is not from the trusted Fulcio");

        byte[] signature = Base64.getDecoder().decode(good.signature());
        signature[signature.length - 5] ^= 1;
        assertFailed(
                verify(
                        production,
                        new Pep740Attestation(
                                good.certificate(),
                                good.transparencyEntries(),
                                good.statement(),
                                Base64.getEncoder().encodeToString(signature)),
                        name,
                        file(name),
                        signer),
                "the DSSE signature is not valid");

        ObjectNode entry = good.transparencyEntries().get(0).deepCopy();
        entry.put(
                "integratedTime",
                String.valueOf(Long.parseLong(entry.path("integratedTime").asText()) + 60));
        assertFailed(
                verify(
                        production,
                        new Pep740Attestation(
                                good.certificate(),
                                JSON.createArrayNode().add(entry),
                                good.statement(),
                                good.signature()),
                        name,
                        file(name),
                        signer),
                "the signed entry timestamp is not the log's signature");
    }

    @Test
    void malformedAttestationsAreRefusedWhenParsed() {
        for (String bad : new String[] {
            "",
            "[]",
            "{\"version\": 2}",
            "{\"version\": 1, \"envelope\": {}}",
            "{\"version\": 1, \"verification_material\": {\"certificate\": \"x\", \"transparency_entries\": []}, \"envelope\": {\"statement\": \"e30=\", \"signature\": \"x\"}}"
        }) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> Pep740Attestation.parse(bad))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    /** Verifies with PyPI's rule for subject names (PEP 740: distribution names compare after normalization). */
    private static ProvenanceVerifier.Result verify(
            ProvenanceVerifier verifier,
            Pep740Attestation attestation,
            String name,
            Path file,
            ExpectedIdentity expected) {
        return verifier.verifyAttestation(attestation, name, file, expected, subject -> PYPI.namesFile(subject, name));
    }

    private static final dev.portcullis.registry.pypi.PypiEcosystem PYPI =
            new dev.portcullis.registry.pypi.PypiEcosystem();

    @Test
    void theCliVerifiesDetachedAndExitsNonZeroOtherwise() {
        String name = "pypi_attestations-0.0.19.tar.gz";
        String[] common = {
            "provenance",
            "verify",
            "--artifact",
            file(name).toString(),
            "--attestation",
            file(name + ".publish.attestation").toString(),
            "--issuer",
            GITHUB,
            "--trusted-root",
            TESTDATA.resolve("sigstore-trust-roots/trusted_root.json").toString()
        };
        dev.portcullis.testing.CliRunner.Output ok = dev.portcullis.testing.CliRunner.run(concat(
                common,
                "--identity-regex",
                "^https://github\\.com/trailofbits/pypi-attestations/\\.github/workflows/release\\.yml@.*$"));
        assertThat(ok.code()).as(ok.out() + ok.err()).isZero();
        assertThat(ok.out())
                .contains("VERIFIED pypi_attestations-0.0.19.tar.gz")
                .containsPattern("source ref +refs/tags/v0.0.19")
                .containsPattern("source digest +08802efe1f8e5fec4ad842d6b8ce97656092ee72");
        dev.portcullis.testing.CliRunner.Output wrong = dev.portcullis.testing.CliRunner.run(concat(
                common,
                "--identity",
                "https://github.com/mallory/pypi-attestations/.github/workflows/release.yml@refs/tags/v0.0.19"));
        assertThat(wrong.code()).isEqualTo(1);
        assertThat(wrong.out())
                .startsWith("NOT VERIFIED pypi_attestations-0.0.19.tar.gz: the certificate names another signer");
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static void assertFailed(ProvenanceVerifier.Result result, String reason) {
        assertThat(result).isInstanceOf(ProvenanceVerifier.Failed.class);
        assertThat(((ProvenanceVerifier.Failed) result).reason()).contains(reason);
    }
}
