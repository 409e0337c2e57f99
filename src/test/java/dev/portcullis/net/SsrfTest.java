package dev.portcullis.net;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jwt.JWTClaimsSet;
import com.sun.net.httpserver.HttpServer;
import dev.portcullis.events.AlertLevel;
import dev.portcullis.events.AlertSink;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Role;
import dev.portcullis.identity.RoleGrant;
import dev.portcullis.testing.HookReceiver;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.StaticIssuer;
import dev.portcullis.testing.TestServer;
import dev.portcullis.testing.TestUser;
import dev.portcullis.watch.WatchSettings;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 15, finding 4: nothing a project owner (or an upstream index, or an issuer) supplies can
 * make the server reach its own network. Every outbound request goes through the guarded client:
 * HTTPS to public addresses unless an admin allow-listed the host; only global admins name upstream
 * targets, custom indexes and issuers; no answer is echoed into errors; issuer failures read alike.
 */
class SsrfTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROJECT = "acme";

    @TempDir
    Path dir;

    private static RawHttp.Response call(TestServer server, String token, String method, String path, Object body)
            throws Exception {
        return RawHttp.send(
                server.url(),
                method,
                path,
                Map.of("Authorization", "Bearer " + token, "Content-Type", "application/json"),
                body == null ? null : JSON.writeValueAsBytes(body));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void aServerWithoutAnAllowListNeverPostsToItsOwnNetwork(String database) throws Exception {
        try (HookReceiver receiver = new HookReceiver();
                TestServer server = TestServer.start(
                        database,
                        dir.resolve("data"),
                        settings -> settings.withScheduledWork(false)
                                .withOutbound(OutboundPolicy.STRICT)
                                .withWatch(WatchSettings.DEFAULTS.withAlerts(
                                        List.of(
                                                new WatchSettings.Webhook(receiver.url(), List.of()),
                                                new WatchSettings.Webhook(
                                                        "https://localhost:" + receiver.port() + "/hook", List.of())),
                                        List.of(),
                                        List.of(),
                                        null,
                                        "low")))) {
            server.app()
                    .alerts()
                    .raise(new AlertSink.Alert(
                            "SsrfProbe",
                            AlertLevel.HIGH,
                            null,
                            "probe",
                            "probe",
                            "probe",
                            Map.of(),
                            List.of(),
                            List.of()));
            server.tick(); // one delivery attempt to each destination, on this thread
            List<String> errors = server.app()
                    .database()
                    .withHandle(h -> h.createQuery("SELECT last_error FROM alert_deliveries ORDER BY id")
                            .mapTo(String.class)
                            .list());
            assertThat(errors).allSatisfy(e -> assertThat(e).contains("refused by the outbound request policy"));
            assertThat(errors)
                    .as("plain http to loopback, and https to a name that resolves to loopback")
                    .hasSize(2)
                    .anySatisfy(e -> assertThat(e).contains("only https URLs are fetched"))
                    .anySatisfy(e -> assertThat(e).contains("localhost resolves to a non-public address"));
            assertThat(receiver.bodies())
                    .as("nothing reached the loopback receiver")
                    .isEmpty();

            // An admin cannot point a watch at it either.
            RawHttp.Response watch = call(
                    server,
                    server.adminToken(),
                    "POST",
                    "/api/v1/watch",
                    Map.of("index", "http://127.0.0.1:" + receiver.port(), "name", "anything"));
            assertThat(watch.status()).isEqualTo(400);
            assertThat(watch.body()).contains("cannot be watched: refused by the outbound request policy");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void aProjectOwnerNamesNoUrlTheServerWouldFetch(String database) throws Exception {
        try (TestServer server = TestServer.start(
                database, dir.resolve("data"), settings -> settings.withOutbound(OutboundPolicy.STRICT))) {
            TestUser owner = server.user("olga", new RoleGrant(PROJECT, Role.OWNER), Permission.ADMIN);
            RawHttp.Response policy = call(
                    server,
                    owner.token(),
                    "POST",
                    "/api/v1/projects/" + PROJECT + "/policy",
                    Map.of("document", "notify:\n  webhooks: [\"http://127.0.0.1:9/internal\"]\n", "otp", owner.otp()));
            assertThat(policy.status()).isEqualTo(400);
            assertThat(policy.body()).contains("notify.webhooks").contains("only https URLs are fetched");
            RawHttp.Response metadata = call(
                    server,
                    owner.token(),
                    "POST",
                    "/api/v1/projects/" + PROJECT + "/policy",
                    Map.of(
                            "document",
                            "notify:\n  webhooks: [\"https://169.254.169.254/latest/meta-data\"]\n",
                            "otp",
                            owner.otp()));
            assertThat(metadata.status()).isEqualTo(400);
            assertThat(metadata.body()).contains("not a public address");

            RawHttp.Response upstream = call(
                    server,
                    owner.token(),
                    "POST",
                    "/api/v1/projects/" + PROJECT + "/upstream",
                    Map.of(
                            "upload_url",
                            "https://upload.pypi.org/legacy/",
                            "credential",
                            "pypi-x",
                            "otp",
                            owner.otp()));
            assertThat(upstream.status()).isEqualTo(403);
            assertThat(upstream.body()).contains("only a global admin sets where a project is promoted");
            RawHttp.Response index = call(
                    server,
                    owner.token(),
                    "POST",
                    "/api/v1/watch",
                    Map.of("index", "https://internal.example/", "name", PROJECT));
            assertThat(index.status()).isEqualTo(403);
            assertThat(index.body()).contains("only a global admin may name an index by URL");
            RawHttp.Response issuer = call(
                    server,
                    owner.token(),
                    "POST",
                    "/api/v1/projects/" + PROJECT + "/publishers",
                    Map.of(
                            "kind",
                            "generic",
                            "issuer",
                            "https://idp.internal.example",
                            "claims",
                            Map.of("sub", "x"),
                            "otp",
                            owner.otp()));
            assertThat(issuer.status()).isEqualTo(403);
            assertThat(issuer.body()).contains("only a global admin may register a publisher with its own issuer");
            // The built-in issuers and indexes stay open to owners.
            RawHttp.Response pypi =
                    call(server, owner.token(), "POST", "/api/v1/watch", Map.of("index", "pypi", "name", PROJECT));
            assertThat(pypi.status()).as(pypi.body()).isEqualTo(201);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void whatAnInternalServiceAnswersIsNeverEchoed(String database) throws Exception {
        HttpServer internal = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        internal.createContext("/", exchange -> {
            byte[] secret = "SECRET-INTERNAL-DATA aws_secret_access_key=AKIA".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(exchange.getRequestURI().getPath().contains("500") ? 500 : 200, secret.length);
            exchange.getResponseBody().write(secret);
            exchange.close();
        });
        internal.start();
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        // (This server allow-lists loopback, as a test operator would, to reach the fake services.)
        try (StaticIssuer keys = new StaticIssuer();
                TestServer server = TestServer.start(database, dir.resolve("data"))) {
            String base = "http://127.0.0.1:" + internal.getAddress().getPort();
            RawHttp.Response watch =
                    call(server, server.adminToken(), "POST", "/api/v1/watch", Map.of("index", base, "name", "probe"));
            assertThat(watch.status()).as(watch.body()).isEqualTo(201);
            long deadline = System.currentTimeMillis() + 20_000;
            String lastError = null;
            while (lastError == null && System.currentTimeMillis() < deadline) {
                server.app().upstreamWatcher().pollDue();
                lastError = server.app()
                        .database()
                        .withHandle(h -> h.createQuery("SELECT last_error FROM watched_projects")
                                .mapTo(String.class)
                                .findFirst()
                                .orElse(null));
            }
            assertThat(lastError)
                    .isNotNull()
                    .contains("is not a JSON project listing")
                    .doesNotContain("SECRET");
            String everything = server.app()
                    .database()
                    .withHandle(h -> h.createQuery("SELECT * FROM events")
                                    .mapToMap()
                                    .list()
                                    .toString()
                            + h.createQuery("SELECT * FROM alerts").mapToMap().list());
            assertThat(everything).doesNotContain("SECRET-INTERNAL-DATA");

            // Issuer discovery: a closed port and a service that is not an OIDC provider read the same.
            String open = base + "/oidc";
            String shut = "http://127.0.0.1:" + closed + "/oidc";
            for (String issuer : List.of(open, shut)) {
                RawHttp.Response added = call(
                        server,
                        server.adminToken(),
                        "POST",
                        "/api/v1/projects/" + PROJECT + "/publishers",
                        Map.of(
                                "kind",
                                "generic",
                                "issuer",
                                issuer,
                                "claims",
                                Map.of("sub", "ci"),
                                "otp",
                                server.admin().otp()));
                assertThat(added.status()).as(added.body()).isEqualTo(201);
            }
            List<String> answers = new java.util.ArrayList<>();
            for (String issuer : List.of(open, shut)) {
                String jwt = keys.sign(new JWTClaimsSet.Builder()
                        .issuer(issuer)
                        .audience("portcullis")
                        .subject("ci")
                        .jwtID(UUID.randomUUID().toString())
                        .issueTime(new Date())
                        .expirationTime(new Date(System.currentTimeMillis() + 300_000))
                        .build());
                RawHttp.Response minted = RawHttp.send(
                        server.url(),
                        "POST",
                        "/_/oidc/mint-token",
                        Map.of("Content-Type", "application/json"),
                        JSON.writeValueAsBytes(Map.of("token", jwt)));
                assertThat(minted.status()).isEqualTo(422);
                answers.add(minted.body().replace(issuer, "ISSUER"));
            }
            assertThat(answers.get(0))
                    .isEqualTo(answers.get(1))
                    .contains("could not fetch the signing keys of ISSUER")
                    .doesNotContain("SECRET");
        } finally {
            internal.stop(0);
        }
    }
}
