package dev.portcullis.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The metadata database: a connection pool, the Flyway-migrated schema and a JDBI instance.
 *
 * <p>One schema serves both dialects; the only difference (how an auto-generated key is declared)
 * is a Flyway placeholder. On SQLite every transaction starts as {@code BEGIN IMMEDIATE}, so two
 * writers queue instead of failing on a lock upgrade.
 *
 * <p>Writers of one SQLite file queue in Java first ({@link #writers}), and only then at SQLite's
 * busy timeout. SQLite waits for a lock inside native code, which pins the carrier thread of the
 * virtual thread that waits; when as many writers wait as there are carriers, the virtual thread
 * that holds the lock (unmounted for a moment, say on a contended lock in logging) never gets a
 * carrier back, and every writer stalls until the busy timeout fails them. A Java lock parks
 * without pinning, so the holder always runs on.
 */
public final class Database implements AutoCloseable {

    private final DatabaseSettings settings;
    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private final ReentrantLock writers;
    private final java.util.concurrent.atomic.AtomicLong changes = new java.util.concurrent.atomic.AtomicLong();

    /** One lock per SQLite file in this process (two pools on one file share it); none on PostgreSQL. */
    private static final Map<String, ReentrantLock> SQLITE_WRITERS = new ConcurrentHashMap<>();

    private Database(DatabaseSettings settings, HikariDataSource dataSource) {
        this.settings = settings;
        this.dataSource = dataSource;
        this.jdbi = Jdbi.create(dataSource);
        this.writers = settings.dialect() == DatabaseSettings.Dialect.SQLITE
                ? SQLITE_WRITERS.computeIfAbsent(sqliteFile(settings), f -> new ReentrantLock(true))
                : null;
    }

    private static String sqliteFile(DatabaseSettings settings) {
        return java.nio.file.Path.of(settings.jdbcUrl().substring("jdbc:sqlite:".length()))
                .toAbsolutePath()
                .normalize()
                .toString();
    }

    /** Opens the pool and migrates the schema to the newest version. */
    public static Database open(DatabaseSettings settings) {
        HikariDataSource dataSource = dataSource(settings);
        try {
            migrate(settings, dataSource);
            return new Database(settings, dataSource);
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
    }

    /** A connection pool for {@code settings}, not migrated (the restore of a backup migrates in steps). */
    static HikariDataSource dataSource(DatabaseSettings settings) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("portcullis-db");
        switch (settings.dialect()) {
            case SQLITE -> {
                ownerOnly(settings);
                SQLiteConfig sqlite = new SQLiteConfig();
                sqlite.setJournalMode(SQLiteConfig.JournalMode.WAL);
                sqlite.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
                sqlite.setBusyTimeout(30_000);
                sqlite.enforceForeignKeys(true);
                sqlite.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
                SQLiteDataSource ds = new SQLiteDataSource(sqlite);
                ds.setUrl(settings.jdbcUrl());
                config.setDataSource(ds);
                config.setMaximumPoolSize(4);
            }
            case POSTGRESQL -> {
                config.setJdbcUrl(settings.jdbcUrl());
                config.setUsername(settings.user());
                config.setPassword(settings.password());
                config.setMaximumPoolSize(10);
            }
        }
        return new HikariDataSource(config);
    }

    /**
     * The database file is created 0600 (SQLite gives its -wal and -shm files the same mode), and an
     * existing one is tightened: it holds the token digests, the sealed second factors and the event log.
     */
    private static void ownerOnly(DatabaseSettings settings) {
        java.nio.file.Path file = java.nio.file.Path.of(settings.jdbcUrl().substring("jdbc:sqlite:".length()));
        try {
            if (file.getParent() != null) {
                PrivateFiles.createDirectories(file.getParent());
            }
            PrivateFiles.ownerOnly(file);
            for (String suffix : new String[] {"-wal", "-shm"}) {
                java.nio.file.Path companion = file.resolveSibling(file.getFileName() + suffix);
                if (java.nio.file.Files.exists(companion)) {
                    PrivateFiles.ownerOnly(companion);
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(
                    "cannot create the database file " + file + " (" + e.getMessage() + ")", e);
        }
    }

    private static void migrate(DatabaseSettings settings, HikariDataSource dataSource) {
        flyway(settings, dataSource).migrate();
    }

    private static Flyway flyway(DatabaseSettings settings, HikariDataSource dataSource) {
        return flyway(settings, dataSource, null);
    }

    /** Flyway on {@code dataSource}, migrating up to {@code target} (a version such as "17"), or to the newest when null. */
    static Flyway flyway(DatabaseSettings settings, javax.sql.DataSource dataSource, String target) {
        String idColumn = switch (settings.dialect()) {
            case SQLITE -> "INTEGER PRIMARY KEY AUTOINCREMENT";
            case POSTGRESQL -> "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY";
        };
        var configuration = Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .placeholders(Map.of("id_column", idColumn));
        if (target != null) {
            configuration.target(org.flywaydb.core.api.MigrationVersion.fromVersion(target));
        }
        return configuration.load();
    }

    /**
     * Whether the database answers and holds every migration this build has (readiness, {@code
     * /readyz}): empty when it does, otherwise why not, in words without connection details.
     */
    public java.util.Optional<String> unready() {
        try {
            jdbi.withHandle(h -> h.createQuery("SELECT 1").mapTo(Integer.class).one());
        } catch (RuntimeException e) {
            return java.util.Optional.of("the database does not answer");
        }
        try {
            int pending = flyway(settings, dataSource).info().pending().length;
            return pending == 0
                    ? java.util.Optional.empty()
                    : java.util.Optional.of(pending + " migration(s) of this build are not applied");
        } catch (RuntimeException e) {
            return java.util.Optional.of("the schema's version cannot be read");
        }
    }

    public DatabaseSettings settings() {
        return settings;
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    /**
     * Set (tests set it, surefire configuration) to make taking a second connection while this
     * thread holds a write transaction an error instead of a latent pool-exhaustion deadlock.
     */
    public static final String STRICT_CONNECTIONS = "portcullis.strictConnections";

    private static final ThreadLocal<int[]> TRANSACTIONS = ThreadLocal.withInitial(() -> new int[1]);

    /** Runs {@code callback} in one serializable-enough transaction; commits on return. */
    public <R, X extends Exception> R inTransaction(HandleCallback<R, X> callback) throws X {
        requireNoOpenTransaction();
        int[] open = TRANSACTIONS.get();
        open[0]++;
        if (writers != null) {
            writers.lock();
        }
        try {
            return jdbi.inTransaction(
                    settings.dialect() == DatabaseSettings.Dialect.POSTGRESQL
                            ? TransactionIsolationLevel.READ_COMMITTED
                            : TransactionIsolationLevel.SERIALIZABLE,
                    callback);
        } finally {
            if (writers != null) {
                writers.unlock();
            }
            open[0]--;
            changes.incrementAndGet(); // after the commit (or rollback): what readers cached may be out of date
        }
    }

    /**
     * A number that grows after every write transaction of this process ends, and when another
     * process sharing the database is seen to have written ({@link #changedElsewhere}). Anything
     * computed from the database while it had one value is current only while it keeps it (the
     * read path's response cache, http/ResponseCache).
     */
    public long changes() {
        return changes.get();
    }

    /** Another process wrote to the database (seen by the event log's head moving). */
    public void changedElsewhere() {
        changes.incrementAndGet();
    }

    /** How many threads of this process wait to write to this SQLite file (0 on PostgreSQL). */
    int queuedWriters() {
        return writers == null ? 0 : writers.getQueueLength();
    }

    public <R, X extends Exception> R withHandle(HandleCallback<R, X> callback) throws X {
        requireNoOpenTransaction();
        return jdbi.withHandle(callback);
    }

    /**
     * Never a second connection inside a write transaction: with a small pool, enough threads doing
     * it at once wait for each other forever. Enforced when {@link #STRICT_CONNECTIONS} is set.
     */
    private static void requireNoOpenTransaction() {
        if (TRANSACTIONS.get()[0] > 0 && Boolean.getBoolean(STRICT_CONNECTIONS)) {
            throw new IllegalStateException("a second database connection was requested inside a write transaction;"
                    + " use the transaction's handle");
        }
    }

    /** Whether {@code error} (or a cause) is a unique-constraint violation on either dialect. */
    public static boolean isUniqueViolation(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                if ("23505".equals(sql.getSQLState())) {
                    return true; // PostgreSQL unique_violation
                }
                if (sql.getErrorCode() == 19 && String.valueOf(sql.getMessage()).contains("UNIQUE")) {
                    return true; // SQLite SQLITE_CONSTRAINT_UNIQUE
                }
            }
        }
        return false;
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
