package dev.portcullis.watch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import com.nimbusds.jwt.JWTClaimsSet;
import com.sun.net.httpserver.HttpServer;
import dev.portcullis.identity.OidcSettings;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Role;
import dev.portcullis.testing.CliRunner;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.StaticIssuer;
import dev.portcullis.testing.TestServer;
import dev.portcullis.testing.Uploads;
import dev.portcullis.watch.alert.Smtp;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The lightning pattern against a project with a history: 20 releases by its trusted publisher,
 * Mondays at 10:00 UTC, two weeks apart, from one network. Then a long-lived token uploads 2.6.2
 * and, ten minutes later, 2.6.3 — Sunday 03:00 UTC, from a new network, three times larger, with
 * a new dependency. Each detector fires with its evidence; the alerts reach a real webhook
 * receiver (Standard Webhooks signatures checked) and a real SMTP server; the receiver is down
 * during the attack and still gets every alert exactly once when it comes back.
 */
class WatchEndToEndTest {

    private static final String PROJECT = "lightning";
    private static final String SECRET = "whsec_"
            + Base64.getEncoder().encodeToString("a-32-byte-secret-for-the-tests!!".getBytes(StandardCharsets.UTF_8));
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** A webhook receiver that records every delivery and can be switched off (503). */
    private static final class Receiver implements AutoCloseable {
        record Delivery(String id, String timestamp, String signature, String body) {}

        final List<Delivery> deliveries = Collections.synchronizedList(new ArrayList<>());
        final AtomicBoolean up = new AtomicBoolean(true);
        final HttpServer server;

