package dev.portcullis.provenance;

import dev.sigstore.KeylessVerificationException;
import dev.sigstore.KeylessVerifier;
import dev.sigstore.TrustedRootProvider;
import dev.sigstore.VerificationOptions;
import dev.sigstore.bundle.Bundle;
import dev.sigstore.bundle.BundleParseException;
import dev.sigstore.strings.StringMatcher;
import dev.sigstore.trustroot.SigstoreTrustedRoot;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1String;

/**
 * Verifies PEP 740 attestations and Sigstore bundles offline against a trusted root file.
 *
 * <p>A DSSE envelope around an in-toto statement (a PEP 740 attestation, npm's provenance, a
 * detached bundle with an envelope) is verified by {@link StatementVerifier}: sigstore-java's checks
 * of the certificate and timestamps, the log entry proven by {@link LogEntryVerifier}, the entry
 * bound to this envelope, the statement's subject naming this file with its digests. A message
 * signature (a detached {@code cosign}-style bundle) goes through sigstore-java's {@code
 * KeylessVerifier}, then {@link SigningTimes}. Before either, the trusted root is checked ({@link
 * TrustedRootFile}); the certificate matcher pins the signer's identity and issuer in both. Any
 * failure is a {@link Failed} with the reason.
 */
public final class ProvenanceVerifier {

    public static final Set<String> PREDICATE_TYPES =
            Set.of("https://docs.pypi.org/attestations/publish/v1", "https://slsa.dev/provenance/v1");

    /** What a statement bundle may claim: SLSA provenance (v0.2 from npm clients before 2024, v1 since), PyPI's publish. */
    public static final Set<String> STATEMENT_PREDICATE_TYPES = Set.of(
            "https://slsa.dev/provenance/v0.2",
            "https://slsa.dev/provenance/v1",
            "https://docs.pypi.org/attestations/publish/v1");

    /** Fulcio certificate extensions (OID 1.3.6.1.4.1.57264.1.*) recorded for reviewers. */
    private static final Map<String, String> FULCIO_EXTENSIONS = Map.ofEntries(
            Map.entry("1.3.6.1.4.1.57264.1.9", "build_signer_uri"),
            Map.entry("1.3.6.1.4.1.57264.1.11", "runner_environment"),
            Map.entry("1.3.6.1.4.1.57264.1.12", "source_repository_uri"),
            Map.entry("1.3.6.1.4.1.57264.1.13", "source_repository_digest"),
            Map.entry("1.3.6.1.4.1.57264.1.14", "source_repository_ref"),
            Map.entry("1.3.6.1.4.1.57264.1.15", "source_repository_id"),
            Map.entry("1.3.6.1.4.1.57264.1.17", "source_repository_owner_id"),
            Map.entry("1.3.6.1.4.1.57264.1.18", "build_config_uri"),
            Map.entry("1.3.6.1.4.1.57264.1.20", "build_trigger"),
            Map.entry("1.3.6.1.4.1.57264.1.21", "run_invocation_uri"));

    public sealed interface Result {}

    /** Verified: what the evidence says, for the release record and reviewers. */
    public record Verified(String predicateType, String identity, String issuer, Map<String, String> source)
            implements Result {}

    public record Failed(String reason) implements Result {}

    /** The identity and OIDC issuer a Fulcio certificate names (not yet verified by themselves). */
    public record Signer(String identity, String issuer) {}

