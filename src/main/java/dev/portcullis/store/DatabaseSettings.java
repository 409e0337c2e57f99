package dev.portcullis.store;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the metadata lives. Built from {@code --database}: absent means an SQLite file in the data
 * directory; {@code postgresql://user:password@host:port/db?currentSchema=s} selects PostgreSQL.
 */
public record DatabaseSettings(Dialect dialect, String jdbcUrl, String user, String password) {

    public enum Dialect {
        SQLITE,
        POSTGRESQL
    }

    public DatabaseSettings {
        Objects.requireNonNull(dialect, "dialect");
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    }

    public static DatabaseSettings sqlite(Path file) {
        return new DatabaseSettings(Dialect.SQLITE, "jdbc:sqlite:" + file.toAbsolutePath(), null, null);
    }

    /** Parses the {@code --database} option; {@code null} or blank means SQLite under the data dir. */
    public static DatabaseSettings parse(String option, Path dataDir) {
        if (option == null || option.isBlank()) {
            return sqlite(dataDir.resolve("portcullis.db"));
        }
        if (option.startsWith("sqlite:")) {
            return sqlite(Path.of(option.substring("sqlite:".length())));
        }
        if (option.startsWith("postgresql://") || option.startsWith("postgres://")) {
            URI uri = URI.create(option);
            String user = null;
            String password = null;
            if (uri.getRawUserInfo() != null) {
                String[] parts = uri.getRawUserInfo().split(":", 2);
                user = decode(parts[0]);
                password = parts.length > 1 ? decode(parts[1]) : null;
            }
            int port = uri.getPort() == -1 ? 5432 : uri.getPort();
            String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
            String url = "jdbc:postgresql://" + uri.getHost() + ":" + port + uri.getRawPath() + query;
            return new DatabaseSettings(Dialect.POSTGRESQL, url, user, password);
        }
        throw new IllegalArgumentException(
                "--database must be postgresql://user:password@host:port/db or sqlite:/path/to/file");
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** For logs and messages: never includes the password. */
    public String describe() {
        return dialect == Dialect.SQLITE ? jdbcUrl : jdbcUrl + " as " + user;
    }

    @Override
    public String toString() {
        return "DatabaseSettings[" + describe() + "]";
    }
}
