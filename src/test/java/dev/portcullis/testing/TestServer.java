package dev.portcullis.testing;

import dev.portcullis.app.Portcullis;
import dev.portcullis.app.Settings;
import dev.portcullis.core.Origin;
import dev.portcullis.events.AlertSink;
import dev.portcullis.identity.IdentitySettings;
import dev.portcullis.identity.MfaEnrollment;
import dev.portcullis.identity.NewUser;
import dev.portcullis.identity.OidcSettings;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Role;
import dev.portcullis.identity.RoleGrant;
import dev.portcullis.identity.TokenRequest;
import dev.portcullis.identity.Totp;
import dev.portcullis.net.OutboundPolicy;
import dev.portcullis.publish.PublishSettings;
import dev.portcullis.store.DatabaseSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Set;

/**
 * A real Portcullis server on a free port, in this JVM, on a {@link TestClock}, with an admin who
 * has a token and an enrolled second factor.
 */
public final class TestServer implements AutoCloseable {

    private final Portcullis portcullis;
    private final int port;
    private final TestClock clock;
    private final TestUser admin;

    private TestServer(Portcullis portcullis, int port, TestClock clock, TestUser admin) {
        this.portcullis = portcullis;
        this.port = port;
        this.clock = clock;
        this.admin = admin;
    }

    public static TestServer start(String databaseKind, Path dataDir) {
        return start(databaseKind, dataDir, PublishSettings.DEFAULT_MAX_FILE_BYTES);
    }

    public static TestServer start(String databaseKind, Path dataDir, long maxFileBytes) {
        return start(TestDatabases.create(databaseKind, dataDir), dataDir, maxFileBytes, new TestClock(), null);
    }

    /**
     * Starts a server; {@code admin} {@code null} creates the admin user, otherwise the server joins
     * an existing database (a second process) and reuses that admin.
     */
    public static TestServer start(
            DatabaseSettings database, Path dataDir, long maxFileBytes, TestClock clock, TestUser admin) {
        return start(database, dataDir, maxFileBytes, clock, admin, IdentitySettings.DEFAULTS, AlertSink.logging());
    }

    public static TestServer start(
            DatabaseSettings database,
            Path dataDir,
            long maxFileBytes,
            TestClock clock,
            TestUser admin,
            IdentitySettings identity,
            AlertSink alerts) {
        return start(database, dataDir, maxFileBytes, clock, admin, identity, alerts, OidcSettings.DEFAULTS);
    }

    public static TestServer start(
            DatabaseSettings database,
            Path dataDir,
            long maxFileBytes,
            TestClock clock,
            TestUser admin,
            IdentitySettings identity,
            AlertSink alerts,
            OidcSettings oidc) {
        return start(database, dataDir, maxFileBytes, clock, admin, identity, alerts, oidc, s -> s);
    }

    /** A server joining an existing database and data directory (a restart, or a second process) with customized settings. */
    public static TestServer start(
            DatabaseSettings database,
            Path dataDir,
            TestClock clock,
            TestUser admin,
            java.util.function.UnaryOperator<Settings> customize) {
        return start(
                database,
                dataDir,
                PublishSettings.DEFAULT_MAX_FILE_BYTES,
                clock,
                admin,
                IdentitySettings.DEFAULTS,
                AlertSink.logging(),
                OidcSettings.DEFAULTS,
                customize);
    }

    /** A server on the default settings changed by {@code customize} (e.g. an SMTP server). */
    public static TestServer start(
            String databaseKind, Path dataDir, java.util.function.UnaryOperator<Settings> customize) {
        return start(
                TestDatabases.create(databaseKind, dataDir),
                dataDir,
                PublishSettings.DEFAULT_MAX_FILE_BYTES,
                new TestClock(),
                null,
                IdentitySettings.DEFAULTS,
                AlertSink.logging(),
                OidcSettings.DEFAULTS,
                customize);
    }

    /** A server with registries beside PyPI's (a fake second ecosystem). */
    public static TestServer startWith(
            String databaseKind, Path dataDir, java.util.List<dev.portcullis.registry.Registry> registries) {
        return start(
                TestDatabases.create(databaseKind, dataDir),
                dataDir,
                PublishSettings.DEFAULT_MAX_FILE_BYTES,
                new TestClock(),
                null,
                IdentitySettings.DEFAULTS,
                AlertSink.logging(),
                OidcSettings.DEFAULTS,
                s -> s,
                registries);
    }

