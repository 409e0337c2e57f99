package dev.portcullis.provenance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sigstore.bundle.Bundle;
import dev.sigstore.encryption.certificates.Certificates;
import dev.sigstore.encryption.signers.Verifiers;
import dev.sigstore.fulcio.client.FulcioVerifier;
import dev.sigstore.rekor.client.RekorEntry;
import dev.sigstore.timestamp.client.TimestampVerifier;
import dev.sigstore.trustroot.SigstoreTrustedRoot;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A Sigstore bundle whose DSSE envelope carries an in-toto statement, verified step by step with
 * sigstore-java's own checks of the certificate (chain to Fulcio, SCT) and of RFC 3161 timestamps,
 * the transparency-log entry proven with its primitives ({@link LogEntryVerifier}), and ours
 * for the rest: the certificate was valid at every verified time ({@link SigningTimes}), the DSSE
 * signature over the envelope's PAE, the log entry is this envelope, and the statement's subject
 * names the file with the digests it lists.
 *
 * <p>The log entry may be any of the three forms Rekor records a DSSE envelope in, each bound to
 * the envelope by what its type definition records: {@code dsse} 0.0.1 (payload hash, signature,
 * certificate; what npm 10 and later and PyPI log), {@code intoto} 0.0.2 (payload type, payload
 * hash, the payload itself when kept, the one signature and its certificate; npm 9 and older) and,
 * on Rekor v2, {@code hashedrekord} 0.0.2 over the envelope (rekor-v2 spec §6.1.4: the SHA-256 of
 * the PAE, the signature and the certificate). A Rekor v2 entry has no time of its own, so such a
 * bundle needs a timestamp from a trusted authority.
 *
 * <p>Why not sigstore-java's {@code KeylessVerifier} alone: it matches a statement's subject by
 * SHA-256 only, before it checks anything else (npm's provenance names the tarball by SHA-512,
 * {@code pkg:npm/name@version}), and 2.0.0 reads only {@code dsse} 0.0.1 entries for an envelope.
 */
final class StatementVerifier {

    static final String IN_TOTO = "application/vnd.in-toto+json";
    private static final Set<String> STATEMENT_TYPES =
            Set.of("https://in-toto.io/Statement/v0.1", "https://in-toto.io/Statement/v1");
    /** The subject digests compared, by in-toto's name: the Java algorithm. */
    private static final Map<String, String> DIGESTS = Map.of("sha256", "SHA-256", "sha512", "SHA-512");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final FulcioVerifier fulcio;
    private final LogEntryVerifier log;
    private final TimestampVerifier authorities;
    private final Clock clock;

    StatementVerifier(SigstoreTrustedRoot root, Clock clock) throws Exception {
        this.fulcio = FulcioVerifier.newFulcioVerifier(root);
        this.log = new LogEntryVerifier(root);
        this.authorities = TimestampVerifier.newTimestampVerifier(root);
        this.clock = clock;
    }

    /** A statement's subject as it names a file and the digests it gives for it. */
    record Subject(String name, Map<String, String> digests) {}

    /** What a verified statement says. */
    record Statement(String predicateType, List<Subject> subjects) {}

    /**
     * Verifies {@code bundle} for the file at {@code artifact}: returns the statement when every
     * check passes, else throws {@link Failure} with the first reason. {@code namesThisFile} decides
     * which subject is about the file (null: the subjects whose digests are the file's, as a
     * detached {@code verify-bundle} of an artifact does); {@code signer} must match the certificate.
     */
    Statement verify(Bundle bundle, Path artifact, Predicate<String> namesThisFile, Predicate<X509Certificate> signer)
            throws Failure {
        Bundle.DsseEnvelope envelope = bundle.getDsseEnvelope()
                .orElseThrow(() -> new Failure("the bundle has no DSSE envelope (an in-toto statement is expected)"));
        if (!IN_TOTO.equals(envelope.getPayloadType())) {
            throw new Failure("the envelope's payload type is " + envelope.getPayloadType() + ", not " + IN_TOTO);
        }
        Statement statement = statement(envelope.getPayload());
        subject(statement, artifact, namesThisFile);

        X509Certificate leaf;
        try {
            leaf = Certificates.getLeaf(bundle.getCertPath());
            fulcio.verifySigningCertificate(bundle.getCertPath());
        } catch (Exception e) {
            throw new Failure("the signing certificate is not from the trusted Fulcio: " + e.getMessage());
        }
        if (!signer.test(leaf)) {
            throw new Failure("the certificate names another signer than expected");
        }
        if (bundle.getEntries().size() != 1) {
            throw new Failure("the bundle must carry exactly one transparency-log entry");
        }
        RekorEntry entry = bundle.getEntries().getFirst();
        log.verify(entry);
        byte[] signature = envelope.getSignature();
        int times = SigningTimes.checkLogTimes(bundle, leaf, clock.instant())
                + SigningTimes.checkTimestamps(bundle, leaf, signature, authorities);
        if (times == 0) {
            throw new Failure("nothing dates the signature: the log entry has no signed time and the bundle no"
                    + " RFC 3161 timestamp");
        }
        try {
            if (envelope.getSignatures().size() != 1
                    || !Verifiers.newVerifier(leaf.getPublicKey()).verify(envelope.getPAE(), signature)) {
                throw new Failure("the DSSE signature is not valid");
            }
        } catch (Failure f) {
            throw f;
        } catch (Exception e) {
            throw new Failure("the DSSE signature cannot be checked: " + e.getMessage());
        }
        bindsEntry(entry, envelope, signature, leaf);
        return statement;
    }

