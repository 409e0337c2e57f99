package dev.portcullis.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.testing.TestDatabases;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rule every write path keeps — no second connection while holding a write transaction — is
 * enforced in the tests (surefire sets {@value Database#STRICT_CONNECTIONS}), so a new violation
 * fails the suite instead of waiting for pool exhaustion under load.
 */
class DatabaseTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void aSecondConnectionInsideAWriteTransactionIsRefused(String kind) {
        assertThat(Boolean.getBoolean(Database.STRICT_CONNECTIONS))
                .as("surefire sets the strict mode")
                .isTrue();
        try (Database database = Database.open(TestDatabases.create(kind, dir))) {
            assertThatThrownBy(() -> database.inTransaction(h -> database.withHandle(other ->
                            other.createQuery("SELECT 1").mapTo(Integer.class).one())))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("inside a write transaction");
            assertThatThrownBy(() -> database.inTransaction(h -> database.inTransaction(other -> 1)))
                    .isInstanceOf(IllegalStateException.class);
            // After a refused nesting the thread is clean again: the transaction's own handle, and later connections,
            // work.
            int one = database.inTransaction(
                    h -> h.createQuery("SELECT 1").mapTo(Integer.class).one());
            int two = database.withHandle(
                    h -> h.createQuery("SELECT 2").mapTo(Integer.class).one());
            assertThat(one + two).isEqualTo(3);
        }
    }

    /** Issue 15, finding 8: the database (token digests, sealed factors, the event log) is the server user's alone. */
    @org.junit.jupiter.api.Test
    void theEmbeddedDatabaseAndTheDataDirectoryAreOwnerOnly() throws Exception {
        Path data = dir.resolve("fresh-data");
        try (dev.portcullis.app.Portcullis app = dev.portcullis.app.Portcullis.open(
                dev.portcullis.app.Settings.defaults(data),
                java.time.Clock.systemUTC(),
                new java.security.SecureRandom())) {
            app.events().append(new dev.portcullis.events.Event("Probe", null, null, null, null, java.util.Map.of()));
            assertThat(mode(data)).isEqualTo("rwx------");
            assertThat(mode(data.resolve("portcullis.db"))).isEqualTo("rw-------");
            assertThat(mode(data.resolve("portcullis.db-wal")))
                    .as("SQLite gives its WAL the database's mode")
                    .isEqualTo("rw-------");
        }
        // A database an older version created 0644 is tightened when opened.
        java.nio.file.Files.setPosixFilePermissions(
                data.resolve("portcullis.db"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        try (Database database = Database.open(DatabaseSettings.sqlite(data.resolve("portcullis.db")))) {
            assertThat(mode(data.resolve("portcullis.db"))).isEqualTo("rw-------");
        }
    }

    /**
     * SQLite waits for its write lock in native code, pinning the waiter's carrier thread. Here a
     * writer parks mid-transaction while more writers than there are carriers, on two pools sharing
     * the file as two servers do, want the lock: they must queue without pinning, so the holder gets a
     * carrier back and every transaction commits (before the fix they stalled for the 30 s busy
     * timeout and then failed, as ConcurrencyTest once did under load).
     */
    @org.junit.jupiter.api.Test
    @org.junit.jupiter.api.Timeout(120)
    void writersOfOneSqliteFileQueueWithoutPinningTheCarriersOfTheHolder() throws Exception {
        Path file = dir.resolve("shared.db");
        try (Database one = Database.open(DatabaseSettings.sqlite(file));
                Database two = Database.open(DatabaseSettings.sqlite(file));
                java.util.concurrent.ExecutorService threads =
                        java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            one.inTransaction(h -> h.execute("CREATE TABLE probe (n INTEGER)"));
            java.util.concurrent.CountDownLatch holding = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.Future<?> holder = threads.submit(() -> one.inTransaction(h -> {
                h.execute("INSERT INTO probe (n) VALUES (0)");
                holding.countDown();
                go.await(); // parks: the virtual thread leaves its carrier while it holds SQLite's lock
                return null;
            }));
            holding.await();
            int waiting = Runtime.getRuntime().availableProcessors() * 2 + 1;
            java.util.List<java.util.concurrent.Future<?>> writers = new java.util.ArrayList<>();
            for (int i = 1; i <= waiting; i++) {
                Database db = i % 2 == 0 ? one : two;
                int n = i;
                writers.add(
                        threads.submit(() -> db.inTransaction(h -> h.execute("INSERT INTO probe (n) VALUES (?)", n))));
            }
            while (one.queuedWriters() < waiting) { // both pools queue on the one lock of the file
                Thread.onSpinWait();
            }
            go.countDown();
            holder.get();
            for (java.util.concurrent.Future<?> w : writers) {
                w.get();
            }
            int rows = one.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM probe")
                    .mapTo(Integer.class)
                    .one());
            assertThat(rows).isEqualTo(waiting + 1);
        }
    }

    private static String mode(Path file) throws java.io.IOException {
        return java.nio.file.attribute.PosixFilePermissions.toString(java.nio.file.Files.getPosixFilePermissions(file));
    }
}