    private static TestServer start(
            DatabaseSettings database,
            Path dataDir,
            long maxFileBytes,
            TestClock clock,
            TestUser admin,
            IdentitySettings identity,
            AlertSink alerts,
            OidcSettings oidc,
            java.util.function.UnaryOperator<Settings> customize) {
        return start(
                database, dataDir, maxFileBytes, clock, admin, identity, alerts, oidc, customize, java.util.List.of());
    }

    private static TestServer start(
            DatabaseSettings database,
            Path dataDir,
            long maxFileBytes,
            TestClock clock,
            TestUser admin,
            IdentitySettings identity,
            AlertSink alerts,
            OidcSettings oidc,
            java.util.function.UnaryOperator<Settings> customize,
            java.util.List<dev.portcullis.registry.Registry> registries) {
        Settings settings = customize.apply(Settings.defaults(dataDir)
                // Tests run their receivers, issuers and "PyPI" on loopback: allow-listed like an operator would.
                .withOutbound(OutboundPolicy.allowing("127.0.0.1", "localhost"))
                .withDatabase(database)
                .withListener("127.0.0.1", 0)
                .withPublish(new PublishSettings(maxFileBytes))
                .withIdentity(identity)
                .withOidc(oidc));
        Portcullis portcullis = Portcullis.open(settings, clock, new SecureRandom(), alerts, registries);
        int port = portcullis.serve();
        TestServer server = new TestServer(portcullis, port, clock, admin);
        if (admin == null) {
            return new TestServer(
                    portcullis,
                    port,
                    clock,
                    server.user("admin", new RoleGrant(RoleGrant.EVERY_PROJECT, Role.ADMIN), Permission.ADMIN));
        }
        return server;
    }

