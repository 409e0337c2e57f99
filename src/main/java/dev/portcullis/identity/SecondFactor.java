package dev.portcullis.identity;

import dev.portcullis.core.Origin;
import dev.portcullis.core.Refusal;
import dev.portcullis.events.Event;
import dev.portcullis.events.EventLog;
import dev.portcullis.store.Database;
import dev.portcullis.store.SecretBox;
import dev.portcullis.store.Sha256;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.jdbi.v3.core.Handle;

/**
 * TOTP enrolment and step-up verification (RFC 6238), and one-time recovery codes.
 *
 * <p>A factor is enrolled only with an enrolment ticket ({@link EnrolmentTickets}). The TOTP secret is stored sealed ({@link SecretBox}); recovery codes as SHA-256 hashes. A
 * code is accepted once: the accepted time step is recorded with a guarded update, so a replay —
 * also a concurrent one, also on another process — fails. Failed codes are counted per user over
 * the throttle window; past the limit, step-up is refused until the window passes.
 */
final class SecondFactor {

    static final String PURPOSE = "totp-secret";
    private static final int RECOVERY_CODES = 10;

    private final Database database;
    private final UserRepository users;
    private final EventLog events;
    private final Clock clock;
    private final SecretBox secrets;
    private final SecureRandom random;
    private final IdentitySettings settings;
    private final EnrolmentTickets tickets;

    SecondFactor(
            Database database,
            UserRepository users,
            EventLog events,
            Clock clock,
            SecretBox secrets,
            SecureRandom random,
            IdentitySettings settings,
            EnrolmentTickets tickets) {
        this.tickets = tickets;
        this.database = database;
        this.users = users;
        this.events = events;
        this.clock = clock;
        this.secrets = secrets;
        this.random = random;
        this.settings = settings;
    }

    /**
     * Starts (or restarts) enrolment with an enrolment ticket, the only way to enrol: a token, however
     * powerful, never enrols a factor. A user who already has one needs an admin to reset it, which
     * issues a new ticket.
     */
    MfaEnrollment enroll(String ticket, Origin origin) {
        EnrolmentTickets.Redeemable redeemable = redeem(ticket, "start MFA enrolment", origin);
        UserRepository.Row row =
                database.withHandle(h -> users.find(h, redeemable.userId())).orElseThrow();
        if (row.user().mfaEnabled()) {
            throw new Refusal.Invalid(redeemable.userName() + " already has a second factor; an admin resets it"
                    + " (portcullis admin reset-mfa " + redeemable.userName() + ") and hands over the new ticket");
        }
        byte[] secret = new byte[20];
        random.nextBytes(secret);
        database.inTransaction(h -> {
            users.setPendingSecret(h, redeemable.userId(), secrets.seal(secret, PURPOSE));
            events.append(
                    h,
                    new Event(
                            "MfaEnrollmentStarted", actor(redeemable), null, redeemable.userName(), origin, Map.of()));
            return null;
        });
        return new MfaEnrollment(Totp.base32(secret), Totp.uri("Portcullis", redeemable.userName(), secret));
    }

    /** Confirms enrolment with the ticket and a first code; uses the ticket up; returns fresh recovery codes (shown once). */
    List<String> confirm(String ticket, String otp, Origin origin) {
        EnrolmentTickets.Redeemable redeemable = redeem(ticket, "confirm MFA enrolment", origin);
        UserRepository.Row row =
                database.withHandle(h -> users.find(h, redeemable.userId())).orElseThrow();
        if (row.user().mfaEnabled()) {
            throw new Refusal.Invalid("MFA is already enabled for " + redeemable.userName());
        }
        if (row.sealedSecret() == null) {
            throw new Refusal.Invalid("no MFA enrolment in progress: run `portcullis mfa enroll --ticket T` first");
        }
        String who = actor(redeemable);
        requireNotThrottled(redeemable.userName(), who, "confirm MFA enrolment", origin);
        byte[] secret = secrets.open(row.sealedSecret(), PURPOSE);
        OptionalLong step = otp == null
                ? OptionalLong.empty()
                : Totp.match(secret, otp.trim(), Totp.step(clock.instant().getEpochSecond()), Long.MIN_VALUE);
        if (step.isEmpty()) {
            fail(who, redeemable.userName(), "wrong code while confirming MFA enrolment", origin);
        }
        List<String> codes = new ArrayList<>();
        List<String> hashes = new ArrayList<>();
        for (int i = 0; i < RECOVERY_CODES; i++) {
            String code = recoveryCode();
            codes.add(code);
            hashes.add(Sha256.hex(code));
        }
        database.inTransaction(h -> {
            if (!tickets.use(h, redeemable)) {
                throw EnrolmentTickets.refused();
            }
            users.enableMfa(h, redeemable.userId(), clock.instant(), step.getAsLong());
            users.replaceRecoveryCodes(h, redeemable.userId(), hashes, clock.instant());
            events.append(
                    h, new Event("MfaEnabled", who, null, redeemable.userName(), origin, Map.of("method", "totp")));
            return null;
        });
        return codes;
    }

