package dev.portcullis.identity;

import dev.portcullis.core.Origin;
import dev.portcullis.events.Event;
import dev.portcullis.events.EventLog;
import dev.portcullis.store.Database;
import dev.portcullis.store.Sha256;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Browser sessions of the approver's page. A session is opened by a sign-in (an API token, or the
 * organisation's OpenID Connect provider) and is a random 256-bit secret in a cookie; the database
 * keeps only its SHA-256. It ends at the first of: sign-out, sign-out everywhere, the idle timeout,
 * the absolute timeout, the user being disabled, and — for a token sign-in — the token being revoked
 * or expiring.
 *
 * <p>What a session may do is never more than what signed it in: a token's session carries that
 * token's project and, of its permissions, only {@code read}, {@code approve} and {@code admin} (the
 * page uploads nothing; its one credential action is revoking a token); a provider's session carries
 * those three, bounded as every token is by the user's roles — the local ones and those the
 * provider's groups mapped to at sign-in. Every decision and revocation needs a fresh second factor.
 */
public final class WebSessions {

    /** A session as the page sees it; {@code id} is a short public name (a prefix of the secret's hash) for events. */
    public record Session(
            String id,
            long userId,
            String userName,
            String method,
            String tokenId,
            List<RoleGrant> providerGrants,
            Instant createdAt,
            Instant expiresAt) {}

    /** A new session: the secret for the cookie (shown to nobody else) and the session. */
    public record Opened(String secret, Session session) {}

    private static final Set<Permission> PAGE_PERMISSIONS =
            EnumSet.of(Permission.READ, Permission.APPROVE, Permission.ADMIN);
    private static final Duration TOUCH_INTERVAL = Duration.ofMinutes(1);

    private final Database database;
    private final EventLog events;
    private final Clock clock;
    private final SecureRandom random;
    private final Duration idle;
    private final Duration absolute;

    WebSessions(
            Database database, EventLog events, Clock clock, SecureRandom random, Duration idle, Duration absolute) {
        this.database = database;
        this.events = events;
        this.clock = clock;
        this.random = random;
        this.idle = idle;
        this.absolute = absolute;
    }

    public Duration idleTimeout() {
        return idle;
    }

    public Duration absoluteTimeout() {
        return absolute;
    }

