package dev.portcullis.provenance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sigstore.trustroot.SigstoreTrustedRoot;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A Sigstore trusted root ({@code trusted_root.json}) read from a file, refused whole when it is
 * malformed in a way that would widen what it trusts.
 *
 * <p>Our check before sigstore-java's parser: every transparency log, CT log, certificate
 * authority and timestamp authority must state when its validity starts. The trusted root's
 * {@code TimeRange} has a required {@code start} and an optional {@code end} (protobuf-specs,
 * {@code sigstore_common.proto}); sigstore-java 2.0.0 reads a missing start as "valid since
 * forever", so a key could vouch for entries made before it existed. A root that omits one is not
 * one this server can reason about: it is refused with the entry named, and nothing verifies
 * against it (fail closed). The Sigstore conformance case {@code
 * trust-root-tlog-missing-validity-start_fail} is this.
 */
final class TrustedRootFile {

    private static final ObjectMapper JSON = new ObjectMapper();

    private TrustedRootFile() {}

    /** The root at {@code path}, checked, then parsed by sigstore-java; an {@link IllegalArgumentException} says why not. */
    static SigstoreTrustedRoot load(Path path) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the Sigstore trusted root " + path + ": " + e.getMessage());
        }
        return load(bytes, path.toString());
    }

    /** A root given as JSON, {@code name} saying which in messages. */
    static SigstoreTrustedRoot load(byte[] bytes, String name) {
        List<String> problems = problems(bytes);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(
                    "the Sigstore trusted root " + name + " is malformed: " + String.join("; ", problems));
        }
        try {
            return SigstoreTrustedRoot.from(new ByteArrayInputStream(bytes));
        } catch (Exception e) {
            throw new IllegalArgumentException(
                    "cannot load the Sigstore trusted root " + name + ": " + e.getMessage(), e);
        }
    }

    /** What is wrong with a trusted root document, in sentences; empty when nothing is. */
    static List<String> problems(byte[] json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            return List.of("it is not JSON");
        }
        if (root == null || !root.isObject()) {
            return List.of("it is not a JSON object");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode log : root.path("tlogs")) {
            requireStart(log.path("publicKey").path("validFor"), "transparency log " + name(log), out);
        }
        for (JsonNode log : root.path("ctlogs")) {
            requireStart(log.path("publicKey").path("validFor"), "CT log " + name(log), out);
        }
        for (JsonNode ca : root.path("certificateAuthorities")) {
            requireStart(ca.path("validFor"), "certificate authority " + name(ca), out);
        }
        for (JsonNode tsa : root.path("timestampAuthorities")) {
            requireStart(tsa.path("validFor"), "timestamp authority " + name(tsa), out);
        }
        return out;
    }

    private static void requireStart(JsonNode validFor, String what, List<String> out) {
        if (!validFor.path("start").isTextual()
                || validFor.path("start").asText().isBlank()) {
            out.add(what + " has no validFor.start (when its key began to be valid is required)");
        }
    }

    private static String name(JsonNode entry) {
        String url = entry.path("baseUrl").asText(entry.path("uri").asText(""));
        String keyId = entry.path("logId").path("keyId").asText("");
        return (url.isEmpty() ? "" : url + " ") + (keyId.isEmpty() ? "" : "(log id " + keyId + ")");
    }
}
