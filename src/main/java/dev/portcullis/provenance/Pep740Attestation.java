package dev.portcullis.provenance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A PEP 740 attestation object: the signing certificate, transparency-log entries and a DSSE
 * envelope around an in-toto statement. Parsed strictly; {@link #toBundleJson()} rewrites it as
 * the Sigstore bundle (v0.3, dsseEnvelope) it is equivalent to.
 */
public record Pep740Attestation(String certificate, JsonNode transparencyEntries, String statement, String signature) {

    /** One in-toto subject: a file name and its SHA-256. */
    public record Subject(String name, String sha256) {}

    /** The decoded in-toto statement: what it is about and what kind of claim it makes. */
    public record Statement(List<Subject> subjects, String predicateType) {}

    static final int MAX_BYTES = 256 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    public static Pep740Attestation parse(String json) {
        if (json == null || json.length() > MAX_BYTES) {
            throw new IllegalArgumentException("an attestation is at most " + MAX_BYTES + " bytes of JSON");
        }
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException("the attestation is not JSON");
        }
        return from(root);
    }

    public static Pep740Attestation from(JsonNode root) {
        if (root == null || !root.isObject() || root.path("version").asInt(-1) != 1) {
            throw new IllegalArgumentException("the attestation must be an object with version 1");
        }
        JsonNode material = root.path("verification_material");
        JsonNode envelope = root.path("envelope");
        String certificate = text(material, "certificate");
        String statement = text(envelope, "statement");
        String signature = text(envelope, "signature");
        JsonNode entries = material.path("transparency_entries");
        if (!entries.isArray() || entries.isEmpty()) {
            throw new IllegalArgumentException("the attestation has no transparency_entries");
        }
        return new Pep740Attestation(certificate, entries, statement, signature);
    }

    /** The same evidence as a Sigstore bundle v0.3 (JSON), for verification. */
    public String toBundleJson() {
        ObjectNode bundle = JSON.createObjectNode();
        bundle.put("mediaType", "application/vnd.dev.sigstore.bundle.v0.3+json");
        ObjectNode material = bundle.putObject("verificationMaterial");
        material.putObject("certificate").put("rawBytes", certificate);
        material.set("tlogEntries", transparencyEntries);
        ObjectNode envelope = bundle.putObject("dsseEnvelope");
        envelope.put("payload", statement);
        envelope.put("payloadType", "application/vnd.in-toto+json");
        envelope.putArray("signatures").addObject().put("sig", signature);
        return bundle.toString();
    }

    /** Decodes the statement (it is verified as part of the DSSE envelope, not here). */
    public Statement decodeStatement() {
        JsonNode node;
        try {
            node = JSON.readTree(new String(Base64.getDecoder().decode(statement), StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalArgumentException("the in-toto statement is not base64-encoded JSON");
        }
        if (!"https://in-toto.io/Statement/v1".equals(node.path("_type").asText())) {
            throw new IllegalArgumentException("the statement is not an in-toto v1 statement");
        }
        List<Subject> subjects = new ArrayList<>();
        for (JsonNode subject : node.path("subject")) {
            subjects.add(new Subject(
                    subject.path("name").asText(),
                    subject.path("digest").path("sha256").asText()));
        }
        if (subjects.isEmpty()) {
            throw new IllegalArgumentException("the statement has no subject");
        }
        return new Statement(subjects, node.path("predicateType").asText());
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        if (!value.isTextual() || value.asText().isEmpty()) {
            throw new IllegalArgumentException("the attestation lacks " + field);
        }
        return value.asText();
    }
}
