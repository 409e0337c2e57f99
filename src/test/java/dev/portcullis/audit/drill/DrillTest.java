package dev.portcullis.audit.drill;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Role;
import dev.portcullis.testing.CliRunner;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Detection drills through the CLI against a running server: every scenario passes on the
 * recommended policy (SQLite and PostgreSQL), the result is an event, the sandboxes are cleaned up
 * and never listed; weakening a control makes the matching scenario fail with a non-zero exit.
 */
class DrillTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static CliRunner.Output drill(TestServer server, String... args) {
        List<String> all = new ArrayList<>(List.of("drill", "--server", server.url(), "--token", server.adminToken()));
        all.addAll(List.of(args));
        return CliRunner.run(all.toArray(String[]::new));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void everyScenarioPassesAndCleansUp(String database) throws Exception {
        try (TestServer server = TestServer.start(database, dir.resolve("data"))) {
            // A real project beside the drills: it must stay listed, and untouched.
            String ci = server.token("ci", Role.MAINTAINER, "realproject", Permission.UPLOAD);
            RawHttp.Response real = RawHttp.upload(
                    server.url(),
                    ci,
                    dev.portcullis.testing.Uploads.wheelForm(
                                    "realproject",
                                    "1.0",
                                    dev.portcullis.testing.Uploads.wheelName("realproject", "1.0"),
                                    dev.portcullis.testing.Uploads.wheel("realproject", "1.0"))
                            .build());
            assertThat(real.status()).isEqualTo(200);
            server.approve("realproject", "1.0");

            Path card = dir.resolve("card.json");
            CliRunner.Output run = drill(server, "--format", "json", "--output", card.toString());
            assertThat(run.code()).as(run.out() + run.err()).isZero();
            assertThat(run.out()).contains("11 of 11 scenarios passed");

            JsonNode scorecard = JSON.readTree(Files.readString(card));
            assertThat(scorecard.path("passed").asBoolean()).isTrue();
            assertThat(scorecard.path("scenarios")).hasSize(DrillRunner.SCENARIOS.size());
            for (JsonNode s : scorecard.path("scenarios")) {
                assertThat(s.path("missed")).as(s.toString()).isEmpty();
                assertThat(s.path("expected").size()).isGreaterThanOrEqualTo(4);
            }
            JsonNode hijacked = scenario(scorecard, "hijacked-workflow");
            assertThat(names(hijacked.path("fired")))
                    .contains(
                            "provenance-build-rules", "trigger-named", "gate-held", "not-installable", "alert-raised");
            assertThat(hijacked.toString())
                    .contains(
                            "trigger: pull_request_target runs code from outside the repository and may never publish");
            JsonNode stolen = scenario(scorecard, "stolen-token");
            assertThat(names(stolen.path("fired")))
                    .contains(
                            "credential-anomaly",
                            "new-network",
                            "odd-hour",
                            "token-upload-flagged",
                            "provenance-downgrade",
                            "gate-held",
                            "not-installable",
                            "alert-raised");
            assertThat(stolen.path("detection_ms").asLong()).isPositive();
            // the payloads are the detection corpus's (cases marked drill), each caught by its own rule
            List<String> payloads = dev.portcullis.audit.drill.Corpus.drills().stream()
                    .map(dev.portcullis.audit.drill.Corpus.Case::id)
                    .toList();
            assertThat(payloads)
                    .hasSizeGreaterThanOrEqualTo(10)
                    .contains("lightning-import-hook", "ctx-environment-in-url", "reverse-shell-dup2");
            assertThat(names(scenario(scorecard, "payload").path("fired")))
                    .containsAll(payloads)
                    .containsAll(payloads.stream().map(id -> id + "-held").toList())
                    .containsAll(
                            payloads.stream().map(id -> id + "-not-installable").toList());
            assertThat(names(scenario(scorecard, "replayed-oidc").path("fired")))
                    .contains("replay-refused", "expired-refused");

            // The result is an event; every sandbox was closed: files deleted, held releases rejected, tokens revoked.
            assertThat(server.events("DrillCompleted")).isEqualTo(1);
            assertThat(server.events("DrillSandboxClosed")).isEqualTo(DrillRunner.SCENARIOS.size());
            long open = count(
                    server,
                    "SELECT COUNT(*) FROM projects WHERE drill_scenario IS NOT NULL AND drill_closed_at IS NULL");
            assertThat(open).isZero();
            assertThat(count(
                            server,
                            "SELECT COUNT(*) FROM releases r JOIN projects p ON p.id = r.project_id"
                                    + " WHERE p.drill_scenario IS NOT NULL AND r.state = 'held'"))
                    .isZero();
            List<Map<String, Object>> liveTokens = server.app()
                    .database()
                    .withHandle(h -> h.createQuery("SELECT * FROM api_tokens t"
                                    + " WHERE t.project LIKE 'drill-%' AND t.revoked_at IS NULL AND t.expires_at > "
                                    + server.clock().millis())
                            .mapToMap()
                            .list());
            assertThat(liveTokens).isEmpty();
            List<String> drillBlobs = server.app()
                    .database()
                    .withHandle(h -> h.createQuery("SELECT f.sha256 FROM release_files f"
                                    + " JOIN projects p ON p.id = f.project_id WHERE p.drill_scenario IS NOT NULL")
                            .mapTo(String.class)
                            .list());
            assertThat(drillBlobs).isNotEmpty();
            for (String sha : drillBlobs) {
                assertThat(Files.exists(dir.resolve("data/blobs/sha256")
                                .resolve(sha.substring(0, 2))
                                .resolve(sha)))
                        .isFalse();
            }
            // Never in the real index; a closed sandbox's pages are gone; the real project is untouched.
            RawHttp.Response index = RawHttp.send(server.url(), "GET", "/simple/", Map.of(), new byte[0]);
            assertThat(index.body()).contains("realproject").doesNotContain("drill-");
            String someSandbox =
                    scenario(scorecard, "provenance-strip").path("project").asText();
            assertThat(RawHttp.send(server.url(), "GET", "/simple/" + someSandbox + "/", Map.of(), new byte[0])
                            .status())
                    .isEqualTo(404);
            assertThat(RawHttp.send(server.url(), "GET", "/simple/realproject/", Map.of(), new byte[0])
                            .body())
                    .contains("realproject-1.0");
            // Drill alerts say so.
            List<String> titles = server.app()
                    .database()
                    .withHandle(h -> h.createQuery("SELECT title FROM alerts WHERE project LIKE 'drill-%'")
                            .mapTo(String.class)
                            .list());
            assertThat(titles).isNotEmpty().allMatch(title -> title.startsWith("[drill] "));
        }
    }

