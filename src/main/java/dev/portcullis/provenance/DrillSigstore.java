package dev.portcullis.provenance;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sigstore.encryption.certificates.transparency.CertificateEntry;
import dev.sigstore.encryption.certificates.transparency.DigitallySigned;
import dev.sigstore.encryption.certificates.transparency.SignedCertificateTimestamp;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.bouncycastle.asn1.x509.Time;
import org.bouncycastle.asn1.x509.V3TBSCertificateGenerator;

/**
 * The Sigstore instance detection drills sign provenance with (docs/DRILLS.md): a certificate
 * authority in the shape of Fulcio, a certificate-transparency log and a Rekor log, whose keys
 * exist only in this process's memory. It issues what GitHub Actions and the public-good instance
 * would for a release workflow run — a short-lived certificate with the Fulcio extensions of the
 * run (repository, owner id, workflow, ref, trigger, runner) and an embedded SCT, a DSSE envelope
 * around an in-toto statement about the file, a {@code dsse} 0.0.1 log entry with its signed entry
 * timestamp, inclusion proof and signed checkpoint — as a PEP 740 attestation.
 *
 * <p>Its trusted root ({@link #trustedRoot()}) is trusted only for open drill sandboxes (the
 * attestation check asks), and only a global admin can have something signed, so a drill can
 * exercise the real verification, publisher matching and build rules without any CI platform,
 * while nothing it signs verifies for a real project. Its host names end in {@code .invalid} (RFC
 * 2606): nothing outside this process can act as it.
 */
public final class DrillSigstore {

    public static final String REKOR = "rekor.drill.portcullis.invalid";
    static final String GITHUB_ISSUER = "https://token.actions.githubusercontent.com";
    private static final Instant KEYS_VALID_FROM = Instant.parse("2020-01-01T00:00:00Z");
    private static final String FULCIO = "1.3.6.1.4.1.57264.1.";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A release workflow run, as the certificate will describe it. */
    public record Run(
            String repository,
            String ownerId,
            String workflow,
            String ref,
            String trigger,
            String runner,
            String commit) {}

    private final SecureRandom random;
    private final AtomicLong serials = new AtomicLong(1);
    private Keys keys;

    private record Keys(KeyPair ca, byte[] caCertificate, KeyPair ct, KeyPair rekor) {}

    public DrillSigstore(SecureRandom random) {
        this.random = random;
    }