    private static Statement statement(byte[] payload) throws Failure {
        JsonNode node;
        try {
            node = JSON.readTree(payload);
        } catch (IOException e) {
            throw new Failure("the statement is not JSON");
        }
        if (node == null || !STATEMENT_TYPES.contains(node.path("_type").asText())) {
            throw new Failure("the payload is not an in-toto statement");
        }
        List<Subject> subjects = new ArrayList<>();
        for (JsonNode s : node.path("subject")) {
            Map<String, String> digests = new LinkedHashMap<>();
            s.path("digest")
                    .properties()
                    .forEach(d -> digests.put(d.getKey(), d.getValue().asText()));
            subjects.add(new Subject(s.path("name").asText(), digests));
        }
        if (subjects.isEmpty()) {
            throw new Failure("the statement has no subject");
        }
        return new Statement(node.path("predicateType").asText(), subjects);
    }

    /** The subject naming the file must list at least one digest compared here, and every one of those must be the file's. */
    static void subject(Statement statement, Path artifact, Predicate<String> namesThisFile) throws Failure {
        if (namesThisFile == null) {
            bySubjectDigest(statement, artifact);
            return;
        }
        List<Subject> named = statement.subjects().stream()
                .filter(s -> namesThisFile.test(s.name()))
                .toList();
        if (named.size() != 1) {
            throw new Failure("the statement is about "
                    + statement.subjects().stream().map(Subject::name).toList()
                    + (named.isEmpty() ? ", not this file" : ": more than one subject names this file"));
        }
        Subject subject = named.getFirst();
        boolean compared = false;
        for (Map.Entry<String, String> digest : subject.digests().entrySet()) {
            String algorithm = DIGESTS.get(digest.getKey().toLowerCase(Locale.ROOT));
            if (algorithm == null) {
                continue;
            }
            String actual = digest(artifact, algorithm);
            if (!actual.equalsIgnoreCase(digest.getValue())) {
                throw new Failure("the statement's " + digest.getKey() + " digest for " + subject.name() + " is "
                        + digest.getValue() + ", the file's is " + actual);
            }
            compared = true;
        }
        if (!compared) {
            throw new Failure("the statement gives no SHA-256 or SHA-512 digest for " + subject.name());
        }
    }

    /** Without a name rule: some subject must list the file's SHA-256 (or SHA-512) as its digest. */
    private static void bySubjectDigest(Statement statement, Path artifact) throws Failure {
        Map<String, String> actual = new LinkedHashMap<>();
        for (Subject subject : statement.subjects()) {
            for (Map.Entry<String, String> digest : subject.digests().entrySet()) {
                String algorithm = DIGESTS.get(digest.getKey().toLowerCase(Locale.ROOT));
                if (algorithm != null
                        && actual.computeIfAbsent(algorithm, a -> digestOrEmpty(artifact, a))
                                .equalsIgnoreCase(digest.getValue())) {
                    return;
                }
            }
        }
        throw new Failure("no subject of the statement has the file's digest (subjects: "
                + statement.subjects().stream().map(Subject::name).toList() + ")");
    }

    private static String digestOrEmpty(Path file, String algorithm) {
        try {
            return digest(file, algorithm);
        } catch (Failure e) {
            return "";
        }
    }