    /** Removes a user's factors (TOTP, recovery codes, security keys) inside the caller's transaction (an admin's reset). */
    void reset(Handle h, long userId) {
        SecurityKeys.removeAll(h, userId);
        users.clearMfa(h, userId);
        users.replaceRecoveryCodes(h, userId, List.of(), clock.instant());
    }

    private EnrolmentTickets.Redeemable redeem(String ticket, String action, Origin origin) {
        return tickets.check(ticket).orElseThrow(() -> {
            events.appendCounted(
                    new Event("EnrolmentTicketRefused", null, null, null, origin, Map.of("action", action)),
                    origin.ip());
            return EnrolmentTickets.refused();
        });
    }

    private static String actor(EnrolmentTickets.Redeemable ticket) {
        return ticket.userName() + " (enrolment ticket " + ticket.id() + ")";
    }

    /**
     * Step-up: a fresh TOTP code (or an unused recovery code) for {@code action}. Throws {@link
     * dev.portcullis.core.Refusal.SecondFactor} or {@link dev.portcullis.core.Refusal.Throttled} otherwise.
     */
    void verify(Principal principal, String otp, String action, Origin origin) {
        UserRepository.Row row = row(principal);
        if (!row.user().mfaEnabled()) {
            missing(
                    principal,
                    action,
                    "a second factor is required to " + action + ", and " + principal.userName()
                            + " has no one-time codes: use your security key on the web page (/ui/), or enrol TOTP"
                            + " with the ticket an admin gives you (`portcullis mfa enroll --ticket T`)",
                    origin);
        }
        if (otp == null || otp.isBlank()) {
            missing(principal, action, "a fresh one-time code is required to " + action + " (pass --otp CODE)", origin);
        }
        requireNotThrottled(principal.userName(), principal.actor(), action, origin);
        String code = otp.trim();
        if (code.matches("\\d{6}")) {
            byte[] secret = secrets.open(row.sealedSecret(), PURPOSE);
            OptionalLong step =
                    Totp.match(secret, code, Totp.step(clock.instant().getEpochSecond()), row.lastStep());
            boolean accepted = step.isPresent()
                    && database.inTransaction(h -> {
                        boolean used = users.useStep(h, principal.userId(), step.getAsLong());
                        if (used) {
                            events.append(
                                    h,
                                    new Event(
                                            "SecondFactorVerified",
                                            principal.actor(),
                                            null,
                                            principal.userName(),
                                            origin,
                                            Map.of("action", action, "method", "totp")));
                        }
                        return used;
                    });
            if (!accepted) {
                fail(
                        principal.actor(),
                        principal.userName(),
                        "wrong, expired or already used one-time code (to " + action + ")",
                        origin);
            }
            return;
        }
        boolean recovered = database.inTransaction(h -> {
            boolean used = users.useRecoveryCode(h, principal.userId(), Sha256.hex(code), clock.instant());
            if (used) {
                events.append(
                        h,
                        new Event(
                                "RecoveryCodeUsed",
                                principal.actor(),
                                null,
                                principal.userName(),
                                origin,
                                Map.of("action", action)));
            }
            return used;
        });
        if (!recovered) {
            fail(
                    principal.actor(),
                    principal.userName(),
                    "wrong or already used recovery code (to " + action + ")",
                    origin);
        }
    }

    private void missing(Principal principal, String action, String why, Origin origin) {
        events.appendCounted(
                new Event(
                        "SecondFactorMissing",
                        principal.actor(),
                        null,
                        principal.userName(),
                        origin,
                        Map.of("action", action)),
                principal.actor());
        throw new Refusal.SecondFactor(why);
    }

    private void fail(String actor, String user, String why, Origin origin) {
        events.append(new Event("SecondFactorFailed", actor, null, user, origin, Map.of("reason", why)));
        throw new Refusal.SecondFactor(why);
    }

    /** Past the limit of wrong codes for {@code user} in the window, step-up is refused until the window passes. */
    private void requireNotThrottled(String user, String actor, String action, Origin origin) {
        Instant since = clock.instant().minus(settings.throttleWindow());
        long failures = events.count("SecondFactorFailed", user, since);
        if (failures >= settings.maxMfaFailures()) {
            events.appendCounted(
                    new Event("SecondFactorThrottled", actor, null, user, origin, Map.of("action", action)), user);
            throw new Refusal.Throttled("too many wrong one-time codes for " + user + "; try again in "
                    + settings.throttleWindow().toMinutes() + " minutes");
        }
    }

    private UserRepository.Row row(Principal principal) {
        return database.withHandle(h -> users.find(h, principal.userId()))
                .orElseThrow(() -> new Refusal.NotFound("no user " + principal.userName()));
    }

    private String recoveryCode() {
        String alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
        StringBuilder code = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            if (i == 4 || i == 8) {
                code.append('-');
            }
            code.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return code.toString();
    }
}
