package dev.portcullis.testing;

import dev.portcullis.app.Portcullis;
import dev.portcullis.app.Settings;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Role;
import dev.portcullis.identity.TokenRequest;
import dev.portcullis.publish.PublishSettings;
import dev.portcullis.store.DatabaseSettings;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Set;

/** A real Portcullis server on a free port, in this JVM, with an admin user and token. */
public final class TestServer implements AutoCloseable {

  private final Portcullis portcullis;
  private final int port;
  private final String adminToken;

  private TestServer(Portcullis portcullis, int port, String adminToken) {
    this.portcullis = portcullis;
    this.port = port;
    this.adminToken = adminToken;
  }

  public static TestServer start(String databaseKind, Path dataDir) {
    return start(databaseKind, dataDir, PublishSettings.DEFAULT_MAX_FILE_BYTES);
  }

  public static TestServer start(String databaseKind, Path dataDir, long maxFileBytes) {
    return start(TestDatabases.create(databaseKind, dataDir), dataDir, maxFileBytes);
  }

  public static TestServer start(DatabaseSettings database, Path dataDir, long maxFileBytes) {
    Settings settings =
        Settings.defaults(dataDir)
            .withDatabase(database)
            .withListener("127.0.0.1", 0)
            .withPublish(new PublishSettings(maxFileBytes));
    Portcullis portcullis = Portcullis.open(settings, Clock.systemUTC(), new SecureRandom());
    int port = portcullis.serve();
    String token = null;
    if (portcullis.identity().findUser("admin").isEmpty()) {
      portcullis.identity().addUser("admin", Role.ADMIN, "test");
      token = portcullis.identity()
          .createToken(new TokenRequest("admin", "test-admin", null, Set.of(Permission.ADMIN), null), "test")
          .secret();
    }
    return new TestServer(portcullis, port, token);
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  public String adminToken() {
    return adminToken;
  }

  public Portcullis app() {
    return portcullis;
  }

  /** Creates (if needed) a user with {@code role} and returns a new token for it. */
  public String token(String user, Role role, String project, Permission... permissions) {
    if (portcullis.identity().findUser(user).isEmpty()) {
      portcullis.identity().addUser(user, role, "test");
    }
    return portcullis.identity()
        .createToken(new TokenRequest(user, null, project, Set.of(permissions), null), "test")
        .secret();
  }

  /** Number of events of {@code kind} recorded so far. */
  public long events(String kind) {
    return portcullis.events().list(null, kind, 0, 100_000).size();
  }

  /** What is stored: row counts and blob files. Equal snapshots mean nothing was stored. */
  public record Snapshot(long projects, long releases, long files, long blobs, long temporaryFiles) {}

  public Snapshot snapshot() {
    long[] rows = portcullis.database().withHandle(h -> new long[] {
        h.createQuery("SELECT COUNT(*) FROM projects").mapTo(Long.class).one(),
        h.createQuery("SELECT COUNT(*) FROM releases").mapTo(Long.class).one(),
        h.createQuery("SELECT COUNT(*) FROM release_files").mapTo(Long.class).one()});
    Path blobs = portcullis.settings().dataDir().resolve("blobs");
    return new Snapshot(rows[0], rows[1], rows[2], countFiles(blobs.resolve("sha256")), countFiles(blobs.resolve("tmp")));
  }

  private static long countFiles(Path dir) {
    try (var files = java.nio.file.Files.walk(dir)) {
      return files.filter(java.nio.file.Files::isRegularFile).count();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    portcullis.close();
  }
}
