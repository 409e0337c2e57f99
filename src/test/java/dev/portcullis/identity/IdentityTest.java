package dev.portcullis.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.core.Origin;
import dev.portcullis.events.AlertSink;
import dev.portcullis.events.EventLog;
import dev.portcullis.store.Database;
import dev.portcullis.testing.TestDatabases;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Token storage and authentication against both databases, with a controlled clock. */
class IdentityTest {

    @TempDir
    Path dir;

    /** A clock the test moves. */
    static final class MovableClock extends Clock {
        Instant now = Instant.parse("2026-11-28T12:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private Identity identity(Database db, EventLog events, Clock clock) {
        return new Identity(
                db,
                events,
                clock,
                new SecureRandom(),
                dev.portcullis.store.SecretBox.open(dir, null, new SecureRandom()),
                IdentitySettings.DEFAULTS,
                AlertSink.logging());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void tokensWorkUntilTheyExpireAndAreStoredOnlyAsHashes(String database) {
        MovableClock clock = new MovableClock();
        try (Database db = Database.open(TestDatabases.create(database, dir))) {
            EventLog events = new EventLog(db, clock);
            Identity identity = identity(db, events, clock);
            identity.addUser("alice", new RoleGrant("demo", Role.MAINTAINER), "test");
            IssuedToken token = identity.createToken(
                    new TokenRequest("alice", "ci", "demo", Set.of(Permission.UPLOAD), Duration.ofDays(7)), "test");

            assertThat(identity.authenticate(token.secret(), Origin.LOCAL))
                    .isInstanceOf(Authentication.Authenticated.class);
            String stored = db.withHandle(h -> h.createQuery("SELECT secret_hash FROM api_tokens")
                    .mapTo(String.class)
                    .one());
            assertThat(stored).hasSize(64).doesNotContain(token.secret().substring(6, 30));
            String allText = db.withHandle(h -> h.createQuery("SELECT * FROM api_tokens")
                            .mapToMap()
                            .list()
                            .toString()
                    + h.createQuery("SELECT * FROM events").mapToMap().list().toString());
            assertThat(allText).doesNotContain(token.secret());

            clock.now = clock.now.plus(Duration.ofDays(7));
            Authentication expired = identity.authenticate(token.secret(), Origin.LOCAL);
            assertThat(expired).isInstanceOf(Authentication.Refused.class);
            assertThat(((Authentication.Refused) expired).reason()).startsWith("token expired at");
            assertThat(events.list(null, "AuthenticationFailed", 0, 10)).hasSize(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void refusesLifetimesAboveTheMaximumAndPermissionsAboveTheRole(String database) {
        Clock clock = Clock.systemUTC();
        try (Database db = Database.open(TestDatabases.create(database, dir))) {
            Identity identity = identity(db, new EventLog(db, clock), clock);
            identity.addUser("bob", new RoleGrant(RoleGrant.EVERY_PROJECT, Role.MAINTAINER), "test");
            assertThatThrownBy(() -> identity.createToken(
                            new TokenRequest("bob", null, null, Set.of(Permission.UPLOAD), Duration.ofDays(91)),
                            "test"))
                    .hasMessage("token lifetime 91 days exceeds this server's maximum of 90 days");
            assertThatThrownBy(() -> identity.createToken(
                            new TokenRequest("bob", null, null, Set.of(Permission.APPROVE), null), "test"))
                    .hasMessage("the roles of bob ([maintainer]) do not allow permissions approve");
            assertThatThrownBy(
                            () -> identity.addUser("bob", new RoleGrant(RoleGrant.EVERY_PROJECT, Role.ADMIN), "test"))
                    .hasMessage("user 'bob' already exists");
            assertThat(identity.listTokens()).isEmpty();
        }
    }
}