    private static String digest(Path file, String algorithm) throws Failure {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance(algorithm);
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) > 0) {
                md.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (Exception e) {
            throw new Failure("cannot read the file: " + e.getMessage());
        }
    }

    /** The log entry records this envelope: its payload's hash, its one signature and the signing certificate. */
    private static void bindsEntry(
            RekorEntry entry, Bundle.DsseEnvelope envelope, byte[] signature, X509Certificate leaf) throws Failure {
        JsonNode body;
        try {
            body = JSON.readTree(Base64.getDecoder().decode(entry.getBody()));
        } catch (IOException | IllegalArgumentException e) {
            throw new Failure("the log entry's body is not JSON");
        }
        String kind = body.path("kind").asText() + " " + body.path("apiVersion").asText();
        JsonNode spec = body.path("spec");
        String payloadHash;
        JsonNode signatures;
        switch (kind) {
            case "dsse 0.0.1" -> {
                payloadHash = spec.path("payloadHash").path("value").asText();
                signatures = spec.path("signatures");
                if (signatures.size() != 1
                        || !Arrays.equals(decode(signatures.get(0).path("signature")), signature)) {
                    throw new Failure("the log entry records another DSSE signature");
                }
                sameCertificate(decode(signatures.get(0).path("verifier")), leaf);
            }
            case "intoto 0.0.2" -> {
                JsonNode content = spec.path("content");
                JsonNode logged = content.path("envelope");
                payloadHash = content.path("payloadHash").path("value").asText();
                if (!envelope.getPayloadType().equals(logged.path("payloadType").asText())) {
                    throw new Failure("the log entry records another payload type");
                }
                // Rekor keeps the envelope with its payload and signatures base64-encoded once more.
                if (logged.has("payload") && !Arrays.equals(twice(logged.path("payload")), envelope.getPayload())) {
                    throw new Failure("the log entry records another payload");
                }
                signatures = logged.path("signatures");
                if (signatures.size() != 1
                        || !Arrays.equals(twice(signatures.get(0).path("sig")), signature)) {
                    throw new Failure("the log entry records another DSSE signature");
                }
                sameCertificate(decode(signatures.get(0).path("publicKey")), leaf);
            }
            case "hashedrekord 0.0.2" -> {
                JsonNode v2 = spec.path("hashedRekordV002");
                if (!"SHA2_256".equals(v2.path("data").path("algorithm").asText())
                        || !Arrays.equals(decode(v2.path("data").path("digest")), sha256Bytes(envelope.getPAE()))) {
                    throw new Failure("the log entry records the digest of another envelope");
                }
                if (!Arrays.equals(decode(v2.path("signature").path("content")), signature)) {
                    throw new Failure("the log entry records another DSSE signature");
                }
                sameDerCertificate(
                        decode(v2.path("signature")
                                .path("verifier")
                                .path("x509Certificate")
                                .path("rawBytes")),
                        leaf);
                return;
            }
            default ->
                throw new Failure("the transparency-log entry is of kind " + kind
                        + "; a DSSE envelope is verified from a dsse 0.0.1, intoto 0.0.2 or (Rekor v2) hashedrekord"
                        + " 0.0.2 entry");
        }
        if (!"sha256"
                        .equals(spec.path("payloadHash")
                                .path("algorithm")
                                .asText(spec.path("content")
                                        .path("payloadHash")
                                        .path("algorithm")
                                        .asText()))
                || !payloadHash.equalsIgnoreCase(sha256(envelope.getPayload()))) {
            throw new Failure("the log entry records another payload");
        }
    }

    private static void sameCertificate(byte[] pem, X509Certificate leaf) throws Failure {
        try {
            if (!Arrays.equals(Certificates.fromPem(pem).getEncoded(), leaf.getEncoded())) {
                throw new Failure("the log entry records another signing certificate");
            }
        } catch (Failure f) {
            throw f;
        } catch (Exception e) {
            throw new Failure("the log entry's certificate cannot be read");
        }
    }

    private static void sameDerCertificate(byte[] der, X509Certificate leaf) throws Failure {
        try {
            if (!Arrays.equals(der, leaf.getEncoded())) {
                throw new Failure("the log entry records another signing certificate");
            }
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new Failure("the signing certificate cannot be encoded");
        }
    }

    /** A value Rekor base64-encoded over its base64 form; empty when it is not that (then it matches nothing). */
    private static byte[] twice(JsonNode node) {
        try {
            return Base64.getDecoder().decode(Base64.getDecoder().decode(node.asText()));
        } catch (IllegalArgumentException e) {
            return new byte[0];
        }
    }

    private static byte[] decode(JsonNode node) throws Failure {
        return decode(node.asText().getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] decode(byte[] base64) throws Failure {
        try {
            return Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new Failure("the log entry holds invalid base64");
        }
    }

    private static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(sha256Bytes(bytes));
    }

    private static byte[] sha256Bytes(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Why a bundle does not verify, in words for the uploader and the release record. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;

        Failure(String reason) {
            super(reason);
        }
    }
}
