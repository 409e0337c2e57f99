package dev.portcullis.gate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Role;
import dev.portcullis.identity.RoleGrant;
import dev.portcullis.publish.ReleaseState;
import dev.portcullis.testing.CliRunner;
import dev.portcullis.testing.Processes;
import dev.portcullis.testing.PythonClients;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestServer;
import dev.portcullis.testing.TestUser;
import dev.portcullis.testing.Uploads;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Locale;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The release gate through real twine, pip and the CLI: policy decisions with their reasons,
 * auto-release only when every condition holds, distinct approvers counted once, no self-approval,
 * quarantine, expiry, and policy changes that need a second factor and, when asked, a second person.
 */
class GateTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROJECT = "lightning";

    @TempDir
    Path dir;

    private CliRunner.Output importPolicy(TestServer server, TestUser who, String yaml) throws Exception {
        Path file = Files.createTempFile(dir, "policy", ".yaml");
        Files.writeString(file, yaml);
        return CliRunner.run(
                "policy",
                "import",
                PROJECT,
                file.toString(),
                "--otp",
                who.otp(),
                "--server",
                server.url(),
                "--token",
                who.token());
    }

    /** Moves the server's clock to the next 12:00 UTC: a test that names today's weekday must not run over midnight. */
    private static void middayAhead(TestServer server) {
        java.time.ZonedDateTime now = server.clock().instant().atZone(ZoneOffset.UTC);
        java.time.ZonedDateTime noon = now.toLocalDate().atTime(12, 0).atZone(ZoneOffset.UTC);
        server.clock().advance(Duration.between(now, noon.isAfter(now) ? noon : noon.plusDays(1)));
    }

    private static String day(DayOfWeek day) {
        return day.name().substring(0, 3).toLowerCase(Locale.ROOT);
    }

    private static Processes.Result upload(TestServer server, String token, String version) {
        Path dist = PythonClients.buildSample(PROJECT, version);
        return PythonClients.twineUpload(server.url(), token, PythonClients.wheel(dist), PythonClients.sdist(dist));
    }

    private static JsonNode release(TestServer server, String version) throws Exception {
        return JSON.readTree(RawHttp.send(
                        server.url(),
                        "GET",
                        "/api/v1/projects/" + PROJECT + "/releases/" + version,
                        java.util.Map.of("Authorization", "Bearer " + server.adminToken()),
                        null)
                .body());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void theLightningPatternIsHeldAndTheApproverSeesWhy(String database) throws Exception {
        try (TestServer server = TestServer.start(database, dir.resolve("data"))) {
            middayAhead(server);
            DayOfWeek tomorrow = server.clock()
                    .instant()
                    .atZone(ZoneOffset.UTC)
                    .getDayOfWeek()
                    .plus(1);
            CliRunner.Output imported =
                    importPolicy(server, server.admin(), String.format(java.util.Locale.ROOT, """
          version: 1
          uploads:
            long_lived_tokens: hold
          auto_release:
            enabled: true
            require_trusted_publisher: true
            max_risk: 10
          publish_windows:
            - timezone: UTC
              days: [%s]
              hours: "08:00-18:00"
          """, day(tomorrow)));
            assertThat(imported.code()).as(imported.err()).isZero();

            String stolen = server.token("ci", Role.MAINTAINER, PROJECT, Permission.UPLOAD);
            Processes.Result twine = upload(server, stolen, "2.6.2");
            assertThat(twine.exitCode()).as(twine.output()).isZero();

            JsonNode release = release(server, "2.6.2");
            assertThat(release.path("state").asText()).isEqualTo("held");
            assertThat(release.path("decision").path("outcome").asText()).isEqualTo("hold");
            assertThat(release.path("decision").path("reasons").toString())
                    .contains("uploaded with a long-lived API token (by ci), not by the project's trusted publisher")
                    .contains("outside the publish windows");
            assertThat(PythonClients.pipInstall(server.url(), dir.resolve("site"), PROJECT)
                            .exitCode())
                    .isNotZero();

            CliRunner.Output show = CliRunner.run(
                    "release", "show", PROJECT, "2.6.2", "--server", server.url(), "--token", server.adminToken());
            assertThat(show.out())
                    .contains("policy decision: hold")
                    .contains("long-lived API token")
                    .contains("approvals: 0 of 1");
            server.clock().advance(Duration.ofMinutes(10));
            server.app().gate().tick();
            assertThat(release(server, "2.6.2").path("state").asText())
                    .as("no settle time releases a held upload")
                    .isEqualTo("held");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void autoReleaseHappensOnlyWhenEveryConditionHolds(String database) throws Exception {
        try (TestServer server = TestServer.start(database, dir.resolve("data"))) {
            middayAhead(server); // the test's minutes never cross midnight, whenever it runs
            DayOfWeek today = server.clock().instant().atZone(ZoneOffset.UTC).getDayOfWeek();
            assertThat(importPolicy(server, server.admin(), String.format(java.util.Locale.ROOT, """
          uploads:
            long_lived_tokens: allow
          auto_release:
            enabled: true
            require_trusted_publisher: false
            settle: 5m
          publish_windows:
            - timezone: UTC
              days: [%s]
          """, day(today)))
                            .code())
                    .isZero();
            String token = server.token("ci", Role.MAINTAINER, PROJECT, Permission.UPLOAD);
            assertThat(upload(server, token, "1.0.0").exitCode()).isZero();
            assertThat(release(server, "1.0.0").path("decision").path("outcome").asText())
                    .isEqualTo("auto_release");

            server.app().gate().tick();
            assertThat(release(server, "1.0.0").path("state").asText())
                    .as("not before the settle time")
                    .isEqualTo("held");
            server.clock().advance(Duration.ofMinutes(6));
            server.app().gate().tick();
            assertThat(release(server, "1.0.0").path("state").asText()).isEqualTo("released");
            assertThat(server.events("ReleaseAutoReleased")).isEqualTo(1);
            Path site = dir.resolve("site");
            assertThat(PythonClients.pipInstall(server.url(), site, PROJECT).exitCode())
                    .isZero();

            // The same policy outside its window holds.
            DayOfWeek other = today.plus(3);
            assertThat(importPolicy(server, server.admin(), String.format(java.util.Locale.ROOT, """
          uploads:
            long_lived_tokens: allow
          auto_release:
            enabled: true
            require_trusted_publisher: false
          publish_windows:
            - timezone: UTC
              days: [%s]
          """, day(other)))
                            .code())
                    .isZero();
            assertThat(upload(server, token, "1.1.0").exitCode()).isZero();
            server.clock().advance(Duration.ofMinutes(6));
            server.app().gate().tick();
            assertThat(release(server, "1.1.0").path("state").asText()).isEqualTo("held");
            assertThat(release(server, "1.1.0").path("decision").path("reasons").toString())
                    .contains("outside the publish windows");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void twoDistinctApproversAreNeededAndTheUploaderNeverCounts(String database) throws Exception {
        try (TestServer server = TestServer.start(database, dir.resolve("data"))) {
            assertThat(importPolicy(server, server.admin(), "approval:\n  required: 2\n")
                            .code())
                    .isZero();
            TestUser ann =
                    server.user("ann", new RoleGrant(PROJECT, Role.APPROVER), Permission.APPROVE, Permission.READ);
            TestUser bob =
                    server.user("bob", new RoleGrant(PROJECT, Role.APPROVER), Permission.APPROVE, Permission.READ);
            TestUser carl =
                    server.user("carl", new RoleGrant(PROJECT, Role.OWNER), Permission.UPLOAD, Permission.APPROVE);
            RawHttp.Response staged = RawHttp.upload(
                    server.url(),
                    carl.token(),
                    Uploads.wheelForm(
                                    PROJECT,
                                    "3.0.0",
                                    Uploads.wheelName(PROJECT, "3.0.0"),
                                    Uploads.wheel(PROJECT, "3.0.0"))
                            .build());
            assertThat(staged.status()).isEqualTo(200);

            RawHttp.Response self = server.decide(carl, PROJECT, "3.0.0", "approve");
            assertThat(self.status()).isEqualTo(403);
            assertThat(self.body()).contains("the uploader of a file of a release");
            RawHttp.Response first = server.decide(ann, PROJECT, "3.0.0", "approve");
            assertThat(first.status()).isEqualTo(202);
            assertThat(first.body()).contains("1 of 2 approvals");
            RawHttp.Response again = server.decide(ann, PROJECT, "3.0.0", "approve");
            assertThat(again.status()).isEqualTo(409);
            assertThat(again.body()).contains("ann has already approved it; a person counts once");
            assertThat(release(server, "3.0.0").path("state").asText()).isEqualTo("held");
            RawHttp.Response second = server.decide(bob, PROJECT, "3.0.0", "approve");
            assertThat(second.status()).isEqualTo(200);
            assertThat(release(server, "3.0.0").path("state").asText()).isEqualTo("released");
            assertThat(release(server, "3.0.0").path("decided_by").asText()).isEqualTo("ann, bob");
            assertThat(server.events("ReleaseApproved")).isEqualTo(1);
            assertThat(server.events("ApprovalRecorded")).isEqualTo(1);
            assertThat(server.events("DecisionRefused")).isEqualTo(1);
        }
    }

    /**
     * Issue 15, finding 3: alice approved, then (as an uploader) added a second file to the held
     * release, then bob approved — and it was released with alice counted and her late file unseen.
     * Now an approval counts only for the exact file digests it saw: a new file clears earlier
     * approvals (an event says so), an uploader of any file never counts, and an approval naming
     * other files is refused.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void anApprovalCountsOnlyForTheFilesItSaw(String database) throws Exception {
        try (TestServer server = TestServer.start(database, dir.resolve("data"))) {
            assertThat(importPolicy(server, server.admin(), "approval:\n  required: 2\n")
                            .code())
                    .isZero();
            TestUser alice = server.user(
                    "alice",
                    new RoleGrant(PROJECT, Role.OWNER),
                    Permission.UPLOAD,
                    Permission.APPROVE,
                    Permission.READ);
            TestUser bob =
                    server.user("bob", new RoleGrant(PROJECT, Role.APPROVER), Permission.APPROVE, Permission.READ);
            TestUser carol =
                    server.user("carol", new RoleGrant(PROJECT, Role.APPROVER), Permission.APPROVE, Permission.READ);
            String ci = server.token("ci", Role.MAINTAINER, PROJECT, Permission.UPLOAD);
            byte[] wheel = Uploads.wheel(PROJECT, "3.0.0");
            assertThat(RawHttp.upload(
                                    server.url(),
                                    ci,
                                    Uploads.wheelForm(PROJECT, "3.0.0", Uploads.wheelName(PROJECT, "3.0.0"), wheel)
                                            .build())
                            .status())
                    .isEqualTo(200);
            assertThat(server.decide(alice, PROJECT, "3.0.0", "approve").status())
                    .isEqualTo(202);

            byte[] late = Uploads.wheel(
                    PROJECT,
                    "3.0.0",
                    PROJECT,
                    "3.0.0",
                    java.util.Map.of(
                            PROJECT + "/late.py", "late = True\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            RawHttp.Response added = RawHttp.upload(
                    server.url(),
                    alice.token(),
                    Uploads.wheelForm(PROJECT, "3.0.0", PROJECT + "-3.0.0-py2.py3-none-any.whl", late)
                            .build());
            assertThat(added.status()).as(added.body()).isEqualTo(200);
            assertThat(server.events("ApprovalsCleared")).isEqualTo(1);
            assertThat(release(server, "3.0.0").path("approvals"))
                    .as("alice's approval was for other bytes")
                    .isEmpty();

            RawHttp.Response byBob = server.decide(bob, PROJECT, "3.0.0", "approve");
            assertThat(byBob.status()).isEqualTo(202);
            assertThat(byBob.body()).contains("1 of 2 approvals");
            RawHttp.Response aliceAgain = server.decide(alice, PROJECT, "3.0.0", "approve");
            assertThat(aliceAgain.status()).isEqualTo(403);
            assertThat(aliceAgain.body()).contains("the uploader of a file of a release");

            // carol reviewed only the first wheel: her approval is refused and spends no code.
            String reviewed = "{\"otp\": \"" + carol.otp() + "\", \"files\": [\"" + Uploads.sha256(wheel) + "\"]}";
            RawHttp.Response stale = RawHttp.send(
                    server.url(),
                    "POST",
                    "/api/v1/projects/" + PROJECT + "/releases/3.0.0/approve",
                    java.util.Map.of("Authorization", "Bearer " + carol.token(), "Content-Type", "application/json"),
                    reviewed.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertThat(stale.status()).isEqualTo(409);
            assertThat(stale.body()).contains("its files are not the ones you reviewed (now 2 file(s)");
            assertThat(release(server, "3.0.0").path("state").asText()).isEqualTo("held");

            // The CLI shows the files it approves and binds the approval to them.
            CliRunner.Output approved = CliRunner.run(
                    "release",
                    "approve",
                    PROJECT,
                    "3.0.0",
                    "--otp",
                    carol.otp(),
                    "--server",
                    server.url(),
                    "--token",
                    carol.token());
            assertThat(approved.code()).as(approved.err()).isZero();
            assertThat(approved.out()).contains("Approving exactly these 2 file(s)", Uploads.sha256(late));
            JsonNode released = release(server, "3.0.0");
            assertThat(released.path("state").asText()).isEqualTo("released");
            assertThat(released.path("decided_by").asText()).isEqualTo("bob, carol");
            JsonNode records = released.path("approval_records");
            assertThat(records).hasSize(2);
            assertThat(records.findValuesAsText("user")).containsExactly("bob", "carol");
            records.forEach(r -> assertThat(r.path("files")).hasSize(2));
            assertThat(server.events("ReleaseApproved")).isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void quarantineHidesAReleasedVersionFromPipAtOnceAndTwoPeopleBringItBack(String database) throws Exception {
        try (TestServer server = TestServer.start(database, dir.resolve("data"))) {
            TestUser ann =
                    server.user("ann", new RoleGrant(PROJECT, Role.APPROVER), Permission.APPROVE, Permission.READ);
            TestUser bob =
                    server.user("bob", new RoleGrant(PROJECT, Role.APPROVER), Permission.APPROVE, Permission.READ);
            TestUser carol = server.user("carol", new RoleGrant(PROJECT, Role.APPROVER), Permission.APPROVE);
            String token = server.token("ci", Role.MAINTAINER, PROJECT, Permission.UPLOAD);
            assertThat(upload(server, token, "1.0.0").exitCode()).isZero();
            assertThat(server.decide(ann, PROJECT, "1.0.0", "approve").status()).isEqualTo(200);
            assertThat(PythonClients.pipInstall(server.url(), dir.resolve("before"), PROJECT)
                            .exitCode())
                    .isZero();

            CliRunner.Output quarantined = CliRunner.run(
                    "release",
                    "quarantine",
                    PROJECT,
                    "1.0.0",
                    "--reason",
                    "credential stealer in _runtime/",
                    "--otp",
                    ann.otp(),
                    "--server",
                    server.url(),
                    "--token",
                    ann.token());
            assertThat(quarantined.code()).as(quarantined.err()).isZero();
            assertThat(PythonClients.pipInstall(server.url(), dir.resolve("during"), PROJECT)
                            .exitCode())
                    .isNotZero();
            String wheel = PythonClients.wheel(PythonClients.buildSample(PROJECT, "1.0.0"))
                    .getFileName()
                    .toString();
            RawHttp.Response download =
                    RawHttp.send(server.url(), "GET", "/files/" + PROJECT + "/" + wheel, java.util.Map.of(), null);
            assertThat(download.status()).isEqualTo(403);
            // Anonymous clients learn that it is quarantined, not why (addresses, token ids, people are in the
            // reasons).
            assertThat(download.reason()).contains("quarantined").doesNotContain("credential stealer");
            RawHttp.Response show = RawHttp.send(
                    server.url(),
                    "GET",
                    "/api/v1/projects/" + PROJECT + "/releases/1.0.0",
                    java.util.Map.of("Authorization", "Bearer " + carol.token()),
                    null);
            assertThat(show.status())
                    .as("an approve-only token sees what it may decide")
                    .isEqualTo(200);
            assertThat(show.body()).contains("credential stealer in _runtime/");
            assertThat(server.snapshot().files())
                    .as("files are kept for forensics")
                    .isEqualTo(2);

            // Whoever quarantined it does not count towards bringing it back; two others must.
            RawHttp.Response byQuarantiner = server.decide(ann, PROJECT, "1.0.0", "unquarantine");
            assertThat(byQuarantiner.status()).isEqualTo(403);
            assertThat(byQuarantiner.body())
                    .contains("whoever put a release in quarantine cannot approve bringing it back");
            assertThat(server.decide(bob, PROJECT, "1.0.0", "unquarantine").status())
                    .isEqualTo(202);
            assertThat(server.decide(bob, PROJECT, "1.0.0", "unquarantine").status())
                    .isEqualTo(409);
            assertThat(server.app()
                            .catalog()
                            .findRelease(PROJECT, "1")
                            .orElseThrow()
                            .state())
                    .isEqualTo(ReleaseState.QUARANTINED);
            assertThat(server.decide(carol, PROJECT, "1.0.0", "unquarantine").status())
                    .isEqualTo(200);
            assertThat(PythonClients.pipInstall(server.url(), dir.resolve("after"), PROJECT)
                            .exitCode())
                    .isZero();
            assertThat(server.events("ReleaseQuarantined")).isEqualTo(1);
            assertThat(server.events("ReleaseUnquarantined")).isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void policyChangesNeedASecondFactorAndWhenAskedASecondPerson(String database) throws Exception {
        try (TestServer server = TestServer.start(database, dir.resolve("data"))) {
            TestUser olga = server.user("olga", new RoleGrant(PROJECT, Role.OWNER), Permission.ADMIN);
            Path file = Files.createTempFile(dir, "policy", ".yaml");
            Files.writeString(file, "approval:\n  required: 2\n");
            CliRunner.Output noOtp = CliRunner.run(
                    "policy", "import", PROJECT, file.toString(), "--server", server.url(), "--token", olga.token());
            assertThat(noOtp.err()).contains("a fresh one-time code is required to change the policy of lightning");
            assertThat(server.app().gate().policies().versions(PROJECT)).isEmpty();
            CliRunner.Output invalid = importPolicy(server, olga, "approval:\n  requierd: 2\n");
            assertThat(invalid.err()).contains("approval.requierd: unknown key");

            assertThat(importPolicy(
                                    server,
                                    olga,
                                    "approval:\n  required: 2\npolicy_changes:\n  require_second_person: true\n")
                            .out())
                    .contains("policy v1 is active");
            assertThat(importPolicy(server, olga, "approval:\n  required: 1\n").out())
                    .contains("policy v2 is pending");
            assertThat(server.app().gate().policies().active(PROJECT).approval().required())
                    .as("pending changes nothing")
                    .isEqualTo(2);
            CliRunner.Output ownConfirm = CliRunner.run(
                    "policy",
                    "confirm",
                    PROJECT,
                    "2",
                    "--otp",
                    olga.otp(),
                    "--server",
                    server.url(),
                    "--token",
                    olga.token());
            assertThat(ownConfirm.err()).contains("confirmed by someone other than its proposer");
            CliRunner.Output confirmed = CliRunner.run(
                    "policy",
                    "confirm",
                    PROJECT,
                    "2",
                    "--otp",
                    server.admin().otp(),
                    "--server",
                    server.url(),
                    "--token",
                    server.adminToken());
            assertThat(confirmed.out()).contains("policy v2 is active");
            assertThat(server.app().gate().policies().active(PROJECT).approval().required())
                    .isEqualTo(1);
            assertThat(CliRunner.run("policy", "export", PROJECT, "--server", server.url(), "--token", olga.token())
                            .out())
                    .isEqualTo("approval:\n  required: 1\n");
            assertThat(server.events("PolicyProposed")).isEqualTo(1);
            assertThat(server.events("PolicyChanged")).isEqualTo(2);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void heldReleasesExpireAndTheirFileNamesStayUsed(String database) throws Exception {
        try (TestServer server = TestServer.start(database, dir.resolve("data"))) {
            assertThat(importPolicy(server, server.admin(), "approval:\n  expires_after: 1d\n")
                            .code())
                    .isZero();
            String token = server.token("ci", Role.MAINTAINER, PROJECT, Permission.UPLOAD);
            byte[] wheel = Uploads.wheel(PROJECT, "0.1.0");
            String name = Uploads.wheelName(PROJECT, "0.1.0");
            assertThat(RawHttp.upload(
                                    server.url(),
                                    token,
                                    Uploads.wheelForm(PROJECT, "0.1.0", name, wheel)
                                            .build())
                            .status())
                    .isEqualTo(200);
            server.clock().advance(Duration.ofHours(25));
            server.app().gate().tick();
            assertThat(release(server, "0.1.0").path("state").asText()).isEqualTo("expired");
            assertThat(server.events("ReleaseExpired")).isEqualTo(1);
            RawHttp.Response again = RawHttp.upload(
                    server.url(),
                    token,
                    Uploads.wheelForm(PROJECT, "0.1.0", name, Uploads.wheel(PROJECT, "0.1.0", PROJECT, "0.1"))
                            .build());
            assertThat(again.status()).isEqualTo(400);
            assertThat(again.reason()).contains("File already exists");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void aHeldReleaseNotifiesItsApproversOnceByEmailAndWebhook(String database) throws Exception {
        com.icegreen.greenmail.util.GreenMail smtp = new com.icegreen.greenmail.util.GreenMail(
                com.icegreen.greenmail.util.ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
        dev.portcullis.testing.HookReceiver receiver = new dev.portcullis.testing.HookReceiver();
        java.util.List<String> hooks = receiver.bodies();
        try (TestServer server = TestServer.start(
                database,
                dir.resolve("data"),
                settings -> settings.withScheduledWork(false)
                        .withSmtp(new dev.portcullis.watch.alert.Smtp(
                                "127.0.0.1", smtp.getSmtp().getPort(), "gate@portcullis.test", null, null)))) {
            assertThat(importPolicy(server, server.admin(), String.format(java.util.Locale.ROOT, """
          notify:
            email: [approvers@acme.test]
            webhooks: [http://127.0.0.1:%d/hook]
          """, receiver.port()))
                            .code())
                    .isZero();
            String token = server.token("ci", Role.MAINTAINER, PROJECT, Permission.UPLOAD);
            assertThat(upload(server, token, "2.6.2").exitCode())
                    .as("wheel and sdist: two uploads, one notice")
                    .isZero();

            server.tick(); // delivers what is due: the notice, to each destination
            server.tick(); // and nothing more: a second pass finds no second notice
            assertThat(smtp.waitForIncomingEmail(15_000, 1)).isTrue();
            jakarta.mail.internet.MimeMessage[] mails = smtp.getReceivedMessages();
            assertThat(mails).hasSize(1);
            assertThat(mails[0].getSubject()).isEqualTo("[Portcullis] lightning 2.6.2 is held for approval");
            assertThat(mails[0].getAllRecipients()[0].toString()).isEqualTo("approvers@acme.test");
            assertThat(com.icegreen.greenmail.util.GreenMailUtil.getBody(mails[0]))
                    .contains("policy: every release needs approval by 1 person(s)")
                    .contains("portcullis release approve lightning 2.6.2 --otp CODE");
            assertThat(hooks).hasSize(1);
            JsonNode hook = JSON.readTree(hooks.getFirst());
            assertThat(hook.path("type").asText()).isEqualTo("release.hold");
            assertThat(hook.path("version").asText()).isEqualTo("2.6.2");
            assertThat(server.events("AlertDelivered")).isEqualTo(2);
        } finally {
            receiver.close();
            smtp.stop();
        }
    }
}
