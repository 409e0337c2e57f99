package dev.portcullis.identity;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** SQL for {@code api_tokens}. Every method runs in the caller's transaction. */
final class TokenRepository {

    record Stored(TokenInfo info, byte[] hash, long userId) {}

    private static final String SELECT =
            "SELECT t.*, u.name AS owner_name FROM api_tokens t JOIN users u ON u.id = t.user_id";

    Optional<Stored> find(Handle h, String id) {
        return h.createQuery(SELECT + " WHERE t.id = :id")
                .bind("id", id)
                .map((rs, ctx) -> new Stored(
                        info(rs), HexFormat.of().parseHex(rs.getString("secret_hash")), rs.getLong("user_id")))
                .findOne();
    }

    List<TokenInfo> list(Handle h) {
        return h.createQuery(SELECT + " ORDER BY t.created_at, t.id")
                .map((rs, ctx) -> info(rs))
                .list();
    }

    void insert(
            Handle h,
            TokenFormat.Parsed parsed,
            long userId,
            String name,
            String hashHex,
            String project,
            String permissions,
            Instant created,
            Instant expires,
            String rotatedFrom) {
        h.createUpdate("INSERT INTO api_tokens (id, kind, user_id, name, secret_hash, project, permissions,"
                        + " created_at, expires_at, rotated_from) VALUES (:id, :kind, :user, :name, :hash,"
                        + " :project, :perms, :created, :expires, :from)")
                .bind("id", parsed.id())
                .bind("kind", parsed.kind().name())
                .bind("user", userId)
                .bind("name", name)
                .bind("hash", hashHex)
                .bind("project", project)
                .bind("perms", permissions)
                .bind("created", created.toEpochMilli())
                .bind("expires", expires.toEpochMilli())
                .bind("from", rotatedFrom)
                .execute();
    }

    /** Revokes if still active; returns whether this call revoked it. */
    boolean revoke(Handle h, String id, Instant now, String by, String reason) {
        return h.createUpdate("UPDATE api_tokens SET revoked_at = :t, revoked_by = :by, revoked_reason = :why"
                                + " WHERE id = :id AND revoked_at IS NULL")
                        .bind("t", now.toEpochMilli())
                        .bind("by", by)
                        .bind("why", reason)
                        .bind("id", id)
                        .execute()
                == 1;
    }

    void expireAt(Handle h, String id, Instant until) {
        h.createUpdate("UPDATE api_tokens SET expires_at = :until WHERE id = :id AND expires_at > :until")
                .bind("until", until.toEpochMilli())
                .bind("id", id)
                .execute();
    }

    void markExpiryWarned(Handle h, String id, Instant now) {
        h.createUpdate("UPDATE api_tokens SET expiry_warned_at = :t WHERE id = :id")
                .bind("t", now.toEpochMilli())
                .bind("id", id)
                .execute();
    }

    /** Active tokens expiring before {@code before} that have not been warned about. */
    List<TokenInfo> expiringUnwarned(Handle h, Instant now, Instant before) {
        return h.createQuery(SELECT + " WHERE t.revoked_at IS NULL AND t.expiry_warned_at IS NULL"
                        + " AND t.expires_at > :now AND t.expires_at <= :before")
                .bind("now", now.toEpochMilli())
                .bind("before", before.toEpochMilli())
                .map((rs, ctx) -> info(rs))
                .list();
    }

    /** Active tokens whose last use (or creation, if never used) is before {@code cutoff}. */
    List<TokenInfo> idleSince(Handle h, Instant now, Instant cutoff) {
        return h.createQuery(SELECT + " WHERE t.revoked_at IS NULL AND t.expires_at > :now"
                        + " AND COALESCE(t.last_used_at, t.created_at) < :cutoff")
                .bind("now", now.toEpochMilli())
                .bind("cutoff", cutoff.toEpochMilli())
                .map((rs, ctx) -> info(rs))
                .list();
    }

    void touch(Handle h, String id, Instant now, String ip, String agent) {
        h.createUpdate(
                        "UPDATE api_tokens SET last_used_at = :t, last_used_ip = :ip, last_used_agent = :ua WHERE id = :id")
                .bind("t", now.toEpochMilli())
                .bind("ip", ip)
                .bind("ua", agent)
                .bind("id", id)
                .execute();
    }

    private static TokenInfo info(ResultSet rs) throws SQLException {
        return new TokenInfo(
                rs.getString("id"),
                TokenFormat.Kind.valueOf(rs.getString("kind")),
                rs.getString("owner_name"),
                rs.getString("name"),
                rs.getString("project"),
                Permission.parseList(rs.getString("permissions")),
                Instant.ofEpochMilli(rs.getLong("created_at")),
                Instant.ofEpochMilli(rs.getLong("expires_at")),
                instant(rs, "last_used_at"),
                rs.getString("last_used_ip"),
                rs.getString("last_used_agent"),
                rs.getString("rotated_from"),
                instant(rs, "revoked_at"),
                rs.getString("revoked_by"),
                rs.getString("revoked_reason"));
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(value);
    }
}
