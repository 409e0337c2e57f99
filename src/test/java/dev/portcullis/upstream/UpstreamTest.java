package dev.portcullis.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Role;
import dev.portcullis.testing.Await;
import dev.portcullis.testing.CliRunner;
import dev.portcullis.testing.HookReceiver;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestServer;
import dev.portcullis.testing.Uploads;
import dev.portcullis.watch.WatchSettings;
import dev.portcullis.watch.alert.Smtp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Two Portcullis servers: the gate, and one playing the public index (it speaks the same upload
 * and JSON APIs, and releases token uploads at once, as PyPI does). The gate promotes what it
 * approves — exactly once, though two gate processes share the database — and watches the public
 * index: what it approved raises nothing; a direct upload with a token (the lightning path) and a
 * same-name file with other bytes raise critical alerts through a real webhook receiver and a real
 * SMTP server; an unreachable index is a degraded-watcher alert, not silence. {@code release wait}
 * exits 0 only for matching digests and times out cleanly.
 */
class UpstreamTest {

    private static final String PUBLIC_POLICY = dev.portcullis.testing.TestPolicies.RELEASE_EVERYTHING;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void theGatePromotesWatchesAndRaisesTheAlarm(String database) throws Exception {
        HookReceiver receiver = new HookReceiver();
        GreenMail smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
        // Nothing runs by itself here: each server's periodic work (promotion, polls, alert delivery,
        // the public index's gate) runs on tick(), so "it happened once" is checked, not waited for.
        try (TestServer pypi = TestServer.start(
                        "sqlite", dir.resolve("public"), settings -> settings.withScheduledWork(false));
                TestServer gate = TestServer.start(
                        database,
                        dir.resolve("gate"),
                        settings -> settings.withScheduledWork(false)
                                .withSmtp(new Smtp(
                                        "127.0.0.1", smtp.getSmtp().getPort(), "gate@portcullis.test", null, null))
                                .withWatch(WatchSettings.DEFAULTS
                                        .withUpstreamInterval(Duration.ofSeconds(1))
                                        .withAlerts(
                                                List.of(new WatchSettings.Webhook(receiver.url(), List.of())),
                                                List.of(),
                                                List.of("security@acme.test"),
                                                null,
                                                "high")))) {
            for (String project : List.of("lightning", "other")) {
                assertThat(pypi.importPolicy(project, PUBLIC_POLICY).code()).isZero();
            }
            String publicToken = pypi.token("maintainer", Role.MAINTAINER, null, Permission.UPLOAD);
            String ci = gate.token("ci", Role.MAINTAINER, null, Permission.UPLOAD);

            // Promotion: the gate uploads what it approves, with a credential sealed at rest.
            CliRunner.Output target = CliRunner.runWithStdin(
                    publicToken + "\n",
                    "upstream",
                    "set",
                    "lightning",
                    "--upload-url",
                    pypi.url() + "/legacy/",
                    "--otp",
                    gate.admin().otp(),
                    "--server",
                    gate.url(),
                    "--token",
                    gate.adminToken());
            assertThat(target.code()).as(target.err()).isZero();
            String sealed = gate.app()
                    .database()
                    .withHandle(h -> h.createQuery("SELECT credential FROM upstream_targets")
                            .mapTo(String.class)
                            .one());
            assertThat(sealed).doesNotContain(publicToken);

            // A second gate process on the same database and data: both promote, each file goes up once.
            try (TestServer twin = TestServer.start(
                    gate.app().settings().database(),
                    dir.resolve("gate"),
                    gate.clock(),
                    gate.admin(),
                    settings -> settings.withScheduledWork(false))) {
                byte[] wheel = Uploads.wheel("lightning", "2.6.1");
                assertThat(upload(gate, ci, "lightning", "2.6.1", wheel).status())
                        .isEqualTo(200);
                assertThat(gate.approve("lightning", "2.6.1").status()).isEqualTo(200);
                Thread racer = Thread.ofVirtual().start(twin::tick);
                gate.tick();
                racer.join();
                pypi.tick(); // the public index releases token uploads at once (settle 0s)
                assertThat(pypi.app().catalog().releasedArtifacts("lightning")).hasSize(1);
                // Both promoters, again and later: nothing is uploaded twice.
                gate.clock().advance(Duration.ofHours(3));
                gate.tick();
                twin.tick();
                assertThat(countEvents(pypi, "UploadStaged")).isEqualTo(1);
                assertThat(countEvents(gate, "ReleasePromoted")).isEqualTo(1);
                RawHttp.Response published = RawHttp.send(
                        pypi.url(),
                        "GET",
                        "/files/lightning/" + Uploads.wheelName("lightning", "2.6.1"),
                        Map.of(),
                        null);
                assertThat(published.bytes()).isEqualTo(wheel);
            }
            CliRunner.Output audit = CliRunner.run(
                    "audit", "tokens", "--server", gate.url(), "--token", gate.adminToken(), "--fail-on", "never");
            assertThat(audit.out())
                    .contains("upstream credentials (sealed at rest)")
                    .contains("lightning");

            // Watching the public index (after the twin stopped: processes sharing a database share their settings).
            CliRunner.Output watch = CliRunner.run(
                    "watch",
                    "add",
                    "lightning",
                    "--index",
                    pypi.url(),
                    "--server",
                    gate.url(),
                    "--token",
                    gate.adminToken());
            assertThat(watch.code()).as(watch.err()).isZero();
            assertThat(CliRunner.run(
                                    "watch",
                                    "add",
                                    "other",
                                    "--index",
                                    pypi.url(),
                                    "--server",
                                    gate.url(),
                                    "--token",
                                    gate.adminToken())
                            .code())
                    .isZero();
            // The approved, promoted release raises nothing upstream.
            gate.pollWatches();
            assertThat(gate.upstreamVerdicts()).contains("approved");
            assertThat(receiver.json()).noneMatch(h -> h.path("type").asText().startsWith("Upstream"));

            // The lightning path: a token uploads straight to the public index.
            byte[] malicious = Uploads.wheel(
                    "lightning",
                    "2.6.2",
                    "lightning",
                    "2.6.2",
                    Map.of(
                            "lightning/_runtime/router_runtime.js",
                            "var _0x1a2b=1;".repeat(1000).getBytes(StandardCharsets.UTF_8)));
            assertThat(upload(pypi, publicToken, "lightning", "2.6.2", malicious)
                            .status())
                    .isEqualTo(200);
            pypi.tick();
            assertThat(pypi.app().catalog().releasedArtifacts("lightning")).hasSize(2);
            gate.pollWatches();
            assertThat(receiver.json())
                    .anyMatch(h -> h.path("type").asText().equals("UpstreamFileUnapproved")
                            && h.path("subject").asText().equals("2.6.2"));
            JsonNode alarm = receiver.json().stream()
                    .filter(h -> h.path("subject").asText().equals("2.6.2"))
                    .findFirst()
                    .orElseThrow();
            assertThat(alarm.path("level").asText()).isEqualTo("critical");
            assertThat(alarm.path("message").asText())
                    .contains("lightning-2.6.2-py3-none-any.whl appeared on " + pypi.url())
                    .contains("the gate never approved it")
                    .contains("times 2.6.1's");
            assertThat(smtp.waitForIncomingEmail(20_000, 1)).isTrue();
            assertThat(smtp.getReceivedMessages()[0].getSubject())
                    .isEqualTo(
                            "[Portcullis] lightning 2.6.2 appeared on " + pypi.url() + " without the gate's approval");

            // Same name, other bytes: approved in the gate (no promotion for this project), replaced upstream.
            assertThat(upload(gate, ci, "other", "1.0", Uploads.wheel("other", "1.0"))
                            .status())
                    .isEqualTo(200);
            assertThat(gate.approve("other", "1.0").status()).isEqualTo(200);
            byte[] tampered = Uploads.wheel(
                    "other",
                    "1.0",
                    "other",
                    "1.0",
                    Map.of("other/extra.py", "import os\n".getBytes(StandardCharsets.UTF_8)));
            assertThat(upload(pypi, publicToken, "other", "1.0", tampered).status())
                    .isEqualTo(200);
            pypi.tick();
            assertThat(pypi.app().catalog().releasedArtifacts("other")).isNotEmpty();
            gate.pollWatches();
            assertThat(receiver.json())
                    .anyMatch(h -> h.path("project").asText().equals("other")
                            && h.path("verdict").asText().equals("mismatch"));
            assertThat(receiver.json().stream()
                            .filter(h -> h.path("project").asText().equals("other"))
                            .findFirst()
                            .orElseThrow()
                            .path("message")
                            .asText())
                    .contains("differs from the approved file's");

            // Each unapproved file alarms once, however often it is polled.
            for (int i = 0; i < 3; i++) {
                gate.pollWatches();
            }
            assertThat(receiver.json().stream()
                            .filter(h -> h.path("type").asText().equals("UpstreamFileUnapproved"))
                            .count())
                    .isEqualTo(2);

            // The index goes away: a degraded watcher, loudly.
            CliRunner.Output dead = CliRunner.run(
                    "watch",
                    "add",
                    "ghost",
                    "--index",
                    "http://127.0.0.1:9",
                    "--server",
                    gate.url(),
                    "--token",
                    gate.adminToken());
            assertThat(dead.code()).as(dead.err()).isZero();
            for (int failures = 0; failures < UpstreamWatcher.DEGRADED_AFTER; failures++) {
                gate.clock().advance(Duration.ofHours(1)); // past any backoff
                gate.pollWatches();
            }
            assertThat(receiver.json()).anyMatch(h -> h.path("type").asText().equals("UpstreamWatchDegraded"));
            assertThat(CliRunner.run("watch", "list", "--server", gate.url(), "--token", gate.adminToken())
                            .out())
                    .containsPattern("ghost .* degraded");
        } finally {
            receiver.close();
            smtp.stop();
        }
    }

