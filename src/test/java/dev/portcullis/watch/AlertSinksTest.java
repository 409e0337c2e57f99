package dev.portcullis.watch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.portcullis.events.AlertLevel;
import dev.portcullis.events.AlertSink;
import dev.portcullis.testing.CliRunner;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestServer;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every sink on one alert: a webhook signed with two secrets (rotation), a Slack-compatible
 * receiver, a syslog receiver (CEF over UDP); below the minimum level nothing is sent; the events
 * API exports the alert as JSON Lines and CEF; /metrics counts it.
 */
class AlertSinksTest {

    private static final String OLD = "whsec_"
            + Base64.getEncoder().encodeToString("old-secret-old-secret-old-secret".getBytes(StandardCharsets.UTF_8));
    private static final String NEW = "whsec_"
            + Base64.getEncoder().encodeToString("new-secret-new-secret-new-secret".getBytes(StandardCharsets.UTF_8));
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void anAlertReachesEverySinkOnceAndShowsInTheLogAndMetrics(String database) throws Exception {
        List<Map<String, String>> hooks = Collections.synchronizedList(new ArrayList<>());
        List<String> slack = Collections.synchronizedList(new ArrayList<>());
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            hooks.add(Map.of(
                    "id",
                    exchange.getRequestHeaders().getFirst("webhook-id"),
                    "timestamp",
                    exchange.getRequestHeaders().getFirst("webhook-timestamp"),
                    "signature",
                    exchange.getRequestHeaders().getFirst("webhook-signature"),
                    "body",
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        List<String> followers = Collections.synchronizedList(new ArrayList<>());
        receiver.createContext("/demo-team", exchange -> {
            followers.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.createContext("/services/T0/B0/xyz", exchange -> {
            slack.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        String base = "http://127.0.0.1:" + receiver.getAddress().getPort();
        try (DatagramSocket syslog = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"));
                TestServer server = TestServer.start(
                        database,
                        dir.resolve("data"),
                        settings -> settings.withScheduledWork(false)
                                .withWatch(WatchSettings.DEFAULTS.withAlerts(
                                        List.of(new WatchSettings.Webhook(base + "/hook", List.of(NEW, OLD))),
                                        List.of(base + "/services/T0/B0/xyz"),
                                        List.of(),
                                        "127.0.0.1:" + syslog.getLocalPort(),
                                        "high")))) {
            syslog.setSoTimeout(20_000);
            // The project's own followers (its policy's notify) hear about it from medium level up.
            Path policy = java.nio.file.Files.writeString(
                    dir.resolve("policy.yaml"), "notify:\n  webhooks: [" + base + "/demo-team]\n");
            CliRunner.Output imported = CliRunner.run(
                    "policy",
                    "import",
                    "demo",
                    policy.toString(),
                    "--otp",
                    server.admin().otp(),
                    "--server",
                    server.url(),
                    "--token",
                    server.adminToken());
            assertThat(imported.code()).as(imported.err()).isZero();
            server.app()
                    .alerts()
                    .raise(new AlertSink.Alert(
                            "DrillAlert",
                            AlertLevel.LOW,
                            "demo",
                            "1.0",
                            "quiet",
                            "below the minimum",
                            Map.of(),
                            List.of(),
                            List.of()));
            server.app()
                    .alerts()
                    .raise(new AlertSink.Alert(
                            "TokenUploadToTrustedProject",
                            AlertLevel.HIGH,
                            "demo",
                            "2.0",
                            "demo 2.0 was uploaded with a long-lived token",
                            "a long-lived token uploaded to 'demo' | which = publishes via CI",
                            Map.of("token", "ab12"),
                            List.of(),
                            List.of()));
            server.tick(); // delivers what is due, to every destination
            server.tick(); // and nothing twice

            DatagramPacket packet = new DatagramPacket(new byte[8192], 8192);
            syslog.receive(packet);
            String line = new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
            assertThat(line)
                    .startsWith("<106>1 ")
                    .contains(
                            " portcullis portcullis - alert - CEF:0|Portcullis|Portcullis|1|TokenUploadToTrustedProject|"
                                    + "demo 2.0 was uploaded with a long-lived token|8|")
                    .contains("cs1Label=project cs1=demo")
                    .contains("msg=a long-lived token uploaded to 'demo' | which \\= publishes via CI");

            assertThat(slack).hasSize(1);
            assertThat(hooks).hasSize(1);
            assertThat(followers)
                    .singleElement()
                    .satisfies(f -> assertThat(JSON.readTree(f).path("type").asText())
                            .isEqualTo("TokenUploadToTrustedProject"));
            Map<String, String> hook = hooks.getFirst();
            String signed = hook.get("id") + "." + hook.get("timestamp") + "." + hook.get("body");
            assertThat(hook.get("signature")).isEqualTo("v1," + hmac(NEW, signed) + " v1," + hmac(OLD, signed));
            JsonNode body = JSON.readTree(hook.get("body"));
            assertThat(body.path("type").asText()).isEqualTo("TokenUploadToTrustedProject");
            assertThat(body.path("level").asText()).isEqualTo("high");
            assertThat(body.path("token").asText()).isEqualTo("ab12");
            assertThat(slack)
                    .singleElement()
                    .satisfies(
                            s -> assertThat(JSON.readTree(s).path("text").asText())
                                    .isEqualTo(
                                            "*[HIGH] demo 2.0 was uploaded with a long-lived token*\na long-lived token uploaded to 'demo' | which = publishes via CI"));
            // The Slack URL carries a token: the outbox keeps only its fingerprint.
            List<String> sinks = server.app()
                    .database()
                    .withHandle(h -> h.createQuery("SELECT sink FROM alert_deliveries")
                            .mapTo(String.class)
                            .list());
            assertThat(sinks).hasSize(4).noneMatch(sink -> sink.contains("xyz") || sink.contains("/hook"));

            RawHttp.Response cef = RawHttp.send(
                    server.url(),
                    "GET",
                    "/api/v1/events?kind=AlertRaised&format=cef",
                    Map.of("Authorization", "Bearer " + server.adminToken()),
                    null);
            assertThat(cef.status()).isEqualTo(200);
            assertThat(cef.body().lines())
                    .hasSize(2)
                    .allSatisfy(l -> assertThat(l).startsWith("CEF:0|Portcullis|Portcullis|1|AlertRaised|"));
            CliRunner.Output jsonl = CliRunner.run(
                    "events",
                    "--kind",
                    "AlertDelivered",
                    "--format",
                    "jsonl",
                    "--server",
                    server.url(),
                    "--token",
                    server.adminToken());
            assertThat(jsonl.code()).as(jsonl.err()).isZero();
            assertThat(jsonl.out().lines())
                    .hasSize(4)
                    .allSatisfy(l ->
                            assertThat(JSON.readTree(l).path("kind").asText()).isEqualTo("AlertDelivered"));
            RawHttp.Response forbidden = RawHttp.send(
                    server.url(),
                    "GET",
                    "/api/v1/events",
                    Map.of(
                            "Authorization",
                            "Bearer "
                                    + server.token(
                                            "ci",
                                            dev.portcullis.identity.Role.MAINTAINER,
                                            "demo",
                                            dev.portcullis.identity.Permission.UPLOAD)),
                    null);
            assertThat(forbidden.status()).isEqualTo(403);

            String metrics = RawHttp.send(server.url(), "GET", "/metrics", Map.of(), null)
                    .body();
            assertThat(metrics)
                    .contains(
                            "portcullis_alerts_total{level=\"high\"} 1",
                            "portcullis_alerts_total{level=\"low\"} 1",
                            "portcullis_alert_deliveries{state=\"delivered\"} 4",
                            "portcullis_alert_queue_depth 0",
                            "# TYPE portcullis_uploads_total counter");
        } finally {
            receiver.stop(0);
        }
    }

    /** Deliveries live in the database: an alert raised while its receiver is down arrives, once, after a restart. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void pendingAlertsSurviveARestartAndArriveOnce(String database) throws Exception {
        List<String> received = Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.atomic.AtomicBoolean up = new java.util.concurrent.atomic.AtomicBoolean(false);
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (up.get()) {
                received.add(exchange.getRequestHeaders().getFirst("webhook-id") + " "
                        + new String(body, StandardCharsets.UTF_8));
            }
            exchange.sendResponseHeaders(up.get() ? 200 : 503, -1);
            exchange.close();
        });
        receiver.start();
        java.util.function.UnaryOperator<dev.portcullis.app.Settings> sinks = settings -> settings.withScheduledWork(
                        false)
                .withWatch(WatchSettings.DEFAULTS.withAlerts(
                        List.of(new WatchSettings.Webhook(
                                "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook", List.of(NEW))),
                        List.of(),
                        List.of(),
                        null,
                        "medium"));
        try {
            TestServer first = TestServer.start(database, dir.resolve("data"), sinks);
            dev.portcullis.store.DatabaseSettings db = first.app().settings().database();
            dev.portcullis.testing.TestClock clock = first.clock();
            dev.portcullis.testing.TestUser admin = first.admin();
            try (first) {
                first.app()
                        .alerts()
                        .raise(new AlertSink.Alert(
                                "DrillAlert",
                                AlertLevel.HIGH,
                                "demo",
                                "1.0",
                                "the receiver is down",
                                "retry me",
                                Map.of(),
                                List.of(),
                                List.of()));
                first.tick();
                assertThat(attempts(first)).isPositive();
                assertThat(received).isEmpty();
            }
            up.set(true);
            try (TestServer second = TestServer.start(db, dir.resolve("data"), clock, admin, sinks)) {
                second.clock().advance(java.time.Duration.ofMinutes(15)); // past any backoff
                second.tick();
                second.clock().advance(java.time.Duration.ofHours(3));
                second.tick();
                assertThat(received)
                        .singleElement()
                        .satisfies(r -> assertThat(r).startsWith("alert_").contains("\"type\":\"DrillAlert\""));
                assertThat(second.events("AlertDelivered")).isEqualTo(1);
            }
        } finally {
            receiver.stop(0);
        }
    }

    private static long attempts(TestServer server) {
        return server.app()
                .database()
                .withHandle(h -> h.createQuery("SELECT COALESCE(MAX(attempts), 0) FROM alert_deliveries")
                        .mapTo(Long.class)
                        .one());
    }

    private static String hmac(String secret, String content) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring(6)), "HmacSHA256"));
        return Base64.getEncoder().encodeToString(mac.doFinal(content.getBytes(StandardCharsets.UTF_8)));
    }
}
