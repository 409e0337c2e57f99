package dev.portcullis.identity;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.core.Origin;
import dev.portcullis.store.Database;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * Minted {@code pcl_p_} tokens: stored as hashes with the projects they cover and the CI identity
 * they carry. Owned by {@link Identity}, which authenticates them; written by {@link
 * TrustedPublishing} when it mints.
 */
final class PublishTokenStore {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Database database;
    private final Clock clock;

    PublishTokenStore(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    void insert(
            Handle h,
            TokenFormat.Parsed parsed,
            String hashHex,
            long publisherId,
            List<String> projects,
            PublisherIdentity identity,
            Instant created,
            Instant expires) {
        String json;
        try {
            json = JSON.writeValueAsString(identity);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        h.createUpdate(
                        "INSERT INTO publish_tokens (id, secret_hash, publisher_id, projects, identity, created_at, expires_at)"
                                + " VALUES (:id, :hash, :pub, :projects, :identity, :t, :e)")
                .bind("id", parsed.id())
                .bind("hash", hashHex)
                .bind("pub", publisherId)
                .bind("projects", String.join(",", projects))
                .bind("identity", json)
                .bind("t", created.toEpochMilli())
                .bind("e", expires.toEpochMilli())
                .execute();
    }

    /** The principal of a valid, unexpired minted token; otherwise empty, with the reason appended. */
    Optional<Principal> authenticate(
            TokenFormat.Parsed parsed, byte[] presentedHash, Origin origin, StringBuilder refusal) {
        record Row(String hash, String projects, String identity, long expires, Long lastUsed, String lastIp) {}
        Optional<Row> row = database.withHandle(h -> h.createQuery("SELECT * FROM publish_tokens WHERE id = :id")
                .bind("id", parsed.id())
                .map((rs, ctx) -> new Row(
                        rs.getString("secret_hash"),
                        rs.getString("projects"),
                        rs.getString("identity"),
                        rs.getLong("expires_at"),
                        java.util.Optional.ofNullable(TokenRepository.instant(rs, "last_used_at"))
                                .map(Instant::toEpochMilli)
                                .orElse(null),
                        rs.getString("last_used_ip")))
                .findOne());
        byte[] expected = row.map(r -> HexFormat.of().parseHex(r.hash())).orElse(new byte[32]);
        boolean matches = MessageDigest.isEqual(expected, presentedHash);
        if (row.isEmpty() || !matches) {
            refusal.append("unknown token");
            return Optional.empty();
        }
        Instant expires = Instant.ofEpochMilli(row.get().expires());
        if (!clock.instant().isBefore(expires)) {
            refusal.append("token expired at ").append(expires);
            return Optional.empty();
        }
        PublisherIdentity who;
        try {
            who = JSON.readValue(row.get().identity(), PublisherIdentity.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored publisher identity is unreadable", e);
        }
        Long lastUsed = row.get().lastUsed();
        if (lastUsed == null
                || clock.millis() - lastUsed >= Authenticator.TOUCH_INTERVAL.toMillis()
                || !java.util.Objects.equals(row.get().lastIp(), origin.ip())) {
            database.inTransaction(h -> h.createUpdate(
                            "UPDATE publish_tokens SET last_used_at = :t, last_used_ip = :ip WHERE id = :id")
                    .bind("t", clock.millis())
                    .bind("ip", origin.ip())
                    .bind("id", parsed.id())
                    .execute());
        }
        List<RoleGrant> grants = List.of(row.get().projects().split(",")).stream()
                .map(p -> new RoleGrant(p, Role.MAINTAINER))
                .toList();
        // Upload, and read the state of its own projects (so CI can wait for the approval: release wait).
        return Optional.of(new Principal(
                0, "trusted-publisher", parsed.id(), null, Set.of(Permission.UPLOAD, Permission.READ), grants, who));
    }

    /** Deletes minted tokens a day past expiry. */
    int purge(Handle h) {
        return h.createUpdate("DELETE FROM publish_tokens WHERE expires_at < :cutoff")
                .bind("cutoff", clock.millis() - 86_400_000L)
                .execute();
    }
}