    /** Opens a session for a user whose sign-in was checked ({@code method}: {@code token} or {@code oidc}). */
    Opened open(User user, String method, String tokenId, List<RoleGrant> providerGrants, Origin origin) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        String hash = Sha256.hex(secret);
        Instant now = clock.instant();
        Instant expires = now.plus(absolute);
        Session session = new Session(
                hash.substring(0, 12), user.id(), user.name(), method, tokenId, providerGrants, now, expires);
        database.inTransaction(h -> {
            h.createUpdate(
                            "INSERT INTO web_sessions (id_hash, user_id, method, token_id, grants, created_at,"
                                    + " last_seen_at, expires_at, ip, user_agent) VALUES (:h, :u, :m, :t, :g, :c, :c, :e, :ip, :ua)")
                    .bind("h", hash)
                    .bind("u", user.id())
                    .bind("m", method)
                    .bind("t", tokenId)
                    .bind("g", formatGrants(providerGrants))
                    .bind("c", now.toEpochMilli())
                    .bind("e", expires.toEpochMilli())
                    .bind("ip", origin.ip())
                    .bind("ua", origin.userAgent())
                    .execute();
            events.append(
                    h,
                    new Event(
                            "WebSignedIn",
                            actor(session),
                            null,
                            user.name(),
                            origin,
                            Map.of(
                                    "method",
                                    method,
                                    "session",
                                    session.id(),
                                    "provider_roles",
                                    providerGrants.stream()
                                            .map(RoleGrant::toString)
                                            .toList())));
            return null;
        });
        return new Opened(secret, session);
    }

    /** The open session a cookie names, or empty (unknown, closed, idle too long, past its absolute end). */
    public Optional<Session> find(String secret) {
        if (secret == null || secret.isEmpty() || secret.length() > 100) {
            return Optional.empty();
        }
        String hash = Sha256.hex(secret);
        Instant now = clock.instant();
        record Row(Session session, Instant lastSeen, Instant closed) {}
        Optional<Row> row = database.withHandle(h -> h.createQuery(
                        "SELECT s.user_id, u.name, s.method, s.token_id, s.grants, s.created_at, s.last_seen_at,"
                                + " s.expires_at, s.closed_at FROM web_sessions s JOIN users u ON u.id = s.user_id"
                                + " WHERE s.id_hash = :h")
                .bind("h", hash)
                .map((rs, ctx) -> new Row(
                        new Session(
                                hash.substring(0, 12),
                                rs.getLong(1),
                                rs.getString(2),
                                rs.getString(3),
                                rs.getString(4),
                                parseGrants(rs.getString(5)),
                                Instant.ofEpochMilli(rs.getLong(6)),
                                Instant.ofEpochMilli(rs.getLong(8))),
                        Instant.ofEpochMilli(rs.getLong(7)),
                        rs.getObject(9) == null ? null : Instant.ofEpochMilli(rs.getLong(9))))
                .findOne());
        if (row.isEmpty() || row.get().closed() != null) {
            return Optional.empty();
        }
        if (!now.isBefore(row.get().session().expiresAt())
                || !now.isBefore(row.get().lastSeen().plus(idle))) {
            close(hash, "timed out");
            return Optional.empty();
        }
        if (!row.get().lastSeen().plus(TOUCH_INTERVAL).isAfter(now)) {
            database.inTransaction(h -> h.createUpdate(
                            "UPDATE web_sessions SET last_seen_at = :t WHERE id_hash = :h AND closed_at IS NULL")
                    .bind("t", now.toEpochMilli())
                    .bind("h", hash)
                    .execute());
        }
        return Optional.of(row.get().session());
    }

    /** Signs one session out. */
    public void signOut(String secret, Origin origin) {
        find(secret).ifPresent(session -> {
            close(Sha256.hex(secret), "signed out");
            events.append(new Event(
                    "WebSignedOut", actor(session), null, session.userName(), origin, Map.of("session", session.id())));
        });
    }

    /** Signs every session of the session's user out (a lost laptop, a shared screen). Returns how many. */
    public int signOutEverywhere(Session session, Origin origin) {
        int closed = database.inTransaction(h -> {
            int n = h.createUpdate("UPDATE web_sessions SET closed_at = :t, closed_reason = 'signed out everywhere'"
                            + " WHERE user_id = :u AND closed_at IS NULL")
                    .bind("t", clock.millis())
                    .bind("u", session.userId())
                    .execute();
            events.append(
                    h,
                    new Event(
                            "WebSignedOutEverywhere",
                            actor(session),
                            null,
                            session.userName(),
                            origin,
                            Map.of("sessions", n)));
            return n;
        });
        return closed;
    }

    /** Deletes sessions that ended (closed, or past their absolute end) before {@code cutoff}. */
    static int purge(org.jdbi.v3.core.Handle h, Instant cutoff) {
        return h.createUpdate("DELETE FROM web_sessions WHERE closed_at < :c OR expires_at < :c")
                .bind("c", cutoff.toEpochMilli())
                .execute();
    }

    private void close(String hash, String reason) {
        database.inTransaction(h -> h.createUpdate("UPDATE web_sessions SET closed_at = :t, closed_reason = :r"
                        + " WHERE id_hash = :h AND closed_at IS NULL")
                .bind("t", clock.millis())
                .bind("r", reason)
                .bind("h", hash)
                .execute());
    }

    /**
     * The page's permissions: {@code read}, {@code approve} and {@code admin} (which on the page
     * only revokes tokens), and of a token's session only those the token has.
     */
    static Set<Permission> permissions(Set<Permission> token) {
        if (token == null) {
            return PAGE_PERMISSIONS;
        }
        Set<Permission> out = EnumSet.noneOf(Permission.class);
        for (Permission p : token) {
            if (PAGE_PERMISSIONS.contains(p)) {
                out.add(p);
            }
        }
        return out;
    }

    /**
     * The per-session anti-forgery token for forms: derived from the cookie's secret (so a page
     * from elsewhere, which cannot read the cookie, cannot compute it), never stored.
     */
    public static String csrfToken(String secret) {
        return Sha256.hex("portcullis-csrf\0" + secret).substring(0, 43);
    }

    /** Event actor of a session: the user and the session's public name. */
    public static String actor(Session session) {
        return session.userName() + " (web session " + session.id() + ")";
    }

    static String formatGrants(List<RoleGrant> grants) {
        List<String> lines = new ArrayList<>();
        for (RoleGrant g : grants) {
            lines.add(g.role().wireName() + "@" + g.project());
        }
        return String.join("\n", lines);
    }

    static List<RoleGrant> parseGrants(String text) {
        List<RoleGrant> grants = new ArrayList<>();
        if (text == null || text.isEmpty()) {
            return grants;
        }
        for (String line : text.split("\n")) {
            int at = line.indexOf('@');
            grants.add(new RoleGrant(line.substring(at + 1), Role.parse(line.substring(0, at))));
        }
        return grants;
    }
}