    @Test
    void aPolicyThatLetsTokenUploadsAutoReleaseFailsTheStolenTokenScenario() throws Exception {
        try (TestServer server = TestServer.start("sqlite", dir.resolve("data"))) {
            Path weak = dir.resolve("weak.yaml");
            Files.writeString(weak, dev.portcullis.testing.TestPolicies.RELEASE_EVERYTHING + "provenance: off\n");
            Path card = dir.resolve("weak.json");
            CliRunner.Output run = drill(
                    server,
                    "stolen-token",
                    "--policy",
                    weak.toString(),
                    "--format",
                    "json",
                    "--output",
                    card.toString());
            assertThat(run.code()).as(run.out() + run.err()).isEqualTo(DrillCommandExit.MISSED);
            assertThat(run.out()).contains("stolen-token", "FAIL", "gate-held did not fire");
            JsonNode stolen = scenario(JSON.readTree(Files.readString(card)), "stolen-token");
            assertThat(names(stolen.path("missed"))).contains("gate-held", "alert-raised");
            // The detectors still saw it: the gap is the policy, and the scorecard says which control.
            assertThat(names(stolen.path("fired"))).contains("credential-anomaly", "new-network", "odd-hour");
            assertThat(server.events("DrillCompleted")).isEqualTo(1);
            assertThat(count(server, "SELECT COUNT(*) FROM alerts WHERE kind = 'drill.failed'"))
                    .isEqualTo(1);
        }
    }

    @Test
    void aDrillClosesSandboxesACrashedDrillLeftOpen() throws Exception {
        try (TestServer server = TestServer.start("sqlite", dir.resolve("data"))) {
            DrillClient client = new DrillClient(server.url(), server.adminToken());
            DrillClient.Response stale =
                    client.admin("POST", "/api/v1/drills/sandboxes", Map.of("scenario", "payload"));
            DrillClient.Response recent =
                    client.admin("POST", "/api/v1/drills/sandboxes", Map.of("scenario", "payload"));
            String staleName = stale.json().path("project").asText();
            String recentName = recent.json().path("project").asText();
            server.app()
                    .database()
                    .inTransaction(
                            h -> h.createUpdate("UPDATE projects SET created_at = created_at - 7200000 WHERE name = :p")
                                    .bind("p", staleName)
                                    .execute());
            assertThat(client.admin("GET", "/api/v1/drills/sandboxes", null)
                            .json()
                            .path("sandboxes"))
                    .hasSize(2);

            CliRunner.Output run = drill(server, "replayed-oidc");
            assertThat(run.code()).as(run.out() + run.err()).isZero();
            JsonNode open =
                    client.admin("GET", "/api/v1/drills/sandboxes", null).json().path("sandboxes");
            List<String> stillOpen = new ArrayList<>();
            open.forEach(sandbox -> stillOpen.add(sandbox.path("project").asText()));
            assertThat(stillOpen).containsExactly(recentName);
            assertThat(server.events("DrillSandboxClosed")).isEqualTo(2); // the stale one and replayed-oidc's own
        }
    }

