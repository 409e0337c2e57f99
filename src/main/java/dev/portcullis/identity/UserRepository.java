package dev.portcullis.identity;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** SQL for users, their roles and recovery codes. Every method runs in the caller's transaction. */
final class UserRepository {

    /** A user row with the sealed MFA state, which never leaves the identity package. */
    record Row(User user, String sealedSecret, long lastStep) {}

    Optional<Row> find(Handle h, String name) {
        return h.createQuery("SELECT * FROM users WHERE name = :n")
                .bind("n", name)
                .map((rs, ctx) -> row(h, rs))
                .findOne();
    }

    Optional<Row> find(Handle h, long id) {
        return h.createQuery("SELECT * FROM users WHERE id = :id")
                .bind("id", id)
                .map((rs, ctx) -> row(h, rs))
                .findOne();
    }

    List<User> list(Handle h) {
        return h.createQuery("SELECT * FROM users ORDER BY name")
                .map((rs, ctx) -> row(h, rs).user())
                .list();
    }

    boolean any(Handle h) {
        return h.createQuery("SELECT COUNT(*) FROM users").mapTo(Long.class).one() > 0;
    }

    void insert(Handle h, String name, Instant now) {
        h.createUpdate("INSERT INTO users (name, created_at) VALUES (:n, :t)")
                .bind("n", name)
                .bind("t", now.toEpochMilli())
                .execute();
    }

    boolean grant(Handle h, long userId, RoleGrant grant, Instant now, String by) {
        return h.createUpdate(
                                "INSERT INTO user_roles (user_id, project, role, granted_at, granted_by) VALUES (:u, :p, :r, :t, :by)"
                                        + " ON CONFLICT (user_id, project, role) DO NOTHING")
                        .bind("u", userId)
                        .bind("p", grant.project())
                        .bind("r", grant.role().wireName())
                        .bind("t", now.toEpochMilli())
                        .bind("by", by)
                        .execute()
                == 1;
    }

    boolean revoke(Handle h, long userId, RoleGrant grant) {
        return h.createUpdate("DELETE FROM user_roles WHERE user_id = :u AND project = :p AND role = :r")
                        .bind("u", userId)
                        .bind("p", grant.project())
                        .bind("r", grant.role().wireName())
                        .execute()
                == 1;
    }

    void touch(Handle h, long userId, Instant now) {
        h.createUpdate("UPDATE users SET last_active_at = :t WHERE id = :id")
                .bind("t", now.toEpochMilli())
                .bind("id", userId)
                .execute();
    }

    boolean disable(Handle h, long userId, Instant now, String reason) {
        return h.createUpdate(
                                "UPDATE users SET disabled_at = :t, disabled_reason = :why WHERE id = :id AND disabled_at IS NULL")
                        .bind("t", now.toEpochMilli())
                        .bind("why", reason)
                        .bind("id", userId)
                        .execute()
                == 1;
    }

    /** Re-enables and counts the day as activity, so housekeeping does not disable it again at once. */
    boolean enable(Handle h, long userId, Instant now) {
        return h.createUpdate("UPDATE users SET disabled_at = NULL, disabled_reason = NULL, last_active_at = :t"
                                + " WHERE id = :id AND disabled_at IS NOT NULL")
                        .bind("t", now.toEpochMilli())
                        .bind("id", userId)
                        .execute()
                == 1;
    }

    /** Enabled, active accounts whose last activity (or creation) is before {@code cutoff}. */
    List<User> idleSince(Handle h, Instant cutoff) {
        return h.createQuery(
                        "SELECT * FROM users WHERE disabled_at IS NULL AND COALESCE(last_active_at, created_at) < :c")
                .bind("c", cutoff.toEpochMilli())
                .map((rs, ctx) -> row(h, rs).user())
                .list();
    }

    void setPendingSecret(Handle h, long userId, String sealed) {
        h.createUpdate("UPDATE users SET mfa_secret = :s, mfa_enabled_at = NULL, mfa_last_step = NULL WHERE id = :id")
                .bind("s", sealed)
                .bind("id", userId)
                .execute();
    }

    void clearMfa(Handle h, long userId) {
        h.createUpdate("UPDATE users SET mfa_secret = NULL, mfa_enabled_at = NULL, mfa_last_step = NULL WHERE id = :id")
                .bind("id", userId)
                .execute();
    }

    void enableMfa(Handle h, long userId, Instant now, long step) {
        h.createUpdate("UPDATE users SET mfa_enabled_at = :t, mfa_last_step = :step WHERE id = :id")
                .bind("t", now.toEpochMilli())
                .bind("step", step)
                .bind("id", userId)
                .execute();
    }

    /** Records the accepted step; false if a concurrent request used this or a later step first. */
    boolean useStep(Handle h, long userId, long step) {
        return h.createUpdate(
                                "UPDATE users SET mfa_last_step = :step WHERE id = :id AND (mfa_last_step IS NULL OR mfa_last_step < :step)")
                        .bind("step", step)
                        .bind("id", userId)
                        .execute()
                == 1;
    }

    void replaceRecoveryCodes(Handle h, long userId, List<String> hashes, Instant now) {
        h.createUpdate("DELETE FROM recovery_codes WHERE user_id = :u")
                .bind("u", userId)
                .execute();
        for (String hash : hashes) {
            h.createUpdate("INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES (:u, :c, :t)")
                    .bind("u", userId)
                    .bind("c", hash)
                    .bind("t", now.toEpochMilli())
                    .execute();
        }
    }

    boolean useRecoveryCode(Handle h, long userId, String hash, Instant now) {
        return h.createUpdate(
                                "UPDATE recovery_codes SET used_at = :t WHERE user_id = :u AND code_hash = :c AND used_at IS NULL")
                        .bind("t", now.toEpochMilli())
                        .bind("u", userId)
                        .bind("c", hash)
                        .execute()
                == 1;
    }

    private Row row(Handle h, ResultSet rs) throws SQLException {
        long id = rs.getLong("id");
        List<RoleGrant> grants = h.createQuery(
                        "SELECT project, role FROM user_roles WHERE user_id = :u ORDER BY project, role")
                .bind("u", id)
                .map((r, ctx) -> new RoleGrant(r.getString("project"), Role.parse(r.getString("role"))))
                .list();
        User user = new User(
                id,
                rs.getString("name"),
                grants,
                Instant.ofEpochMilli(rs.getLong("created_at")),
                TokenRepository.instant(rs, "last_active_at"),
                TokenRepository.instant(rs, "disabled_at"),
                rs.getString("disabled_reason"),
                TokenRepository.instant(rs, "mfa_enabled_at") != null);
        long lastStep = rs.getLong("mfa_last_step");
        return new Row(user, rs.getString("mfa_secret"), rs.wasNull() ? Long.MIN_VALUE : lastStep);
    }
}