    /** A watched dependency's new release is fetched, inspected and diffed; the lightning shape alerts, the first look does not. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void aWatchedDependencysMaliciousReleaseIsInspectedAndAlerted(String database) throws Exception {
        HookReceiver receiver = new HookReceiver();
        try (TestServer pypi = TestServer.start(
                        "sqlite", dir.resolve("public"), settings -> settings.withScheduledWork(false));
                TestServer gate = TestServer.start(
                        database,
                        dir.resolve("gate"),
                        settings -> settings.withScheduledWork(false)
                                .withWatch(WatchSettings.DEFAULTS
                                        .withUpstreamInterval(Duration.ofSeconds(1))
                                        .withAlerts(
                                                List.of(new WatchSettings.Webhook(receiver.url(), List.of())),
                                                List.of(),
                                                List.of(),
                                                null,
                                                "medium")))) {
            assertThat(pypi.importPolicy("leftpad", PUBLIC_POLICY).code()).isZero();
            String maintainer = pypi.token("maintainer", Role.MAINTAINER, null, Permission.UPLOAD);
            assertThat(upload(pypi, maintainer, "leftpad", "1.0", Uploads.wheel("leftpad", "1.0"))
                            .status())
                    .isEqualTo(200);
            pypi.tick();
            assertThat(pypi.app().catalog().releasedArtifacts("leftpad")).isNotEmpty();
            CliRunner.Output watch = CliRunner.run(
                    "watch",
                    "add",
                    "leftpad",
                    "--index",
                    pypi.url(),
                    "--dependency",
                    "--server",
                    gate.url(),
                    "--token",
                    gate.adminToken());
            assertThat(watch.code()).as(watch.err()).isZero();
            gate.pollWatches();
            assertThat(gate.upstreamVerdicts()).contains("seen");

            byte[] compromised = Uploads.wheel(
                    "leftpad",
                    "1.1",
                    "leftpad",
                    "1.1",
                    Map.of(
                            "leftpad/__init__.py",
                                    dev.portcullis.testing.Lightning.COMPROMISED_INIT.getBytes(StandardCharsets.UTF_8),
                            "leftpad/_runtime/start.py",
                                    dev.portcullis.testing.Lightning.LOADER.getBytes(StandardCharsets.UTF_8)));
            assertThat(upload(pypi, maintainer, "leftpad", "1.1", compromised).status())
                    .isEqualTo(200);
            pypi.tick();
            assertThat(pypi.app().catalog().releasedArtifacts("leftpad")).hasSize(2);

            gate.pollWatches();
            assertThat(receiver.json()).anyMatch(h -> h.path("type").asText().equals("DependencyReleaseSuspicious"));
            JsonNode alarm = receiver.json().stream()
                    .filter(h -> h.path("type").asText().equals("DependencyReleaseSuspicious"))
                    .findFirst()
                    .orElseThrow();
            assertThat(alarm.path("subject").asText()).isEqualTo("1.1");
            assertThat(alarm.path("message").asText())
                    .contains("import-time")
                    .contains("download-execute")
                    .contains("leftpad/_runtime/start.py");
            assertThat(gate.upstreamVerdicts()).containsExactlyInAnyOrder("seen", "inspected");
            assertThat(receiver.json())
                    .noneMatch(h -> h.path("subject").asText().equals("1.0"));
        } finally {
            receiver.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void releaseWaitExitsZeroOnlyForTheApprovedBytes(String database) throws Exception {
        try (TestServer gate = TestServer.start(database, dir.resolve("gate"))) {
            String ci = gate.token("ci", Role.MAINTAINER, "demo", Permission.UPLOAD);
            byte[] wheel = Uploads.wheel("demo", "1.0");
            Path dist = Files.createDirectories(dir.resolve("dist"));
            Files.write(dist.resolve(Uploads.wheelName("demo", "1.0")), wheel);
            assertThat(upload(gate, ci, "demo", "1.0", wheel).status()).isEqualTo(200);

            long start = System.nanoTime();
            CliRunner.Output early = wait(gate, dist, "2s");
            assertThat(early.code()).as(early.out() + early.err()).isEqualTo(3);
            assertThat(early.out()).contains("TIMED OUT: demo 1.0 is still held after 2s");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));

            // Approved while the command waits: its long poll is parked when the approval commits.
            Thread approver = Thread.ofVirtual().start(() -> {
                Await.until(
                        "release wait to park on the server",
                        Duration.ofSeconds(30),
                        () -> gate.app().gate().waits().waiting() > 0);
                gate.approve("demo", "1.0");
            });
            CliRunner.Output approved = wait(gate, dist, "1m");
            approver.join();
            assertThat(approved.code()).as(approved.out() + approved.err()).isZero();
            assertThat(approved.out())
                    .contains("APPROVED: demo 1.0")
                    .contains("1 file(s) match the approved SHA-256 digests");

            Files.write(
                    dist.resolve(Uploads.wheelName("demo", "1.0")),
                    Uploads.wheel(
                            "demo",
                            "1.0",
                            "demo",
                            "1.0",
                            Map.of("demo/backdoor.py", "x = 1\n".getBytes(StandardCharsets.UTF_8))));
            CliRunner.Output rebuilt = wait(gate, dist, "1m");
            assertThat(rebuilt.code()).isEqualTo(1);
            assertThat(rebuilt.out()).contains("MISMATCH").contains("the approved file has SHA-256");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void aWatchSpeaksItsEcosystemsProtocol(String database) {
        try (TestServer gate =
                TestServer.start(database, dir.resolve("gate"), settings -> settings.withScheduledWork(false))) {
            CliRunner.Output unknown = CliRunner.run(
                    "watch",
                    "add",
                    "demo",
                    "--index",
                    "https://registry.example.org",
                    "--ecosystem",
                    "cargo",
                    "--server",
                    gate.url(),
                    "--token",
                    gate.adminToken());
            assertThat(unknown.code()).isNotZero();
            assertThat(unknown.err()).contains("no upstream protocol for ecosystem 'cargo'");
            CliRunner.Output mismatched = CliRunner.run(
                    "watch",
                    "add",
                    "testpypi:demo",
                    "--ecosystem",
                    "npm",
                    "--server",
                    gate.url(),
                    "--token",
                    gate.adminToken());
            assertThat(mismatched.err()).contains("the index 'testpypi' is pypi's, not npm's");
            CliRunner.Output ok = CliRunner.run(
                    "watch",
                    "add",
                    "testpypi:demo",
                    "--ecosystem",
                    "pypi",
                    "--server",
                    gate.url(),
                    "--token",
                    gate.adminToken());
            assertThat(ok.code()).as(ok.err()).isZero();
            assertThat(gate.app().upstreamWatcher().list()).singleElement().satisfies(w -> {
                assertThat(w.ecosystem()).isEqualTo("pypi");
                assertThat(w.indexUrl()).isEqualTo("https://test.pypi.org");
            });
        }
    }

    private static CliRunner.Output wait(TestServer gate, Path dist, String timeout) {
        return CliRunner.run(
                "release",
                "wait",
                "demo",
                "1.0",
                "--files",
                dist.toString(),
                "--timeout",
                timeout,
                "--server",
                gate.url(),
                "--token",
                gate.adminToken());
    }

    private static RawHttp.Response upload(
            TestServer server, String token, String project, String version, byte[] wheel) {
        return RawHttp.upload(
                server.url(),
                token,
                Uploads.wheelForm(project, version, Uploads.wheelName(project, version), wheel)
                        .build());
    }

    private static long countEvents(TestServer server, String kind) {
        return server.events(kind);
    }
}