    @Test
    void aScheduledRunDrillsTheServerItselfWithATokenItRevokesAfterwards() throws Exception {
        try (TestServer server = TestServer.start("sqlite", dir.resolve("data"))) {
            Scorecard card = new DrillSchedule(server.app().identity(), server::url, server.clock()).runOnce();
            assertThat(card.passed()).as(card.table()).isTrue();
            assertThat(card.scenarios()).hasSize(DrillRunner.SCENARIOS.size());
            assertThat(server.events("DrillCompleted")).isEqualTo(1);
            List<Map<String, Object>> runnerTokens = server.app()
                    .database()
                    .withHandle(h -> h.createQuery("SELECT t.* FROM api_tokens t"
                                    + " JOIN users u ON u.id = t.user_id WHERE u.name = :u")
                            .bind("u", DrillSchedule.RUNNER)
                            .mapToMap()
                            .list());
            assertThat(runnerTokens).hasSize(1);
            assertThat(runnerTokens.getFirst().get("revoked_at")).isNotNull();
        }
    }

    @Test
    void theRecommendedPolicyWithDenyRefusesTokenUploadsOutright() throws Exception {
        try (TestServer server = TestServer.start("sqlite", dir.resolve("data"))) {
            Path deny = dir.resolve("deny.yaml");
            Files.writeString(deny, """
          version: 1
          uploads:
            long_lived_tokens: deny
          """);
            CliRunner.Output run = drill(server, "stolen-token", "rapid-versions", "--policy", deny.toString());
            assertThat(run.code()).as(run.out() + run.err()).isZero();
            assertThat(run.out()).contains("refused at upload");
        }
    }