    /** The keys and the CA certificate, made on first use: most processes never run a drill. */
    private synchronized Keys keys() {
        if (keys == null) {
            try {
                KeyPair ca = ecKey();
                X500Name name = new X500Name("O=portcullis-drill,CN=drill-fulcio");
                ExtensionsGenerator extensions = new ExtensionsGenerator();
                extensions.addExtension(Extension.basicConstraints, true, new BasicConstraints(1));
                extensions.addExtension(
                        Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
                byte[] caCertificate = sign(
                        tbs(
                                serial(),
                                name,
                                name,
                                ca,
                                KEYS_VALID_FROM,
                                Instant.parse("2100-01-01T00:00:00Z"),
                                extensions.generate()),
                        ca.getPrivate());
                keys = new Keys(ca, caCertificate, ecKey(), ecKey());
            } catch (Exception e) {
                throw new IllegalStateException("cannot create the drill Sigstore's keys", e);
            }
        }
        return keys;
    }

    /** The trusted root (Sigstore's {@code trusted_root.json}) naming this instance's CA, CT log and Rekor log. */
    public byte[] trustedRoot() {
        Keys k = keys();
        ObjectNode root = JSON.createObjectNode();
        root.put("mediaType", "application/vnd.dev.sigstore.trustedroot+json;version=0.1");
        root.putArray("tlogs").add(log("https://" + REKOR, k.rekor()));
        ObjectNode ca = root.putArray("certificateAuthorities").addObject();
        ca.putObject("subject").put("organization", "portcullis-drill").put("commonName", "drill-fulcio");
        ca.put("uri", "https://fulcio.drill.portcullis.invalid");
        ca.putObject("certChain").putArray("certificates").addObject().put("rawBytes", b64(k.caCertificate()));
        ca.putObject("validFor").put("start", KEYS_VALID_FROM.toString());
        root.putArray("ctlogs").add(log("https://ctfe.drill.portcullis.invalid", k.ct()));
        root.putArray("timestampAuthorities");
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private ObjectNode log(String url, KeyPair key) {
        ObjectNode log = JSON.createObjectNode();
        log.put("baseUrl", url);
        log.put("hashAlgorithm", "SHA2_256");
        ObjectNode publicKey = log.putObject("publicKey");
        publicKey.put("rawBytes", b64(key.getPublic().getEncoded()));
        publicKey.put("keyDetails", "PKIX_ECDSA_P256_SHA_256");
        publicKey.putObject("validFor").put("start", KEYS_VALID_FROM.toString());
        log.putObject("logId").put("keyId", b64(sha256(key.getPublic().getEncoded())));
        return log;
    }

    /**
     * A PEP 740 attestation (publish predicate) for {@code filename} with {@code sha256}, signed at
     * {@code now} by {@code run}'s workflow identity.
     */
    public String attest(String filename, String sha256, Run run, Instant now) {
        Keys k = keys();
        try {
            KeyPair signer = ecKey();
            String identity =
                    "https://github.com/" + run.repository() + "/.github/workflows/" + run.workflow() + "@" + run.ref();
            byte[] certificate = leaf(k, signer, identity, run, now);

            Map<String, Object> statement = new LinkedHashMap<>();
            statement.put("_type", "https://in-toto.io/Statement/v1");
            statement.put("subject", java.util.List.of(Map.of("name", filename, "digest", Map.of("sha256", sha256))));
            statement.put("predicateType", "https://docs.pypi.org/attestations/publish/v1");
            statement.put("predicate", Map.of());
            byte[] payload = JSON.writeValueAsBytes(statement);
            byte[] signature = ecdsa(signer.getPrivate(), pae(StatementVerifier.IN_TOTO, payload));

            ObjectNode entry = entry(k, certificate, payload, signature, now);
            ObjectNode attestation = JSON.createObjectNode();
            attestation.put("version", 1);
            ObjectNode material = attestation.putObject("verification_material");
            material.put("certificate", b64(certificate));
            material.putArray("transparency_entries").add(entry);
            attestation.putObject("envelope").put("statement", b64(payload)).put("signature", b64(signature));
            return JSON.writeValueAsString(attestation);
        } catch (Exception e) {
            throw new IllegalStateException("cannot sign a drill attestation", e);
        }
    }

    /** Fulcio's leaf: ten minutes, code signing, the run in its extensions, an SCT from the CT log embedded. */
    private byte[] leaf(Keys k, KeyPair signer, String identity, Run run, Instant now) throws Exception {
        ExtensionsGenerator extensions = new ExtensionsGenerator();
        extensions.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        extensions.addExtension(
                Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_codeSigning));
        extensions.addExtension(
                Extension.subjectAlternativeName,
                true,
                new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, identity)));
        Map<String, String> claims = new LinkedHashMap<>();
        claims.put("8", GITHUB_ISSUER);
        claims.put("9", identity);
        claims.put("11", run.runner());
        claims.put("12", "https://github.com/" + run.repository());
        claims.put("13", run.commit());
        claims.put("14", run.ref());
        claims.put("17", run.ownerId());
        claims.put("18", identity);
        claims.put("20", run.trigger());
        claims.put("21", "https://github.com/" + run.repository() + "/actions/runs/1/attempts/1");
        for (Map.Entry<String, String> claim : claims.entrySet()) {
            if (claim.getValue() != null) {
                extensions.addExtension(
                        new ASN1ObjectIdentifier(FULCIO + claim.getKey()), false, new DERUTF8String(claim.getValue()));
            }
        }
        X500Name issuer = new X500Name("O=portcullis-drill,CN=drill-fulcio");
        Instant from = now.minus(Duration.ofMinutes(1));
        Instant to = now.plus(Duration.ofMinutes(9));
        Extensions precertificate = extensions.generate();
        BigInteger serial = serial();
        TBSCertificate tbs = tbs(
                serial, issuer, new X500Name(new org.bouncycastle.asn1.x500.RDN[0]), signer, from, to, precertificate);