    /**
     * Runs the server's periodic work once, now (alerts due are delivered, watches due are polled, …).
     * With {@code settings.withScheduledWork(false)} nothing else runs it, so what did not happen
     * after a tick will not happen.
     */
    public void tick() {
        portcullis.tick();
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public TestUser admin() {
        return admin;
    }

    public String adminToken() {
        return admin.token();
    }

    /** Makes every upstream watch due (its interval passed), polls them, then delivers the alerts that raised. */
    public void pollWatches() {
        clock.advance(java.time.Duration.ofMinutes(1));
        tick();
        tick();
    }

    /** The upstream watcher's verdict on each file it saw, by file name. */
    public java.util.List<String> upstreamVerdicts() {
        return portcullis
                .database()
                .withHandle(h -> h.createQuery("SELECT verdict FROM upstream_files ORDER BY filename")
                        .mapTo(String.class)
                        .list());
    }

    /** Imports {@code yaml} as {@code project}'s policy through the CLI, as the admin with a fresh code. */
    public CliRunner.Output importPolicy(String project, String yaml) {
        try {
            java.nio.file.Path file = java.nio.file.Files.createTempFile("portcullis-policy", ".yaml");
            try {
                java.nio.file.Files.writeString(file, yaml);
                return CliRunner.run(
                        "policy",
                        "import",
                        project,
                        file.toString(),
                        "--otp",
                        admin().otp(),
                        "--server",
                        url(),
                        "--token",
                        adminToken());
            } finally {
                java.nio.file.Files.deleteIfExists(file);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public TestClock clock() {
        return clock;
    }

    public Portcullis app() {
        return portcullis;
    }

    /** The data directory and database of this server, as CLI options for local commands. */
    public String[] localOptions() {
        DatabaseSettings db = portcullis.settings().database();
        if (db.dialect() == DatabaseSettings.Dialect.SQLITE) {
            return new String[] {"--data", portcullis.settings().dataDir().toString()};
        }
        String url = "postgresql://" + db.user() + ":" + db.password() + "@"
                + db.jdbcUrl().substring("jdbc:postgresql://".length());
        return new String[] {"--data", portcullis.settings().dataDir().toString(), "--database", url};
    }

    /** Creates (if needed) a user with {@code role} and returns a new token for it (no MFA). */
    public String token(String user, Role role, String project, Permission... permissions) {
        RoleGrant grant =
                new RoleGrant(project == null || role == Role.ADMIN ? RoleGrant.EVERY_PROJECT : project, role);
        if (portcullis.identity().findUser(user).isEmpty()) {
            portcullis.identity().addUser(user, grant, "test");
        }
        return portcullis
                .identity()
                .createToken(new TokenRequest(user, null, project, Set.of(permissions), null), "test")
                .secret();
    }

    /** A new user with one role, a token carrying {@code permissions}, and an enrolled second factor. */
    public TestUser user(String name, RoleGrant grant, Permission... permissions) {
        NewUser added = portcullis.identity().addUser(name, grant, "test");
        String token = portcullis
                .identity()
                .createToken(new TokenRequest(name, "test", null, Set.of(permissions), null), "test")
                .secret();
        MfaEnrollment enrollment =
                portcullis.identity().enrollMfa(added.ticket().secret(), Origin.LOCAL);
        byte[] secret = Totp.fromBase32(enrollment.secret());
        TestUser user = new TestUser(name, token, secret, clock);
        portcullis.identity().confirmMfa(added.ticket().secret(), user.otp(), Origin.LOCAL);
        return user;
    }

    /** Approves through the API as the admin, with a fresh code; returns the response. */
    /** The release as the API shows it to the admin (state, files with provenance, latest decision). */
    public com.fasterxml.jackson.databind.JsonNode release(String project, String version) {
        RawHttp.Response r = RawHttp.send(
                url(),
                "GET",
                "/api/v1/projects/" + project + "/releases/" + version,
                java.util.Map.of("Authorization", "Bearer " + adminToken()),
                null);
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public RawHttp.Response approve(String project, String version) {
        return decide(admin, project, version, "approve");
    }

    public RawHttp.Response decide(TestUser who, String project, String version, String verb) {
        return decideWith(who.token(), project, version, verb, who.otp());
    }

    public RawHttp.Response decideWith(String token, String project, String version, String verb, String otp) {
        String body = "{\"otp\": \"" + otp + "\", \"reason\": \"test\"}";
        return RawHttp.send(
                url(),
                "POST",
                "/api/v1/projects/" + project + "/releases/" + version + "/" + verb,
                Map.of("Authorization", "Bearer " + token, "Content-Type", "application/json"),
                body.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Number of events of {@code kind} recorded so far, counting those summed up in {@code
     * EventsCounted} (refusals are counted, not each written: EventLog#appendCounted).
     */
    public long events(String kind) {
        portcullis.events().flushCounted(true);
        long written = portcullis.events().list(null, kind, 0, 100_000).size();
        long counted = portcullis.events().list(null, "EventsCounted", 0, 100_000).stream()
                .filter(e -> kind.equals(e.subject()))
                .mapToLong(e -> {
                    try {
                        return new com.fasterxml.jackson.databind.ObjectMapper()
                                .readTree(e.details())
                                .path("count")
                                .asLong();
                    } catch (java.io.IOException ex) {
                        throw new java.io.UncheckedIOException(ex);
                    }
                })
                .sum();
        return written + counted;
    }

    /** What is stored: row counts and blob files. Equal snapshots mean nothing was stored. */
    public record Snapshot(long projects, long releases, long files, long blobs, long temporaryFiles) {}

    public Snapshot snapshot() {
        long[] rows = portcullis.database().withHandle(h -> new long[] {
            h.createQuery("SELECT COUNT(*) FROM projects").mapTo(Long.class).one(),
            h.createQuery("SELECT COUNT(*) FROM releases").mapTo(Long.class).one(),
            h.createQuery("SELECT COUNT(*) FROM release_files")
                    .mapTo(Long.class)
                    .one()
        });
        Path blobs = portcullis.settings().dataDir().resolve("blobs");
        return new Snapshot(
                rows[0], rows[1], rows[2], countFiles(blobs.resolve("sha256")), countFiles(blobs.resolve("tmp")));
    }

    private static long countFiles(Path dir) {
        try (var files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        portcullis.close();
    }
}
