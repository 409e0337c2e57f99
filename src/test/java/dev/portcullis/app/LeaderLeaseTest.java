package dev.portcullis.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Role;
import dev.portcullis.store.Database;
import dev.portcullis.store.DatabaseSettings;
import dev.portcullis.store.Leases;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestClock;
import dev.portcullis.testing.TestDatabases;
import dev.portcullis.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Of several processes on one database (scheduled work off: each tick is one run of every loop,
 * so who leads is decided by the order of the ticks, not by which thread started first), exactly one does the leader's duties (the gate's clock,
 * housekeeping, checkpoints, drills), and another takes over when it stops — at once when it hands
 * the lease back, when the lease runs out when it died.
 */
class LeaderLeaseTest {

    @TempDir
    Path dir;

    @Test
    void aLeaseHasOneHolderUntilItIsGivenBackOrRunsOut() {
        TestClock clock = new TestClock();
        try (Database database = Database.open(DatabaseSettings.sqlite(dir.resolve("leases.db")))) {
            Leases a = new Leases(database, clock, "a");
            Leases b = new Leases(database, clock, "b");
            assertThat(a.hold("duty", Duration.ofSeconds(30))).isTrue();
            assertThat(b.hold("duty", Duration.ofSeconds(30))).as("held by a").isFalse();
            clock.advance(Duration.ofSeconds(20));
            assertThat(a.hold("duty", Duration.ofSeconds(30))).as("a renews").isTrue();
            clock.advance(Duration.ofSeconds(20));
            assertThat(b.hold("duty", Duration.ofSeconds(30)))
                    .as("renewed: still a's")
                    .isFalse();
            assertThat(b.hold("other", Duration.ofSeconds(30)))
                    .as("another duty")
                    .isTrue();
            clock.advance(Duration.ofSeconds(11));
            assertThat(b.hold("duty", Duration.ofSeconds(30)))
                    .as("a stopped renewing")
                    .isTrue();
            assertThat(a.hold("duty", Duration.ofSeconds(30))).isFalse();
            assertThat(a.current("duty"))
                    .hasValueSatisfying(l -> assertThat(l.holder()).isEqualTo("b"));
            a.release("duty"); // not a's: nothing happens
            assertThat(a.hold("duty", Duration.ofSeconds(30))).isFalse();
            b.release("duty");
            assertThat(a.hold("duty", Duration.ofSeconds(30))).as("given back").isTrue();
        }
    }

    @Test
    void oneOfTwoProcessesLeadsAndTheOtherTakesOver() throws Exception {
        DatabaseSettings database = TestDatabases.create("postgresql", dir.resolve("one"));
        TestClock clock = new TestClock();
        try (TestServer one =
                TestServer.start(database, dir.resolve("one"), clock, null, s -> s.withScheduledWork(false))) {
            // A process takes the lease when it starts; creating the test's admin moved the test clock
            // past it (a fresh one-time-code step), so the first one renews it before the second starts.
            one.tick();
            try (TestServer two = TestServer.start(
                    database, dir.resolve("two"), clock, one.admin(), s -> s.withScheduledWork(false))) {
                two.tick();
                assertThat(one.app().leading()).isTrue();
                assertThat(two.app().leading()).isFalse();
                long signed = checkpointedUpTo(one);
                assertThat(signed).isPositive();
                // "two" has a data directory, so a checkpoint key, of its own: it says so.
                assertThat(one.app().integrity().foreignKey()).isEmpty();
                assertThat(two.app().integrity().foreignKey())
                        .hasValueSatisfying(r -> assertThat(r).contains("must share the data directory's keys/"));

                // New events: the follower's tick signs nothing, the leader's does.
                one.token("ci", Role.MAINTAINER, "led", Permission.UPLOAD);
                two.tick();
                assertThat(checkpointedUpTo(one)).isEqualTo(signed);
                RawHttp.Response ready = RawHttp.send(two.url(), "GET", "/readyz", Map.of(), null);
                assertThat(new String(ready.bytes(), java.nio.charset.StandardCharsets.UTF_8))
                        .contains("\"this_process\":false");
                one.tick();
                long next = checkpointedUpTo(one);
                assertThat(next).isGreaterThan(signed);

                // The leader stops: it hands the lease back, and the other takes over on its next tick.
                one.close();
                two.token("ci2", Role.MAINTAINER, "led", Permission.UPLOAD);
                two.tick();
                assertThat(two.app().leading()).isTrue();
                assertThat(checkpointedUpTo(two)).isGreaterThan(next);
            }
        }
    }

    @Test
    void aLeaderThatDiesIsReplacedWhenItsLeaseRunsOut() {
        DatabaseSettings database = TestDatabases.create("postgresql", dir.resolve("one"));
        TestClock clock = new TestClock();
        try (TestServer one =
                TestServer.start(database, dir.resolve("one"), clock, null, s -> s.withScheduledWork(false))) {
            one.tick(); // renewed after the admin's creation moved the test clock (above)
            try (TestServer two = TestServer.start(
                    database, dir.resolve("two"), clock, one.admin(), s -> s.withScheduledWork(false))) {
                assertThat(one.app().leading()).isTrue();
                assertThat(two.app().leading())
                        .as("it found the lease held when it started")
                        .isFalse();
                // "one" hangs (no more ticks, no hand-back): until its lease runs out nobody else leads,
                // and it stops doing the duties a margin (a third of the lease) before that.
                clock.advance(Portcullis.LEADER_LEASE.multipliedBy(2).dividedBy(3));
                assertThat(one.app().leading())
                        .as("its own margin ran out first")
                        .isFalse();
                two.tick();
                assertThat(two.app().leading())
                        .as("the lease runs for another third")
                        .isFalse();
                clock.advance(Portcullis.LEADER_LEASE.dividedBy(3));
                two.tick();
                assertThat(two.app().leading()).isTrue();
                one.tick();
                assertThat(one.app().leading())
                        .as("it cannot take the lease back")
                        .isFalse();
            }
        }
    }

    private static long checkpointedUpTo(TestServer server) {
        return server.app()
                .database()
                .withHandle(h -> h.createQuery("SELECT COALESCE(MAX(seq), 0) FROM event_checkpoints")
                        .mapTo(Long.class)
                        .one());
    }
}
