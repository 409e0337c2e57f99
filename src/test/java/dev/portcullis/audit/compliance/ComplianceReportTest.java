package dev.portcullis.audit.compliance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Role;
import dev.portcullis.identity.RoleGrant;
import dev.portcullis.testing.CliRunner;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestServer;
import dev.portcullis.testing.Uploads;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The compliance report on a seeded instance: each control's status follows from what was seeded
 * (and changes when the state does), drill sandboxes never count, the HTML is one page with the
 * summary first, and the OSCAL document validates against NIST's assessment-results schema.
 */
class ComplianceReportTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void statusesFollowTheSeededState(String database) throws Exception {
        try (TestServer server = TestServer.start(database, dir.resolve("data"))) {
            // demo: a token upload a person approves. loose: a policy that auto-releases token uploads.
            String ci = server.token("ci", Role.MAINTAINER, "demo", Permission.UPLOAD);
            assertThat(upload(server, ci, "demo", "1.0").status()).isEqualTo(200);
            assertThat(server.approve("demo", "1.0").status()).isEqualTo(200);
            String looseToken = server.token("loose-ci", Role.OWNER, "loose", Permission.UPLOAD);
            propose(server, "loose", dev.portcullis.testing.TestPolicies.RELEASE_EVERYTHING);
            assertThat(upload(server, looseToken, "loose", "1.0").status()).isEqualTo(200);
            server.app().gate().tick();
            // A trusted publisher for demo only; a second approver who has not enrolled a second factor.
            RawHttp.Response publisher = api(
                    server,
                    "POST",
                    "/api/v1/projects/demo/publishers",
                    "{\"kind\":\"github\",\"owner\":\"acme\",\"owner_id\":\"1234\","
                            + "\"repository\":\"demo\",\"workflow\":\"release.yml\",\"otp\":\""
                            + server.admin().otp() + "\"}");
            assertThat(publisher.status()).as(publisher.body()).isEqualTo(201);
            server.app().identity().addUser("bob", new RoleGrant("demo", Role.APPROVER), "test");

            JsonNode report = report(server, "json");
            assertThat(statuses(report))
                    .as(control(report, "event-log-integrity").toString())
                    .containsExactlyInAnyOrderEntriesOf(Map.ofEntries(
                            Map.entry("token-lifetime", "met"),
                            Map.entry("secret-storage", "met"),
                            Map.entry("ci-credentials", "partly"),
                            Map.entry("inactive-accounts", "met"),
                            Map.entry("token-inventory", "met"),
                            Map.entry("mfa-approvals", "partly"),
                            Map.entry("approval-gate", "partly"),
                            Map.entry("monitoring", "met"),
                            Map.entry("alert-delivery", "not met"),
                            Map.entry("provenance", "not met"),
                            Map.entry("event-log-integrity", "met"),
                            Map.entry("detection-drills", "not met")));
            JsonNode gate = control(report, "approval-gate");
            assertThat(evidence(gate, "gate coverage")).isEqualTo("50.0% (1 of 2)");
            assertThat(gate.path("examples").toString()).contains("loose 1.0");
            assertThat(evidence(control(report, "ci-credentials"), "projects with a trusted publisher"))
                    .isEqualTo("1 of 2");
            assertThat(evidence(control(report, "mfa-approvals"), "of them with a second factor"))
                    .isEqualTo("1");
            assertThat(control(report, "approval-gate").path("event_seqs")).isNotEmpty();
            // Every mapping the issue names is there, with the 2013 ISO numbers beside the 2022 ones.
            String mappings = report.path("controls").findValues("mappings").toString();
            for (String clause : List.of(
                    "IA-5",
                    "IA-5(1)",
                    "IA-5(2)",
                    "IA-5(9)",
                    "IA-5(10)",
                    "AC-2(1)",
                    "AC-2(3)",
                    "AC-5",
                    "AC-6",
                    "CM-5(4)",
                    "SI-4",
                    "AU-9",
                    "AU-10",
                    "SR-4",
                    "SR-11",
                    "A.5.15",
                    "A.5.16",
                    "A.5.17",
                    "A.5.18",
                    "A.8.5",
                    "A.8.15",
                    "A.8.16",
                    "A.8.32",
                    "CC6.1",
                    "CC6.2",
                    "CC6.3",
                    "CC7.2",
                    "CC8.1",
                    "8.3.2",
                    "8.3.9",
                    "8.6.3",
                    "10.3.2")) {
                assertThat(mappings).contains("\"id\":\"" + clause + "\"");
            }
            assertThat(mappings).contains("A.9.4.3", "A.9.2.1");

            // A drill that passes turns the drill control to met, and its sandbox counts nowhere else.
            String rotationsBefore = evidence(control(report, "token-lifetime"), "rotations in the period");
            CliRunner.Output drill = CliRunner.run(
                    "drill",
                    "payload",
                    "expired-and-revoked",
                    "--server",
                    server.url(),
                    "--token",
                    server.adminToken());
            assertThat(drill.code()).as(drill.out() + drill.err()).isZero();
            // An idle account nobody disabled yet, and an edited event.
            server.app()
                    .database()
                    .inTransaction(h -> h.createUpdate(
                                    "UPDATE users SET last_active_at = 1, created_at = 1 WHERE name = 'bob'")
                            .execute());
            server.app()
                    .database()
                    .inTransaction(h -> h.createUpdate("UPDATE events SET subject = 'edited' WHERE seq = 3")
                            .execute());

            JsonNode after = report(server, "json");
            Map<String, String> changed = statuses(after);
            assertThat(changed)
                    .containsEntry("detection-drills", "met")
                    .containsEntry("inactive-accounts", "not met")
                    .containsEntry("event-log-integrity", "not met")
                    .containsEntry("approval-gate", "partly")
                    .containsEntry(
                            "secret-storage", "met"); // the drill's tokens and scorecard put no secret into any event
            assertThat(evidence(control(after, "approval-gate"), "gate coverage"))
                    .isEqualTo("50.0% (1 of 2)");
            assertThat(evidence(control(after, "ci-credentials"), "projects with a trusted publisher"))
                    .isEqualTo("1 of 2");
            assertThat(evidence(control(after, "token-lifetime"), "rotations in the period"))
                    .isEqualTo(rotationsBefore); // the drill rotated one
            assertThat(control(after, "event-log-integrity").path("why").asText())
                    .contains("does not verify", "event seq 3", "altered");

            // HTML: one page, the summary table before the first control's section.
            String html = text(server, "html");
            assertThat(html)
                    .startsWith("<!DOCTYPE html>")
                    .contains("<h1>Compliance evidence</h1>", "A.5.17 (2013: A.9.2.4, A.9.3.1, A.9.4.3)");
            assertThat(html.indexOf("<table>")).isLessThan(html.indexOf("<h2 id=\"token-lifetime\">"));
            assertThat(html).contains("class=\"bad\">not met", "class=\"ok\">met", "class=\"partly\">partly");

            // OSCAL: valid against NIST's schema; one finding per NIST clause and control, states as reported.
            JsonNode oscal = JSON.readTree(text(server, "oscal"));
            assertThat(validate(oscal)).isEmpty();
            JsonNode result = oscal.path("assessment-results").path("results").path(0);
            assertThat(result.path("observations")).hasSize(12);
            List<String> states = new ArrayList<>();
            result.path("findings")
                    .forEach(f -> states.add(f.path("target").path("target-id").asText() + "="
                            + f.path("target").path("status").path("state").asText()));
            assertThat(states)
                    .contains(
                            "ia-5_obj=satisfied",
                            "si-4.9_obj=satisfied",
                            "au-9_obj=not-satisfied",
                            "sr-4_obj=not-satisfied",
                            "cm-5.4_obj=not-satisfied");
            assertThat(result.path("reviewed-controls").toString())
                    .contains("\"control-id\":\"ac-2.3\"", "\"control-id\":\"ia-5.10\"");

            // The CLI writes the same formats; a token without a global read role is refused.
            Path out = dir.resolve("report.json");
            CliRunner.Output cli = CliRunner.run(
                    "report",
                    "compliance",
                    "--format",
                    "oscal",
                    "--output",
                    out.toString(),
                    "--server",
                    server.url(),
                    "--token",
                    server.adminToken());
            assertThat(cli.code()).as(cli.err()).isZero();
            assertThat(validate(JSON.readTree(Files.readString(out)))).isEmpty();
            CliRunner.Output refused = CliRunner.run("report", "compliance", "--server", server.url(), "--token", ci);
            assertThat(refused.code()).isNotZero();
            assertThat(refused.err()).contains("global read role");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void anEmptyInstanceValidatesAndSaysWhatIsMissing(String database) throws Exception {
        try (TestServer server = TestServer.start(database, dir.resolve("data"))) {
            JsonNode oscal = JSON.readTree(text(server, "oscal"));
            assertThat(validate(oscal)).isEmpty();
            // The validator does reject what the schema forbids: a missing import-ap, a version-3 UUID.
            com.fasterxml.jackson.databind.node.ObjectNode broken =
                    (com.fasterxml.jackson.databind.node.ObjectNode) oscal.deepCopy();
            ((com.fasterxml.jackson.databind.node.ObjectNode) broken.path("assessment-results")).remove("import-ap");
            ((com.fasterxml.jackson.databind.node.ObjectNode) broken.path("assessment-results"))
                    .put("uuid", "6f2b7c1e-0d4a-3c39-9a57-2f3f0c6e8b11");
            assertThat(validate(broken).toString()).contains("import-ap", "uuid");
            JsonNode report = report(server, "json");
            assertThat(control(report, "detection-drills").path("why").asText()).contains("no detection drill");
            assertThat(control(report, "alert-delivery").path("why").asText()).contains("no alert destination");
            assertThat(statuses(report))
                    .containsEntry("ci-credentials", "partly")
                    .containsEntry("approval-gate", "partly");
            assertThat(control(report, "ci-credentials").path("why").asText()).isEqualTo("no projects yet");
        }
    }

    // ---------------------------------------------------------------- helpers

    static Set<ValidationMessage> validate(JsonNode document) throws Exception {
        try (InputStream schema =
                ComplianceReportTest.class.getResourceAsStream("/testdata/oscal/oscal-ar_schema.json")) {
            JsonSchema s =
                    JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(schema);
            return s.validate(document);
        }
    }

    private static RawHttp.Response upload(TestServer server, String token, String project, String version) {
        return Uploads.upload(server.url(), token, project, version);
    }

    private static void propose(TestServer server, String project, String yaml) throws Exception {
        RawHttp.Response r = api(
                server,
                "POST",
                "/api/v1/projects/" + project + "/policy",
                JSON.writeValueAsString(
                        Map.of("document", yaml, "otp", server.admin().otp())));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
    }

    private static RawHttp.Response api(TestServer server, String method, String path, String body) {
        return RawHttp.send(
                server.url(),
                method,
                path,
                Map.of("Authorization", "Bearer " + server.adminToken(), "Content-Type", "application/json"),
                body.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(TestServer server, String format) {
        RawHttp.Response r = RawHttp.send(
                server.url(),
                "GET",
                "/api/v1/audit/compliance?format=" + format,
                Map.of("Authorization", "Bearer " + server.adminToken()),
                new byte[0]);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    private static JsonNode report(TestServer server, String format) throws Exception {
        return JSON.readTree(text(server, format));
    }

    private static Map<String, String> statuses(JsonNode report) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        report.path("controls")
                .forEach(c -> out.put(c.path("id").asText(), c.path("status").asText()));
        return out;
    }

    private static JsonNode control(JsonNode report, String id) {
        for (JsonNode c : report.path("controls")) {
            if (c.path("id").asText().equals(id)) {
                return c;
            }
        }
        throw new AssertionError("no control " + id);
    }

    private static String evidence(JsonNode control, String label) {
        for (JsonNode e : control.path("evidence")) {
            if (e.path("label").asText().equals(label)) {
                return e.path("value").asText();
            }
        }
        throw new AssertionError("no evidence '" + label + "' in " + control);
    }
}