    /** Reads the signer from an attestation's certificate (Fulcio issuer extension v2, else v1). */
    public static Optional<Signer> signer(Pep740Attestation attestation) {
        try {
            return signer(certificate(attestation.certificate()));
        } catch (CertificateException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Reads the signer from a Sigstore bundle's signing certificate; empty when it names none or is not a bundle. */
    public static Optional<Signer> signer(String bundleJson) {
        try {
            Bundle bundle = Bundle.from(new StringReader(bundleJson));
            return signer(dev.sigstore.encryption.certificates.Certificates.getLeaf(bundle.getCertPath()));
        } catch (BundleParseException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Why {@code bundleJson} is not a Sigstore bundle (the parser's words), or empty when it is one. */
    public static Optional<String> notABundle(String bundleJson) {
        try {
            Bundle.from(new StringReader(bundleJson));
            return Optional.empty();
        } catch (BundleParseException | RuntimeException e) {
            return Optional.of("not a Sigstore bundle: " + e.getMessage());
        }
    }

    private static Optional<Signer> signer(X509Certificate certificate) {
        try {
            String identity = subjectAlternativeName(certificate);
            String issuer = null;
            byte[] v2 = certificate.getExtensionValue("1.3.6.1.4.1.57264.1.8");
            if (v2 != null) {
                ASN1Primitive value = ASN1Primitive.fromByteArray(
                        ASN1OctetString.getInstance(v2).getOctets());
                if (value instanceof ASN1String text) {
                    issuer = text.getString();
                }
            } else {
                byte[] v1 = certificate.getExtensionValue("1.3.6.1.4.1.57264.1.1");
                if (v1 != null) {
                    issuer = new String(
                            ASN1OctetString.getInstance(v1).getOctets(), java.nio.charset.StandardCharsets.UTF_8);
                }
            }
            return identity.isEmpty() || issuer == null ? Optional.empty() : Optional.of(new Signer(identity, issuer));
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private final KeylessVerifier verifier;
    private final StatementVerifier statements;
    private final Clock clock;

    /**
     * A verifier over a trusted root file (offline; air-gapped deployments give theirs here); {@code
     * clock} is now, for the times the transparency log claims. A malformed root is refused
     * ({@link TrustedRootFile}) with an {@link IllegalArgumentException}.
     */
    public ProvenanceVerifier(Path trustedRoot, Clock clock) {
        this(TrustedRootFile.load(trustedRoot), trustedRoot.toString(), clock);
    }

    /** A verifier over a trusted root given as JSON (the drill instance's, {@link DrillSigstore}). */
    public static ProvenanceVerifier of(byte[] trustedRootJson, String name, Clock clock) {
        return new ProvenanceVerifier(TrustedRootFile.load(trustedRootJson, name), name, clock);
    }

    private ProvenanceVerifier(SigstoreTrustedRoot root, String trustedRoot, Clock clock) {
        this.clock = clock;
        try {
            TrustedRootProvider provider = () -> root;
            this.verifier =
                    KeylessVerifier.builder().trustedRootProvider(provider).build();
            this.statements = new StatementVerifier(root, clock);
        } catch (Exception e) {
            throw new IllegalArgumentException(
                    "cannot load the Sigstore trusted root " + trustedRoot + ": " + e.getMessage(), e);
        }
    }

    /**
     * A PEP 740 attestation for {@code filename}, whose bytes are at {@code artifact}; {@code
     * namesThisFile} is the ecosystem's rule for which subject names the file.
     */
    public Result verifyAttestation(
            Pep740Attestation attestation,
            String filename,
            Path artifact,
            ExpectedIdentity expected,
            java.util.function.Predicate<String> namesThisFile) {
        Pep740Attestation.Statement statement;
        try {
            statement = attestation.decodeStatement();
        } catch (IllegalArgumentException e) {
            return new Failed(e.getMessage());
        }
        if (!PREDICATE_TYPES.contains(statement.predicateType())) {
            return new Failed("predicate type " + statement.predicateType() + " is not one of " + PREDICATE_TYPES);
        }
        // The name is checked here for PyPI's words; the digest with the envelope (StatementVerifier
        // reads the file once).
        Optional<Pep740Attestation.Subject> subject = statement.subjects().stream()
                .filter(s -> namesThisFile.test(s.name()))
                .findFirst();
        if (subject.isEmpty()) {
            return new Failed("the attestation is about "
                    + statement.subjects().stream()
                            .map(Pep740Attestation.Subject::name)
                            .toList() + ", not " + filename);
        }
        Bundle bundle;
        try {
            bundle = Bundle.from(new StringReader(attestation.toBundleJson()));
        } catch (BundleParseException | RuntimeException e) {
            return new Failed("the attestation's verification material is malformed: " + e.getMessage());
        }
        return verifyStatement(bundle, artifact, expected, namesThisFile);
    }

    /** A plain Sigstore bundle (the form `cosign` and the conformance suite's verify-bundle use). */
    public Result verifyBundle(String bundleJson, Path artifact, ExpectedIdentity expected) {
        return verifyBundle(bundleJson, artifact, expected, null);
    }

    /**
     * A Sigstore bundle for the file at {@code artifact}: an in-toto statement about it in a DSSE
     * envelope (npm's {@code .sigstore} provenance, subject {@code pkg:npm/name@version} with its
     * SHA-512; {@code namesThisFile} is the ecosystem's rule for the subject's name, null for "a
     * subject whose digest is the file's"), or a message signature over the file itself (cosign,
     * Maven's {@code X.sigstore.json}).
     */
    public Result verifyBundle(
            String bundleJson,
            Path artifact,
            ExpectedIdentity expected,
            java.util.function.Predicate<String> namesThisFile) {
        Bundle bundle;
        try {
            bundle = Bundle.from(new StringReader(bundleJson));
        } catch (BundleParseException | RuntimeException e) {
            return new Failed("not a Sigstore bundle: " + e.getMessage());
        }
        if (bundle.getCertPath() == null
                || bundle.getCertPath().getCertificates().isEmpty()) {
            return new Failed("the bundle carries no signing certificate");
        }
        return bundle.getDsseEnvelope().isPresent()
                ? verifyStatement(bundle, artifact, expected, namesThisFile)
                : verify(bundle, artifact, expected, "message-signature");
    }

    private Result verifyStatement(
            Bundle bundle,
            Path artifact,
            ExpectedIdentity expected,
            java.util.function.Predicate<String> namesThisFile) {
        VerificationOptions.CertificateMatcher matcher;
        try {
            matcher = matcher(expected);
        } catch (dev.sigstore.strings.RegexSyntaxException | RuntimeException e) {
            return new Failed("invalid identity pattern: " + e.getMessage());
        }
        StatementVerifier.Statement statement;
        try {
            statement = statements.verify(bundle, artifact, namesThisFile, matcher::test);
        } catch (StatementVerifier.Failure e) {
            return new Failed(e.getMessage());
        } catch (RuntimeException e) {
            return new Failed("Sigstore verification failed: " + e);
        }
        if (!STATEMENT_PREDICATE_TYPES.contains(statement.predicateType())) {
            return new Failed(
                    "predicate type " + statement.predicateType() + " is not one of " + STATEMENT_PREDICATE_TYPES);
        }
        X509Certificate certificate =
                (X509Certificate) bundle.getCertPath().getCertificates().getFirst();
        return new Verified(
                statement.predicateType(),
                subjectAlternativeName(certificate),
                expected.issuer(),
                extensions(certificate));
    }

    private static VerificationOptions.CertificateMatcher matcher(ExpectedIdentity expected)
            throws dev.sigstore.strings.RegexSyntaxException {
        StringMatcher san = expected.san() != null
                ? StringMatcher.string(expected.san())
                : StringMatcher.regex(expected.sanPattern().pattern());
        return VerificationOptions.CertificateMatcher.fulcio()
                .subjectAlternativeName(san)
                .issuer(StringMatcher.string(expected.issuer()))
                .build();
    }

    private Result verify(Bundle bundle, Path artifact, ExpectedIdentity expected, String predicateType) {
        VerificationOptions options;
        try {
            options = VerificationOptions.builder()
                    .addCertificateMatchers(matcher(expected))
                    .build();
        } catch (dev.sigstore.strings.RegexSyntaxException | RuntimeException e) {
            return new Failed("invalid identity pattern: " + e.getMessage());
        }
        X509Certificate certificate;
        try {
            verifier.verify(artifact, bundle, options);
            certificate =
                    (X509Certificate) bundle.getCertPath().getCertificates().getFirst();
            SigningTimes.checkLogTimes(bundle, certificate, clock.instant());
        } catch (KeylessVerificationException | StatementVerifier.Failure e) {
            return new Failed("Sigstore verification failed: " + e.getMessage());
        } catch (RuntimeException e) {
            return new Failed("Sigstore verification failed: " + e);
        }
        return new Verified(
                predicateType, subjectAlternativeName(certificate), expected.issuer(), extensions(certificate));
    }

    static X509Certificate certificate(String base64Der) throws CertificateException {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(
                        new java.io.ByteArrayInputStream(Base64.getDecoder().decode(base64Der)));
    }

    private static String subjectAlternativeName(X509Certificate certificate) {
        try {
            if (certificate.getSubjectAlternativeNames() != null) {
                for (List<?> name : certificate.getSubjectAlternativeNames()) {
                    return String.valueOf(name.get(1));
                }
            }
        } catch (CertificateException e) {
            // fall through
        }
        return "";
    }

    private static Map<String, String> extensions(X509Certificate certificate) {
        Map<String, String> out = new LinkedHashMap<>();
        FULCIO_EXTENSIONS.entrySet().stream()
                .sorted(Map.Entry.comparingByValue())
                .forEach(e -> {
                    byte[] raw = certificate.getExtensionValue(e.getKey());
                    if (raw != null) {
                        try {
                            ASN1Primitive value = ASN1Primitive.fromByteArray(
                                    ASN1OctetString.getInstance(raw).getOctets());
                            if (value instanceof ASN1String text) {
                                out.put(e.getValue(), text.getString());
                            }
                        } catch (IOException | IllegalArgumentException ignored) {
                            // an unreadable extension is simply not shown
                        }
                    }
                });
        return out;
    }
}
