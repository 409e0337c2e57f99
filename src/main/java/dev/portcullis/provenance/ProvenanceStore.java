package dev.portcullis.provenance;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.portcullis.publish.AttestationCheck;
import dev.portcullis.store.Database;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * The provenance feature's table, {@code file_provenance}: the attestations uploaded with each file
 * and what checking them showed. Written inside the upload's transaction; read for the integrity
 * API and for reviewers.
 */
public final class ProvenanceStore {

    private static final ObjectMapper JSON =
            new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    /** A verified file's attestations (the JSON array as uploaded) and the trusted publisher that signed them. */
    public record Verified(String attestations, String publisherKind, String publisherConfig) {}

    private final Database database;

    public ProvenanceStore(Database database) {
        this.database = database;
    }

    static void insert(Handle h, long fileId, String attestationsJson, AttestationCheck.Checked p) {
        try {
            h.createUpdate(
                            "INSERT INTO file_provenance (file_id, attestations, status, signer, issuer, publisher, publisher_kind,"
                                    + " publisher_config, source, reason) VALUES (:id, :a, :s, :signer, :issuer, :pub, :kind, :config, :source, :reason)")
                    .bind("id", fileId)
                    .bind("a", attestationsJson)
                    .bind("s", p.verified() ? "verified" : "unverified")
                    .bind("signer", p.signer())
                    .bind("issuer", p.issuer())
                    .bind("pub", p.publisher())
                    .bind("kind", p.publisherKind())
                    .bind("config", p.publisherConfig() == null ? null : JSON.writeValueAsString(p.publisherConfig()))
                    .bind("source", JSON.writeValueAsString(p.source()))
                    .bind("reason", p.reason())
                    .execute();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** File {@code fileId}'s attestations, if they were verified against a trusted publisher. */
    public Optional<Verified> verified(long fileId) {
        return database.withHandle(h -> h.createQuery(
                        "SELECT * FROM file_provenance WHERE file_id = :id AND status = 'verified'")
                .bind("id", fileId)
                .map((rs, ctx) -> new Verified(
                        rs.getString("attestations"), rs.getString("publisher_kind"), rs.getString("publisher_config")))
                .findOne());
    }

    /** Per file (by id): what its attestations showed — status, signer, publisher, reason, source — for reviewers. */
    public Map<Long, Map<String, Object>> summaries(List<Long> fileIds) {
        Map<Long, Map<String, Object>> out = new LinkedHashMap<>();
        if (fileIds.isEmpty()) {
            return out;
        }
        database.withHandle(h -> h.createQuery("SELECT * FROM file_provenance WHERE file_id IN (<ids>)")
                .bindList("ids", fileIds)
                .map((rs, ctx) -> {
                    Map<String, Object> p = new LinkedHashMap<>();
                    p.put("status", rs.getString("status"));
                    p.put("signer", rs.getString("signer"));
                    p.put("publisher", rs.getString("publisher"));
                    p.put("reason", rs.getString("reason"));
                    try {
                        p.put("source", JSON.readValue(rs.getString("source"), Map.class));
                    } catch (JsonProcessingException e) {
                        p.put("source", Map.of());
                    }
                    out.put(rs.getLong("file_id"), p);
                    return null;
                })
                .list());
        return out;
    }
}
