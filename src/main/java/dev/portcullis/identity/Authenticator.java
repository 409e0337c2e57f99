package dev.portcullis.identity;

import dev.portcullis.core.Origin;
import dev.portcullis.events.AlertSink;
import dev.portcullis.events.Event;
import dev.portcullis.events.EventLog;
import dev.portcullis.store.Database;
import dev.portcullis.store.Sha256;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Checks a presented token. A malformed token or a bad checksum is refused without a look-up;
 * otherwise the hash is compared in constant time, then expiry, revocation and the owner's state.
 * Failures are counted ({@link FailureThrottle}) and recorded as counted events — the first per
 * address and minute, then one summary — so a flood of bad tokens neither locks anyone out nor
 * grows the database without bound. Successful uses update the token's last use at most once a
 * minute per token (or when the address or client changes): no database write per request.
 */
final class Authenticator {

    /** A hash no token has, compared against when the id is unknown, so the work is the same. */
    private static final byte[] NO_TOKEN = new byte[32];

    static final Duration TOUCH_INTERVAL = Duration.ofMinutes(1);

    private final Database database;
    private final EventLog events;
    private final Clock clock;
    private final IdentitySettings settings;
    private final AlertSink alerts;
    private final UserRepository users;
    private final TokenRepository tokens;
    private final PublishTokenStore publishTokens;
    private final FailureThrottle throttle;

    Authenticator(
            Database database,
            EventLog events,
            Clock clock,
            IdentitySettings settings,
            AlertSink alerts,
            UserRepository users,
            TokenRepository tokens,
            PublishTokenStore publishTokens) {
        this.database = database;
        this.events = events;
        this.clock = clock;
        this.settings = settings;
        this.alerts = alerts;
        this.users = users;
        this.tokens = tokens;
        this.publishTokens = publishTokens;
        this.throttle = new FailureThrottle(
                settings.throttleWindow(), settings.maxFailuresPerAddress(), settings.maxFailuresPerToken());
    }

    Authentication authenticate(String presented, Origin origin) {
        Optional<TokenFormat.Parsed> parsed = TokenFormat.parse(presented);
        if (parsed.isEmpty()) {
            return refuse(null, "malformed token", origin);
        }
        String id = parsed.get().id();
        return switch (parsed.get().kind()) {
            case ENROLMENT -> refuse(id, "an enrolment ticket is not an API token", origin);
            case PUBLISH -> {
                StringBuilder refusal = new StringBuilder();
                Optional<Principal> publisher =
                        publishTokens.authenticate(parsed.get(), Sha256.of(presented), origin, refusal);
                yield publisher
                        .<Authentication>map(Authentication.Authenticated::new)
                        .orElseGet(() -> refuse(id, refusal.toString(), origin));
            }
            case USER -> user(parsed.get(), origin);
        };
    }

    private Authentication user(TokenFormat.Parsed parsed, Origin origin) {
        Instant now = clock.instant();
        String id = parsed.id();
        Optional<TokenRepository.Stored> stored = database.withHandle(h -> tokens.find(h, id));
        byte[] expected = stored.map(TokenRepository.Stored::hash).orElse(NO_TOKEN);
        boolean matches = MessageDigest.isEqual(expected, Sha256.of(parsed.token()));
        if (stored.isEmpty() || !matches) {
            return refuse(id, "unknown token", origin);
        }
        TokenInfo token = stored.get().info();
        if (token.revokedAt() != null) {
            return refuse(id, "token was revoked (" + token.revokedReason() + ")", origin);
        }
        if (!now.isBefore(token.expiresAt())) {
            return refuse(id, "token expired at " + token.expiresAt(), origin);
        }
        User owner = database.withHandle(h -> users.find(h, stored.get().userId()))
                .orElseThrow()
                .user();
        if (owner.disabled()) {
            return refuse(id, "the token's owner is disabled (" + owner.disabledReason() + ")", origin);
        }
        if (dueForTouch(token, now, origin)) {
            database.inTransaction(h -> {
                tokens.touch(h, id, now, origin.ip(), origin.userAgent());
                users.touch(h, owner.id(), now);
                return null;
            });
        }
        return new Authentication.Authenticated(
                new Principal(owner.id(), owner.name(), id, token.project(), token.permissions(), owner.grants()));
    }

    /** Last use is bookkeeping for the inventory and the idle rules: a minute's resolution is enough. */
    private static boolean dueForTouch(TokenInfo token, Instant now, Origin origin) {
        return token.lastUsedAt() == null
                || !token.lastUsedAt().plus(TOUCH_INTERVAL).isAfter(now)
                || !Objects.equals(token.lastUsedIp(), origin.ip())
                || !Objects.equals(token.lastUsedAgent(), origin.userAgent());
    }

    /** At most {@value #MAX_BURST_ALERTS} burst alerts per window: many attacking addresses must not flood the alert sinks. */
    static final int MAX_BURST_ALERTS = 10;

    private long burstWindowStart;
    private int burstAlerts;

    private void burst(Origin origin) {
        long now = clock.millis();
        int n;
        synchronized (this) {
            if (now - burstWindowStart >= settings.throttleWindow().toMillis()) {
                burstWindowStart = now;
                burstAlerts = 0;
            }
            n = ++burstAlerts;
        }
        if (n < MAX_BURST_ALERTS) {
            alerts.raise(
                    new AlertSink.Alert(
                            "AuthenticationBurst",
                            "address " + origin.ip(),
                            settings.maxFailuresPerAddress() + " failed authentications within "
                                    + settings.throttleWindow().toMinutes()
                                    + " minutes from this address; its further failures are answered 429 (a correct token still works)"));
        } else if (n == MAX_BURST_ALERTS) {
            alerts.raise(
                    new AlertSink.Alert(
                            "AuthenticationBurst",
                            "many addresses",
                            MAX_BURST_ALERTS + " addresses crossed the failed-authentication limit within "
                                    + settings.throttleWindow().toMinutes()
                                    + " minutes; further ones are not alerted one by one until the window passes (see AuthenticationFailed events)"));
        }
    }

    private Authentication refuse(String tokenId, String reason, Origin origin) {
        FailureThrottle.Outcome outcome = throttle.failed(origin.ip(), tokenId, clock.instant());
        events.appendCounted(
                new Event(
                        "AuthenticationFailed",
                        tokenId == null ? null : "token " + tokenId,
                        null,
                        null,
                        origin,
                        Map.of("reason", reason)),
                origin.ip() + (tokenId == null ? "" : " " + tokenId));
        if (outcome.addressCrossedLimit()) {
            burst(origin);
        }
        if (outcome.throttled()) {
            return new Authentication.Throttled("too many failed authentication attempts from " + origin.ip()
                    + "; failing attempts are refused for "
                    + settings.throttleWindow().toMinutes() + " minutes");
        }
        return new Authentication.Refused(reason);
    }
}
