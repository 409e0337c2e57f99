package dev.portcullis.testing;

import dev.portcullis.store.DatabaseSettings;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The databases every store-touching test runs against: embedded SQLite and a real PostgreSQL
 * server named by {@code PORTCULLIS_TEST_POSTGRES} ({@code scripts/postgres-test-server} starts
 * one). Each PostgreSQL test gets a fresh schema. A missing PostgreSQL fails the test loudly; it
 * is never skipped.
 */
public final class TestDatabases {

    public static final String ENV = "PORTCULLIS_TEST_POSTGRES";

    private TestDatabases() {}

    /** Parameter source for {@code @MethodSource}: both dialects. */
    public static Stream<String> both() {
        return Stream.of("sqlite", "postgresql");
    }

    public static DatabaseSettings create(String kind, Path dataDir) {
        return switch (kind) {
            case "sqlite" -> DatabaseSettings.sqlite(dataDir.resolve("portcullis.db"));
            case "postgresql" -> freshPostgresSchema();
            default -> throw new IllegalArgumentException(kind);
        };
    }

    /** A new, empty schema in the test PostgreSQL, as a {@code --database} URL. */
    public static String postgresUrlWithFreshSchema() {
        String base = System.getenv(ENV);
        if (base == null || base.isBlank()) {
            throw new IllegalStateException(
                    ENV + " is not set: run the tests with scripts/test, which starts PostgreSQL");
        }
        String schema = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        DatabaseSettings admin = DatabaseSettings.parse(base, Path.of("."));
        try (Connection c = DriverManager.getConnection(admin.jdbcUrl(), admin.user(), admin.password());
                Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create a test schema in " + admin.describe(), e);
        }
        return base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    private static DatabaseSettings freshPostgresSchema() {
        return DatabaseSettings.parse(postgresUrlWithFreshSchema(), Path.of("."));
    }
}