    @Test
    void sandboxesAndDrillIdentitiesAreForGlobalAdminsAndSandboxesOnly() throws Exception {
        try (TestServer server = TestServer.start("sqlite", dir.resolve("data"))) {
            String maintainer = server.token("mallory", Role.MAINTAINER, "demo", Permission.UPLOAD);
            RawHttp.Response open = RawHttp.send(
                    server.url(),
                    "POST",
                    "/api/v1/drills/sandboxes",
                    Map.of("Authorization", "Bearer " + maintainer, "Content-Type", "application/json"),
                    "{\"scenario\":\"payload\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertThat(open.status()).isEqualTo(403);
            assertThat(count(server, "SELECT COUNT(*) FROM projects")).isZero();
            CliRunner.Output notAdmin =
                    CliRunner.run("drill", "payload", "--server", server.url(), "--token", maintainer);
            assertThat(notAdmin.code()).isEqualTo(1);
            assertThat(notAdmin.err()).contains("HTTP 403", "only a global admin may list drill sandboxes");
            assertThat(count(server, "SELECT COUNT(*) FROM projects")).isZero();

            // The drill issuer cannot be registered for a real project through the API.
            RawHttp.Response publisher = RawHttp.send(
                    server.url(),
                    "POST",
                    "/api/v1/projects/demo/publishers",
                    Map.of("Authorization", "Bearer " + server.adminToken(), "Content-Type", "application/json"),
                    ("{\"kind\":\"generic\",\"issuer\":\"https://drill.portcullis.invalid\",\"claims\":{\"sub\":\"x\"},\"otp\":\""
                                    + server.admin().otp() + "\"}")
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertThat(publisher.status()).isEqualTo(400);
            assertThat(publisher.body()).contains("drill issuer");

            // A closed sandbox's drill identity no longer mints anything.
            RawHttp.Response sandbox = RawHttp.send(
                    server.url(),
                    "POST",
                    "/api/v1/drills/sandboxes",
                    Map.of("Authorization", "Bearer " + server.adminToken(), "Content-Type", "application/json"),
                    "{\"scenario\":\"payload\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertThat(sandbox.status()).isEqualTo(201);
            String project = JSON.readTree(sandbox.body()).path("project").asText();
            DrillClient client = new DrillClient(server.url(), server.adminToken());
            String identity = client.admin("POST", "/api/v1/drills/sandboxes/" + project + "/identity-token", Map.of())
                    .json()
                    .path("token")
                    .asText();
            // Defence in depth: even with its publisher still registered, a closed sandbox's identity is refused.
            server.app()
                    .database()
                    .inTransaction(h -> h.createUpdate("UPDATE projects SET drill_closed_at = 1 WHERE name = :p")
                            .bind("p", project)
                            .execute());
            DrillClient.Response minted = client.mint(identity);
            assertThat(minted.status()).isEqualTo(422);
            assertThat(minted.text()).contains("invalid-publisher", "only for open drill sandboxes");
            assertThat(client.admin("POST", "/api/v1/drills/sandboxes/" + project + "/close", Map.of())
                            .status())
                    .isEqualTo(200);
            DrillClient.Response afterClose = client.mint(
                    client.admin("POST", "/api/v1/drills/sandboxes/" + project + "/identity-token", Map.of())
                            .json()
                            .path("token")
                            .asText());
            assertThat(afterClose.status()).isEqualTo(422);
        }
    }

    /**
     * Drill provenance: only a global admin gets it, only for an open sandbox, and what it signs is
     * trusted for sandboxes only — a real project whose publisher names the drill's repository keeps
     * such an attestation unverified and holds the release.
     */
    @Test
    void drillProvenanceIsForAdminsAndOpenSandboxesOnly() throws Exception {
        try (TestServer server = TestServer.start(
                "sqlite",
                dir.resolve("data"),
                settings -> settings.withSigstoreTrustedRoot(
                        dev.portcullis.testing.TestData.path("sigstore-trust-roots/trusted_root.json")))) {
            DrillClient admin = new DrillClient(server.url(), server.adminToken());
            String project = admin.admin("POST", "/api/v1/drills/sandboxes", Map.of("scenario", "hijacked-workflow"))
                    .json()
                    .path("project")
                    .asText();
            byte[] wheel = dev.portcullis.testing.Uploads.wheel("realproject", "1.0");
            String filename = dev.portcullis.testing.Uploads.wheelName("realproject", "1.0");
            Map<String, Object> request = Map.of(
                    "filename",
                    filename,
                    "sha256",
                    dev.portcullis.testing.Uploads.sha256(wheel),
                    "ref",
                    "refs/tags/v1.0",
                    "trigger",
                    "push");
            String maintainer = server.token("mallory", Role.MAINTAINER, "realproject", Permission.UPLOAD);
            assertThat(new DrillClient(server.url(), maintainer)
                            .admin("POST", "/api/v1/drills/sandboxes/" + project + "/attestation", request)
                            .status())
                    .isEqualTo(403);
            assertThat(admin.admin("POST", "/api/v1/drills/sandboxes/realproject/attestation", request)
                            .status())
                    .isEqualTo(404);
            DrillClient.Response attested =
                    admin.admin("POST", "/api/v1/drills/sandboxes/" + project + "/attestation", request);
            assertThat(attested.status()).isEqualTo(200);

            // The real project trusts the drill's repository name with owner id 0: still not the drill root.
            CliRunner.Output added = CliRunner.run(
                    "publisher",
                    "add",
                    "realproject",
                    "--github",
                    "portcullis-drill/" + project,
                    "--owner-id",
                    "0",
                    "--workflow",
                    "release.yml",
                    "--otp",
                    server.admin().otp(),
                    "--server",
                    server.url(),
                    "--token",
                    server.adminToken());
            assertThat(added.code()).as(added.err()).isZero();
            long filesBefore = count(server, "SELECT COUNT(*) FROM release_files");
            RawHttp.Response upload = RawHttp.upload(
                    server.url(),
                    maintainer,
                    dev.portcullis.testing.Uploads.wheelForm("realproject", "1.0", filename, wheel)
                            .field("attestations", "[" + attested.json().path("attestation") + "]")
                            .build());
            assertThat(upload.status()).isEqualTo(400);
            assertThat(upload.reason())
                    .startsWith("Invalid attestations supplied during upload: the signing certificate is not from the"
                            + " trusted Fulcio");
            assertThat(count(server, "SELECT COUNT(*) FROM release_files")).isEqualTo(filesBefore);
        }
    }

    private static JsonNode scenario(JsonNode scorecard, String id) {
        for (JsonNode s : scorecard.path("scenarios")) {
            if (s.path("scenario").asText().equals(id)) {
                return s;
            }
        }
        throw new AssertionError("no scenario " + id + " in " + scorecard);
    }

    private static List<String> names(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static long count(TestServer server, String sql) {
        return server.app()
                .database()
                .withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
    }

    /** The exit code for a missed control, as the CLI documents it. */
    private static final class DrillCommandExit {
        static final int MISSED = 1;
    }
}