        // The SCT signs the certificate without itself (RFC 6962 §3.2, precertificate entry).
        byte[] issuerKeyHash = sha256(k.ca().getPublic().getEncoded());
        long timestamp = from.toEpochMilli();
        byte[] logId = sha256(k.ct().getPublic().getEncoded());
        byte[] signed = new SignedCertificateTimestamp(
                        SignedCertificateTimestamp.Version.V1,
                        logId,
                        timestamp,
                        new byte[0],
                        new DigitallySigned(4, 3, new byte[0]),
                        SignedCertificateTimestamp.Origin.EMBEDDED)
                .encodeTBS(CertificateEntry.createForPrecertificate(tbs.getEncoded(), issuerKeyHash));
        byte[] sct = sct(logId, timestamp, ecdsa(k.ct().getPrivate(), signed));
        extensions.addExtension(
                new ASN1ObjectIdentifier("1.3.6.1.4.1.11129.2.4.2"), false, new DEROctetString(sctList(sct)));
        return sign(
                tbs(serial, issuer, tbs.getSubject(), signer, from, to, extensions.generate()), k.ca().getPrivate());
    }

    private BigInteger serial() {
        return BigInteger.valueOf(serials.getAndIncrement())
                .shiftLeft(64)
                .add(BigInteger.valueOf(random.nextLong() & Long.MAX_VALUE));
    }

    private static TBSCertificate tbs(
            BigInteger serial, X500Name issuer, X500Name subject, KeyPair key, Instant from, Instant to, Extensions e) {
        V3TBSCertificateGenerator tbs = new V3TBSCertificateGenerator();
        tbs.setSerialNumber(new ASN1Integer(serial));
        tbs.setSignature(ECDSA_SHA256);
        tbs.setIssuer(issuer);
        tbs.setStartDate(new Time(Date.from(from)));
        tbs.setEndDate(new Time(Date.from(to)));
        tbs.setSubject(subject);
        tbs.setSubjectPublicKeyInfo(
                SubjectPublicKeyInfo.getInstance(key.getPublic().getEncoded()));
        tbs.setExtensions(e);
        return tbs.generateTBSCertificate();
    }

    private static final AlgorithmIdentifier ECDSA_SHA256 =
            new AlgorithmIdentifier(new ASN1ObjectIdentifier("1.2.840.10045.4.3.2"));

    private byte[] sign(TBSCertificate tbs, PrivateKey key) throws Exception {
        ASN1EncodableVector certificate = new ASN1EncodableVector();
        certificate.add(tbs);
        certificate.add(ECDSA_SHA256);
        certificate.add(new DERBitString(ecdsa(key, tbs.getEncoded())));
        return Certificate.getInstance(new DERSequence(certificate)).getEncoded();
    }

    /** A {@code dsse} 0.0.1 entry alone in a one-entry tree: signed entry timestamp, inclusion proof, checkpoint. */
    private ObjectNode entry(Keys k, byte[] certificate, byte[] payload, byte[] signature, Instant now)
            throws Exception {
        String pem = "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(certificate) + "\n-----END CERTIFICATE-----\n";
        ObjectNode body = JSON.createObjectNode();
        body.put("apiVersion", "0.0.1");
        body.put("kind", "dsse");
        ObjectNode spec = body.putObject("spec");
        spec.putObject("envelopeHash").put("algorithm", "sha256").put("value", hex(sha256(payload)));
        spec.putObject("payloadHash").put("algorithm", "sha256").put("value", hex(sha256(payload)));
        spec.putArray("signatures")
                .addObject()
                .put("signature", b64(signature))
                .put("verifier", b64(pem.getBytes(StandardCharsets.US_ASCII)));
        String canonicalized = b64(JSON.writeValueAsBytes(body));
        byte[] logId = sha256(k.rekor().getPublic().getEncoded());
        long integrated = now.getEpochSecond();
        // RekorEntry#getSignableContent: the canonical JSON of body, integrated time, log id and index.
        String signable = "{\"body\":\"" + canonicalized + "\",\"integratedTime\":" + integrated + ",\"logID\":\""
                + hex(logId) + "\",\"logIndex\":0}";
        byte[] leafHash = leafHash(Base64.getDecoder().decode(canonicalized));
        String header = REKOR + " - 1\n1\n" + b64(leafHash) + "\n";
        byte[] noteSignature = ecdsa(k.rekor().getPrivate(), header.getBytes(StandardCharsets.UTF_8));
        byte[] hinted = new byte[4 + noteSignature.length];
        System.arraycopy(logId, 0, hinted, 0, 4);
        System.arraycopy(noteSignature, 0, hinted, 4, noteSignature.length);

        ObjectNode entry = JSON.createObjectNode();
        entry.put("logIndex", "0");
        entry.putObject("logId").put("keyId", b64(logId));
        entry.putObject("kindVersion").put("kind", "dsse").put("version", "0.0.1");
        entry.put("integratedTime", String.valueOf(integrated));
        entry.putObject("inclusionPromise")
                .put(
                        "signedEntryTimestamp",
                        b64(ecdsa(k.rekor().getPrivate(), signable.getBytes(StandardCharsets.UTF_8))));
        ObjectNode proof = entry.putObject("inclusionProof");
        proof.put("logIndex", "0");
        proof.put("rootHash", b64(leafHash));
        proof.put("treeSize", "1");
        proof.putArray("hashes"); // the one entry is the tree: no sibling hashes
        proof.putObject("checkpoint").put("envelope", header + "\n\u2014 " + REKOR + " " + b64(hinted) + "\n");
        entry.put("canonicalizedBody", canonicalized);
        return entry;
    }

    /** DSSE's pre-authentication encoding of a payload. */
    static byte[] pae(String type, byte[] payload) {
        byte[] t = type.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(
                ("DSSEv1 " + t.length + " " + type + " " + payload.length + " ").getBytes(StandardCharsets.UTF_8));
        out.writeBytes(payload);
        return out.toByteArray();
    }

    /** One SCT, TLS-encoded (RFC 6962 §3.2): v1, log id, time, no extensions, ECDSA with SHA-256. */
    private static byte[] sct(byte[] logId, long timestamp, byte[] signature) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeByte(0);
        out.write(logId);
        out.writeLong(timestamp);
        out.writeShort(0);
        out.writeByte(4);
        out.writeByte(3);
        out.writeShort(signature.length);
        out.write(signature);
        return bytes.toByteArray();
    }

    private static byte[] sctList(byte[] sct) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeShort(sct.length + 2);
        out.writeShort(sct.length);
        out.write(sct);
        return bytes.toByteArray();
    }

    private KeyPair ecKey() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), random);
        return generator.generateKeyPair();
    }

    private byte[] ecdsa(PrivateKey key, byte[] content) throws Exception {
        Signature signature = Signature.getInstance("SHA256withECDSA");
        signature.initSign(key, random);
        signature.update(content);
        return signature.sign();
    }

    private static byte[] leafHash(byte[] body) {
        byte[] prefixed = new byte[body.length + 1];
        System.arraycopy(body, 0, prefixed, 1, body.length);
        return sha256(prefixed);
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