        Receiver() throws Exception {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/hook", exchange -> {
                byte[] body = exchange.getRequestBody().readAllBytes();
                if (up.get()) {
                    deliveries.add(new Delivery(
                            exchange.getRequestHeaders().getFirst("webhook-id"),
                            exchange.getRequestHeaders().getFirst("webhook-timestamp"),
                            exchange.getRequestHeaders().getFirst("webhook-signature"),
                            new String(body, StandardCharsets.UTF_8)));
                    exchange.sendResponseHeaders(204, -1);
                } else {
                    exchange.sendResponseHeaders(503, -1);
                }
                exchange.close();
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void aStolenTokenAtNightFiresTheDetectorsAndTheAlertsArriveOnce(String database) throws Exception {
        GreenMail smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
        try (StaticIssuer issuer = new StaticIssuer();
                Receiver receiver = new Receiver();
                TestServer server = TestServer.start(
                        database,
                        dir.resolve("data"),
                        settings -> settings.withScheduledWork(false)
                                .withOidc(OidcSettings.DEFAULTS.withIssuers(
                                        issuer.issuer(),
                                        OidcSettings.DEFAULTS.gitlabIssuer(),
                                        OidcSettings.DEFAULTS.googleIssuer()))
                                .withSmtp(new Smtp(
                                        "127.0.0.1", smtp.getSmtp().getPort(), "watch@portcullis.test", null, null))
                                .withWatch(WatchSettings.DEFAULTS.withAlerts(
                                        List.of(new WatchSettings.Webhook(receiver.url(), List.of(SECRET))),
                                        List.of(),
                                        List.of("security@acme.test"),
                                        null,
                                        "high")))) {
            CliRunner.Output publisher = CliRunner.run(
                    "publisher",
                    "add",
                    PROJECT,
                    "--github",
                    "Lightning-AI/pytorch-lightning",
                    "--owner-id",
                    "1",
                    "--workflow",
                    "release.yml",
                    "--otp",
                    server.admin().otp(),
                    "--server",
                    server.url(),
                    "--token",
                    server.adminToken());
            assertThat(publisher.code()).as(publisher.err()).isZero();
            Path policy = Files.writeString(dir.resolve("policy.yaml"), """
          version: 1
          auto_release:
            enabled: true
            require_trusted_publisher: true
            settle: 10m
          """);
            CliRunner.Output imported = CliRunner.run(
                    "policy",
                    "import",
                    PROJECT,
                    policy.toString(),
                    "--otp",
                    server.admin().otp(),
                    "--server",
                    server.url(),
                    "--token",
                    server.adminToken());
            assertThat(imported.code()).as(imported.err()).isZero();

            // Twenty releases by the trusted publisher: Mondays 10:00 UTC, every two weeks, from 127.0.0.1.
            moveTo(
                    server,
                    ZonedDateTime.ofInstant(server.clock().instant().plus(Duration.ofDays(7)), ZoneOffset.UTC)
                            .with(TemporalAdjusters.next(DayOfWeek.MONDAY))
                            .withHour(10)
                            .withMinute(0)
                            .withSecond(0)
                            .toInstant());
            for (int i = 0; i < 20; i++) {
                String version = "2." + (4 + i / 10) + "." + (i % 10);
                String token = mint(server, issuer);
                RawHttp.Response upload = upload(
                        server,
                        "127.0.0.1",
                        "twine/5.1.1 CPython/3.12.3",
                        token,
                        version,
                        20_000,
                        List.of("torch>=2.1"));
                assertThat(upload.status()).as(upload.reason()).isEqualTo(200);
                server.clock().advance(Duration.ofMinutes(11));
                server.app().gate().tick();
                assertThat(state(server, version)).isEqualTo("released");
                server.clock().advance(Duration.ofDays(14).minusMinutes(11));
            }

            // The attack: a long-lived token, Sunday 02:50 and 03:00 UTC, from another network, 3x larger, a new
            // dependency.
            receiver.up.set(false);
            moveTo(
                    server,
                    ZonedDateTime.ofInstant(server.clock().instant(), ZoneOffset.UTC)
                            .with(TemporalAdjusters.next(DayOfWeek.SUNDAY))
                            .withHour(2)
                            .withMinute(50)
                            .withSecond(0)
                            .toInstant());
            String stolen = server.token("mallory", Role.MAINTAINER, PROJECT, Permission.UPLOAD);
            List<String> requires = List.of("torch>=2.1", "router-runtime>=1.0");
            assertThat(upload(server, "127.0.1.5", "python-requests/2.31.0", stolen, "2.6.2", 60_000, requires)
                            .status())
                    .isEqualTo(200);
            server.clock().advance(Duration.ofMinutes(10));
            assertThat(upload(server, "127.0.1.5", "python-requests/2.31.0", stolen, "2.6.3", 60_000, requires)
                            .status())
                    .isEqualTo(200);

            List<String> reasons = reasons(server, "2.6.3");
            assertThat(reasons)
                    .contains(
                            "medium signal from network: uploaded from 127.0.1.5, a network (127.0.1.0/24) never seen for this project in 20 release(s)",
                            "medium signal from time: uploaded at 03:00 UTC on Sunday; the project's 20 releases arrived between 10:00-10:59 UTC",
                            "medium signal from cadence: version 2.6.3 came 10 minutes after 2.6.2; the project's median gap between releases is 14 days",
                            "medium signal from dependencies: adds router-runtime>=1.0, never used by this project in 20 release(s)");
            assertThat(reasons)
                    .anySatisfy(
                            r -> assertThat(r)
                                    .startsWith("high signal from credential: uploaded with a long-lived API token")
                                    .endsWith(
                                            "but 20 of the project's 20 releases, including the latest, came from its trusted publisher"));
            assertThat(reasons)
                    .anySatisfy(r -> assertThat(r)
                            .startsWith("medium signal from size: lightning-2.6.3-py3-none-any.whl is")
                            .containsPattern(
                                    "is 61.2 kB, 2.9 times the median 21.2 kB of the project.s last 20 wheel files"));
            assertThat(state(server, "2.6.3")).isIn("quarantined", "rejected");

            // While the receiver is down nothing is lost: the deliveries wait in the outbox.
            long raised = server.app()
                    .database()
                    .withHandle(h -> h.createQuery("SELECT COUNT(*) FROM alerts WHERE level IN ('high', 'critical')")
                            .mapTo(Long.class)
                            .one());
            assertThat(raised)
                    .isGreaterThanOrEqualTo(3); // two token uploads to a trusted project, and the 2.6.3 notice at least
            server.tick();
            assertThat(pendingWebhookAttempts(server)).isPositive();
            assertThat(receiver.deliveries).isEmpty();

            // E-mail went out meanwhile.
            assertThat(smtp.waitForIncomingEmail(20_000, (int) raised)).isTrue();
            assertThat(java.util.Arrays.stream(smtp.getReceivedMessages()).map(m -> {
                        try {
                            return m.getSubject();
                        } catch (jakarta.mail.MessagingException e) {
                            throw new IllegalStateException(e);
                        }
                    }))
                    .anySatisfy(subject -> assertThat(subject).startsWith("[Portcullis] lightning 2.6.3 was"));

            // The receiver comes back; after the backoff every alert arrives, each exactly once.
            receiver.up.set(true);
            server.clock().advance(Duration.ofMinutes(15));
            server.tick();
            assertThat(receiver.deliveries).hasSize((int) raised);
            server.clock().advance(Duration.ofMinutes(15));
            server.tick();
            assertThat(receiver.deliveries).hasSize((int) raised);
            assertThat(receiver.deliveries.stream()
                            .map(Receiver.Delivery::id)
                            .distinct()
                            .count())
                    .isEqualTo(raised);
            for (Receiver.Delivery d : receiver.deliveries) {
                assertThat(d.signature()).isEqualTo("v1," + hmac(d.id() + "." + d.timestamp() + "." + d.body()));
            }
            JsonNode notice = receiver.deliveries.stream()
                    .map(d -> read(d.body()))
                    .filter(b -> b.path("subject").asText().equals("2.6.3")
                            && b.path("type").asText().startsWith("release."))
                    .findFirst()
                    .orElseThrow();
            assertThat(notice.path("project").asText()).isEqualTo(PROJECT);
            assertThat(notice.path("reasons").toString())
                    .contains("signal from network")
                    .contains("signal from credential");
        } finally {
            smtp.stop();
        }
    }

    private static void moveTo(TestServer server, Instant target) {
        server.clock().advance(Duration.between(server.clock().instant(), target));
    }

    /** Exchanges a GitHub-shaped OIDC token (issued now by the server's clock) for a short-lived upload token. */
    private static String mint(TestServer server, StaticIssuer issuer) throws Exception {
        long now = server.clock().millis();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(issuer.issuer())
                .audience("portcullis")
                .subject("repo:Lightning-AI/pytorch-lightning:ref:refs/tags/v2")
                .issueTime(new Date(now))
                .expirationTime(new Date(now + 300_000))
                .jwtID(UUID.randomUUID().toString())
                .claim("repository", "Lightning-AI/pytorch-lightning")
                .claim("repository_owner", "Lightning-AI")
                .claim("repository_owner_id", "1")
                .claim("job_workflow_ref", "Lightning-AI/pytorch-lightning/.github/workflows/release.yml@refs/tags/v2")
                .claim("workflow_ref", "Lightning-AI/pytorch-lightning/.github/workflows/release.yml@refs/tags/v2")
                .claim("ref", "refs/tags/v2")
                .claim("sha", "abc123")
                .claim("run_id", "1")
                .claim("event_name", "push")
                .build();
        RawHttp.Response minted = RawHttp.send(
                server.url(),
                "POST",
                "/_/oidc/mint-token",
                Map.of("Content-Type", "application/json"),
                JSON.writeValueAsBytes(Map.of("token", issuer.sign(claims))));
        assertThat(minted.status()).as(minted.body()).isEqualTo(200);
        return JSON.readTree(minted.body()).path("token").asText();
    }

    private static RawHttp.Response upload(
            TestServer server,
            String from,
            String agent,
            String token,
            String version,
            int padding,
            List<String> requires) {
        byte[] data = new byte[padding];
        new Random(version.hashCode()).nextBytes(data);
        byte[] wheel = Uploads.wheel(PROJECT, version, PROJECT, version, Map.of(PROJECT + "/data.bin", data), requires);
        return RawHttp.sendFrom(
                from,
                server.url(),
                "POST",
                "/legacy/",
                Map.of(
                        "Content-Type",
                        dev.portcullis.testing.Multipart.contentType(),
                        "Authorization",
                        RawHttp.basic(token),
                        "User-Agent",
                        agent),
                Uploads.wheelForm(PROJECT, version, Uploads.wheelName(PROJECT, version), wheel)
                        .build());
    }

    private static String state(TestServer server, String version) {
        return server.app()
                .database()
                .withHandle(h -> h.createQuery("SELECT state FROM releases WHERE version = :v")
                        .bind("v", version)
                        .mapTo(String.class)
                        .one());
    }

    private static List<String> reasons(TestServer server, String version) throws Exception {
        String json = server.app()
                .database()
                .withHandle(h -> h.createQuery("SELECT d.reasons FROM release_decisions d JOIN releases r"
                                + " ON r.id = d.release_id WHERE r.version = :v ORDER BY d.id DESC LIMIT 1")
                        .bind("v", version)
                        .mapTo(String.class)
                        .one());
        List<String> reasons = new ArrayList<>();
        JSON.readTree(json).forEach(r -> reasons.add(r.asText()));
        return reasons;
    }

    private static long pendingWebhookAttempts(TestServer server) {
        return server.app()
                .database()
                .withHandle(h -> h.createQuery(
                                "SELECT COUNT(*) FROM alert_deliveries WHERE sink LIKE 'webhook:%' AND state = 'pending' AND attempts > 0")
                        .mapTo(Long.class)
                        .one());
    }

    private static String hmac(String content) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(SECRET.substring(6)), "HmacSHA256"));
        return Base64.getEncoder().encodeToString(mac.doFinal(content.getBytes(StandardCharsets.UTF_8)));
    }

    private static JsonNode read(String body) {
        try {
            return JSON.readTree(body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
