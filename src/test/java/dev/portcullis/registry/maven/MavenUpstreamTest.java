package dev.portcullis.registry.maven;

import static dev.portcullis.registry.maven.MavenContractTest.MavenArtifacts.jar;
import static dev.portcullis.registry.maven.MavenContractTest.MavenArtifacts.path;
import static dev.portcullis.registry.maven.MavenContractTest.MavenArtifacts.pom;
import static dev.portcullis.registry.maven.MavenContractTest.MavenArtifacts.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Role;
import dev.portcullis.testing.CliRunner;
import dev.portcullis.testing.HookReceiver;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestPolicies;
import dev.portcullis.testing.TestServer;
import dev.portcullis.watch.WatchSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Maven upstream: a second Portcullis plays a public Maven repository (it releases what is
 * deployed at once). The gate promotes what it approves with Maven's own PUTs and checksums, and
 * watches the repository: its promoted version raises nothing, a version deployed straight there
 * with a stolen token is a critical alert. And the watcher reads the real Maven Central.
 */
class MavenUpstreamTest {

    private static final String PROJECT = "maven:org.example:widget";

    @TempDir
    Path dir;

    @Test
    void theGatePromotesToAMavenRepositoryAndWatchesIt() throws Exception {
        HookReceiver receiver = new HookReceiver();
        try (TestServer repository = TestServer.start(
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
            assertThat(repository
                            .importPolicy(PROJECT, TestPolicies.RELEASE_EVERYTHING)
                            .code())
                    .isZero();
            String publicToken = repository.token("maintainer", Role.MAINTAINER, null, Permission.UPLOAD);
            String ci = gate.token("ci", Role.MAINTAINER, null, Permission.UPLOAD);
            String index = repository.url() + "/maven2";

            CliRunner.Output target = CliRunner.runWithStdin(
                    publicToken + "\n",
                    "upstream",
                    "set",
                    PROJECT,
                    "--upload-url",
                    index,
                    "--otp",
                    gate.admin().otp(),
                    "--server",
                    gate.url(),
                    "--token",
                    gate.adminToken());
            assertThat(target.code()).as(target.err()).isZero();
            deploy(gate, ci, "1.0");
            assertThat(gate.approve(PROJECT, "1.0").status()).isEqualTo(200);
            gate.tick();
            // Promotion ends the release with its maven-metadata.xml, as mvn deploy does: the public
            // repository (a Portcullis releasing deployments at once) decides it then.
            repository.tick();
            for (String file : List.of("widget-1.0.pom", "widget-1.0.jar")) {
                RawHttp.Response there = RawHttp.send(
                        repository.url(), "GET", path("org.example", "widget", "1.0", file), Map.of(), null);
                RawHttp.Response ours =
                        RawHttp.send(gate.url(), "GET", path("org.example", "widget", "1.0", file), Map.of(), null);
                assertThat(there.status()).isEqualTo(200);
                assertThat(there.bytes()).isEqualTo(ours.bytes());
            }
            assertThat(gate.events("ReleasePromoted")).isEqualTo(2);

            CliRunner.Output watch = CliRunner.run(
                    "watch",
                    "add",
                    "org.example:widget",
                    "--index",
                    index,
                    "--ecosystem",
                    "maven",
                    "--server",
                    gate.url(),
                    "--token",
                    gate.adminToken());
            assertThat(watch.code()).as(watch.err()).isZero();
            gate.pollWatches();
            assertThat(gate.upstreamVerdicts()).containsExactly("approved");

            // The lightning path with Maven: a stolen token deploys straight to the public repository.
            deploy(repository, publicToken, "1.0.1");
            repository.tick();
            gate.pollWatches();
            JsonNode alarm = receiver.json().stream()
                    .filter(h -> h.path("type").asText().equals("UpstreamFileUnapproved"))
                    .findFirst()
                    .orElseThrow();
            assertThat(alarm.path("level").asText()).isEqualTo("critical");
            assertThat(alarm.path("subject").asText()).isEqualTo("1.0.1");
            assertThat(alarm.path("message").asText())
                    .contains("widget-1.0.1.pom appeared on " + index)
                    .contains("the gate never approved it");
            assertThat(alarm.path("digest").asText()).startsWith("sha1:");
        } finally {
            receiver.close();
        }
    }

    /** Maven Central lists a real artifact's versions; each version's pom SHA-1 is Central's own. */
    @Test
    void theWatcherReadsTheRealMavenCentral() {
        try (TestServer gate = TestServer.start(
                "sqlite",
                dir.resolve("gate"),
                settings -> settings.withScheduledWork(false)
                        .withOutbound(dev.portcullis.net.OutboundPolicy.allowing("repo1.maven.org")))) {
            CliRunner.Output watch = CliRunner.run(
                    "watch",
                    "add",
                    "maven:com.google.code.findbugs:jsr305",
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
                    .as("jsr305's versions on Maven Central (3.0.2 was published in 2017)")
                    .anySatisfy(row -> {
                        assertThat(row.get("version")).isEqualTo("3.0.2");
                        assertThat(row.get("filename")).isEqualTo("jsr305-3.0.2.pom");
                        assertThat(row.get("digest")).isEqualTo("sha1:8d93cdf4d84d7e1de736df607945c6df0730a10f");
                    });
            assertThat(seen).hasSizeGreaterThanOrEqualTo(9);
            assertThat(seen).allSatisfy(row -> assertThat(row.get("verdict")).isEqualTo("seen"));
        }
    }

    private static void deploy(TestServer server, String token, String version) {
        for (var file : Map.of(
                        "widget-" + version + ".pom", utf8(pom("org.example", "widget", version, "")),
                        "widget-" + version + ".jar", jar("org.example", "widget", version, "widget " + version))
                .entrySet()) {
            RawHttp.Response put = RawHttp.send(
                    server.url(),
                    "PUT",
                    path("org.example", "widget", version, file.getKey()),
                    Map.of("Authorization", RawHttp.basic(token)),
                    file.getValue());
            assertThat(put.status()).as(put.body()).isEqualTo(201);
        }
        assertThat(MavenContractTest.MavenArtifacts.endDeployment(server, token, "org.example", "widget"))
                .isEqualTo(201);
    }
}
