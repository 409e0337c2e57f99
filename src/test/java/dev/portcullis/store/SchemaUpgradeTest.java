package dev.portcullis.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.testing.TestDatabases;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Migrations only go forward: a database at an earlier schema (here 17, before the web page's
 * sessions and keys) opens with this build, is migrated to the newest, keeps its rows, and the
 * new tables work with them.
 */
class SchemaUpgradeTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void anEarlierSchemaIsMigratedForwardKeepingItsRows(String kind) throws Exception {
        DatabaseSettings settings = TestDatabases.create(kind, dir);
        try (HikariDataSource old = Database.dataSource(settings)) {
            Database.flyway(settings, old, "17").migrate();
            try (Connection c = old.getConnection();
                    Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO users (name, created_at) VALUES ('before-upgrade', 1)");
                assertThat(c.getMetaData()
                                .getTables(null, c.getSchema(), "web_sessions", null)
                                .next())
                        .isFalse();
            }
        }
        try (Database upgraded = Database.open(settings)) {
            assertThat(upgraded.unready()).isEmpty();
            long id = upgraded.withHandle(h -> h.createQuery("SELECT id FROM users WHERE name = 'before-upgrade'")
                    .mapTo(Long.class)
                    .one());
            upgraded.inTransaction(h -> h.createUpdate("INSERT INTO web_sessions (id_hash, user_id, method, grants,"
                            + " created_at, last_seen_at, expires_at) VALUES ('h', :u, 'token', '', 1, 1, 2)")
                    .bind("u", id)
                    .execute());
            long sessions = upgraded.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM web_sessions")
                    .mapTo(Long.class)
                    .one());
            assertThat(sessions).isEqualTo(1);
        }
    }
}
