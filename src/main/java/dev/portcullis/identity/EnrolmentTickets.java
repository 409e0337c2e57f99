package dev.portcullis.identity;

import dev.portcullis.core.Origin;
import dev.portcullis.core.Refusal;
import dev.portcullis.events.Event;
import dev.portcullis.events.EventLog;
import dev.portcullis.store.Database;
import dev.portcullis.store.Sha256;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Second-factor enrolment tickets: the only way a factor is enrolled. A ticket is issued by a
 * global admin (with their own second factor) or by the local operator — when a user is added or
 * their factor is reset — is shown once, stored as a SHA-256 hash, expires after 24 hours and is
 * used up by the confirmation. Issuing a new one voids the user's earlier tickets. So a stolen API
 * token, whatever its permissions, can never register the attacker's authenticator.
 */
final class EnrolmentTickets {

    static final Duration LIFETIME = Duration.ofHours(24);
    private static final byte[] NO_TICKET = new byte[32];

    /** A ticket that checked out: whose it is. */
    record Redeemable(String id, long userId, String userName) {}

    private final Database database;
    private final EventLog events;
    private final Clock clock;
    private final TokenFormat format;

    EnrolmentTickets(Database database, EventLog events, Clock clock, TokenFormat format) {
        this.database = database;
        this.events = events;
        this.clock = clock;
        this.format = format;
    }

    /** Issues a ticket for {@code userId} inside the caller's transaction, voiding earlier ones. */
    EnrolmentTicket issue(Handle h, long userId, String userName, String actor, Origin origin) {
        Instant now = clock.instant();
        h.createUpdate(
                        "UPDATE enrolment_tickets SET revoked_at = :t WHERE user_id = :u AND used_at IS NULL AND revoked_at IS NULL")
                .bind("t", now.toEpochMilli())
                .bind("u", userId)
                .execute();
        String secret = format.generate(TokenFormat.Kind.ENROLMENT);
        TokenFormat.Parsed parsed = TokenFormat.parse(secret).orElseThrow();
        Instant expires = now.plus(LIFETIME);
        h.createUpdate("INSERT INTO enrolment_tickets (id, user_id, secret_hash, created_at, created_by, expires_at)"
                        + " VALUES (:id, :u, :hash, :t, :by, :e)")
                .bind("id", parsed.id())
                .bind("u", userId)
                .bind("hash", Sha256.hex(secret))
                .bind("t", now.toEpochMilli())
                .bind("by", actor)
                .bind("e", expires.toEpochMilli())
                .execute();
        events.append(
                h,
                new Event(
                        "EnrolmentTicketIssued",
                        actor,
                        null,
                        userName,
                        origin,
                        Map.of("ticket", parsed.id(), "expires", expires.toString())));
        return new EnrolmentTicket(secret, userName, expires);
    }

    /** The user a presented ticket enrols, if it is genuine, unused, unrevoked and unexpired. */
    Optional<Redeemable> check(String presented) {
        Optional<TokenFormat.Parsed> parsed = TokenFormat.parse(presented == null ? null : presented.strip());
        if (parsed.isEmpty() || parsed.get().kind() != TokenFormat.Kind.ENROLMENT) {
            return Optional.empty();
        }
        record Row(long userId, String name, String hash, long expires, boolean used, boolean revoked) {}
        Optional<Row> row =
                database.withHandle(h -> h.createQuery("SELECT t.*, u.name AS user_name FROM enrolment_tickets t"
                                + " JOIN users u ON u.id = t.user_id WHERE t.id = :id")
                        .bind("id", parsed.get().id())
                        .map((rs, ctx) -> new Row(
                                rs.getLong("user_id"),
                                rs.getString("user_name"),
                                rs.getString("secret_hash"),
                                rs.getLong("expires_at"),
                                TokenRepository.instant(rs, "used_at") != null,
                                TokenRepository.instant(rs, "revoked_at") != null))
                        .findOne());
        byte[] expected = row.map(r -> HexFormat.of().parseHex(r.hash())).orElse(NO_TICKET);
        if (!MessageDigest.isEqual(expected, Sha256.of(parsed.get().token())) || row.isEmpty()) {
            return Optional.empty();
        }
        Row r = row.get();
        if (r.used() || r.revoked() || clock.millis() >= r.expires()) {
            return Optional.empty();
        }
        return Optional.of(new Redeemable(parsed.get().id(), r.userId(), r.name()));
    }

    /** Uses the ticket up inside the caller's transaction; false if it was used or voided concurrently. */
    boolean use(Handle h, Redeemable ticket) {
        return h.createUpdate(
                                "UPDATE enrolment_tickets SET used_at = :t WHERE id = :id AND used_at IS NULL AND revoked_at IS NULL")
                        .bind("t", clock.millis())
                        .bind("id", ticket.id())
                        .execute()
                == 1;
    }

    static Refusal refused() {
        return new Refusal.Forbidden("the enrolment ticket is unknown, used, voided or expired:"
                + " ask an admin for a new one (portcullis admin reset-mfa USER, or portcullis user reset-mfa USER)");
    }
}
