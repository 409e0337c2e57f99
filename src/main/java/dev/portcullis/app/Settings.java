package dev.portcullis.app;

import dev.portcullis.identity.TokenSettings;
import dev.portcullis.publish.PublishSettings;
import dev.portcullis.store.DatabaseSettings;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Everything Portcullis is configured with (docs/CONFIGURATION.md lists each key). {@code baseUrl}
 * is the public URL clients reach the server at, used for absolute links in the JSON API; {@code
 * null} means {@code http://host:port}.
 */
public record Settings(
    Path dataDir,
    DatabaseSettings database,
    String host,
    int port,
    String baseUrl,
    PublishSettings publish,
    TokenSettings tokens) {

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8080;

  public Settings {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(host, "host");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0-65535");
    }
    Objects.requireNonNull(publish, "publish");
    Objects.requireNonNull(tokens, "tokens");
    if (baseUrl != null && baseUrl.endsWith("/")) {
      baseUrl = baseUrl.substring(0, baseUrl.length() - 1);
    }
  }

  /** Defaults for a data directory: embedded SQLite and file store inside it. */
  public static Settings defaults(Path dataDir) {
    return new Settings(
        dataDir,
        DatabaseSettings.parse(null, dataDir),
        DEFAULT_HOST,
        DEFAULT_PORT,
        null,
        new PublishSettings(PublishSettings.DEFAULT_MAX_FILE_BYTES),
        TokenSettings.DEFAULTS);
  }

  public Settings withDatabase(DatabaseSettings database) {
    return new Settings(dataDir, database, host, port, baseUrl, publish, tokens);
  }

  public Settings withListener(String host, int port) {
    return new Settings(dataDir, database, host, port, baseUrl, publish, tokens);
  }

  public Settings withBaseUrl(String baseUrl) {
    return new Settings(dataDir, database, host, port, baseUrl, publish, tokens);
  }

  public Settings withPublish(PublishSettings publish) {
    return new Settings(dataDir, database, host, port, baseUrl, publish, tokens);
  }
}
