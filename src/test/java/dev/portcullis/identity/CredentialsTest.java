package dev.portcullis.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.events.AlertSink;
import dev.portcullis.publish.PublishSettings;
import dev.portcullis.testing.CliRunner;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestClock;
import dev.portcullis.testing.TestDatabases;
import dev.portcullis.testing.TestServer;
import dev.portcullis.testing.TestUser;
import dev.portcullis.testing.Uploads;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The credential rules through the HTTP API and the CLI, with a test clock: token life cycle,
 * second factor, scope escalation, brute force, housekeeping. Each refusal is a clear error and an
 * event, and changes nothing else. Runs on SQLite and PostgreSQL.
 */
class CredentialsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROJECT = "proj";

    @TempDir
    Path dir;

    private TestServer start(String database) {
        return start(database, IdentitySettings.DEFAULTS, AlertSink.logging());
    }

    private TestServer start(String database, IdentitySettings settings, AlertSink alerts) {
        Path data = dir.resolve("data");
        return TestServer.start(
                TestDatabases.create(database, data),
                data,
                PublishSettings.DEFAULT_MAX_FILE_BYTES,
                new TestClock(),
                null,
                settings,
                alerts);
    }

    private static CliRunner.Output remote(TestServer server, String token, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--server", server.url(), "--token", token));
        return CliRunner.run(all.toArray(String[]::new));
    }

    private static RawHttp.Response get(TestServer server, String token, String path) {
        return RawHttp.send(server.url(), "GET", path, Map.of("Authorization", "Bearer " + token), null);
    }

    private static RawHttp.Response post(TestServer server, String token, String path, String json) {
        return RawHttp.send(
                server.url(),
                "POST",
                path,
                Map.of("Authorization", "Bearer " + token, "Content-Type", "application/json"),
                json.getBytes(StandardCharsets.UTF_8));
    }

    private static RawHttp.Response upload(TestServer server, String token, String version) {
        return RawHttp.upload(
                server.url(),
                token,
                Uploads.wheelForm(
                                PROJECT, version, Uploads.wheelName(PROJECT, version), Uploads.wheel(PROJECT, version))
                        .build());
    }

    /** The tokens and everything that grants power (not last-use bookkeeping, which any use updates). */
    private static List<String> tokenListing(TestServer server) {
        return server.app().identity().listTokens().stream()
                .map(t -> String.join(
                        "|",
                        t.id(),
                        t.owner(),
                        String.valueOf(t.project()),
                        Permission.format(t.permissions()),
                        t.expiresAt().toString(),
                        String.valueOf(t.revokedAt())))
                .toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void tokensAreCreatedRotatedAndRevokedWithASecondFactor(String database) throws Exception {
        try (TestServer server = start(database)) {
            // The project's owner manages tokens with an admin token (upload tokens manage nothing: TokenPowerTest).
            TestUser olga = server.user("olga", new RoleGrant(PROJECT, Role.OWNER), Permission.ADMIN);

            List<String> before = tokenListing(server);
            CliRunner.Output tooLong = remote(
                    server,
                    olga.token(),
                    "token",
                    "create",
                    "--project",
                    PROJECT,
                    "--expires",
                    "120d",
                    "--otp",
                    olga.otp());
            assertThat(tooLong.code()).isEqualTo(1);
            assertThat(tooLong.err()).contains("token lifetime 120 days exceeds this server's maximum of 90 days");
            CliRunner.Output noOtp = remote(server, olga.token(), "token", "create", "--project", PROJECT);
            assertThat(noOtp.err()).contains("a fresh one-time code is required to create a token (pass --otp CODE)");
            CliRunner.Output beyondRoles =
                    remote(server, olga.token(), "token", "create", "--project", "elsewhere", "--otp", olga.otp());
            assertThat(beyondRoles.err())
                    .contains("the roles of olga on elsewhere")
                    .contains("do not allow permissions upload");
            assertThat(tokenListing(server)).isEqualTo(before);
            assertThat(server.events("SecondFactorMissing")).isEqualTo(1);

            CliRunner.Output created = remote(
                    server,
                    olga.token(),
                    "token",
                    "create",
                    "--project",
                    PROJECT,
                    "--expires",
                    "10d",
                    "--otp",
                    olga.otp());
            assertThat(created.code()).as(created.err()).isZero();
            String first = created.out().trim();
            assertThat(TokenFormat.parse(first)).isPresent();
            assertThat(upload(server, first, "1.0.0").status()).isEqualTo(200);

            String firstId = TokenFormat.parse(first).orElseThrow().id();
            CliRunner.Output rotated =
                    remote(server, olga.token(), "token", "rotate", firstId, "--overlap", "1h", "--otp", olga.otp());
            assertThat(rotated.code()).as(rotated.err()).isZero();
            String second = rotated.out().trim();
            String secondId = TokenFormat.parse(second).orElseThrow().id();
            assertThat(get(server, first, "/api/v1/releases").status())
                    .as("old token works during the overlap")
                    .isEqualTo(200);
            server.clock().advance(Duration.ofMinutes(61));
            RawHttp.Response old = get(server, first, "/api/v1/releases");
            assertThat(old.status()).isEqualTo(401);
            assertThat(old.body()).contains("token expired at");
            assertThat(upload(server, first, "1.0.1").reason()).contains("token expired at");
            assertThat(upload(server, second, "1.0.1").status()).isEqualTo(200);
            JsonNode successor = find(
                    JSON.readTree(get(server, olga.token(), "/api/v1/tokens").body())
                            .path("tokens"),
                    secondId);
            assertThat(successor.path("rotated_from").asText()).isEqualTo(firstId);
            assertThat(successor.path("project").asText())
                    .as("the successor has exactly the old scope")
                    .isEqualTo(PROJECT);
            assertThat(successor.path("permissions").asText()).isEqualTo("upload");
            assertThat(server.events("TokenRotated")).isEqualTo(1);

            CliRunner.Output revoked =
                    remote(server, olga.token(), "token", "revoke", secondId, "--reason", "leaked in a log");
            assertThat(revoked.code()).as(revoked.err()).isZero();
            RawHttp.Response afterRevoke = upload(server, second, "1.0.2");
            assertThat(afterRevoke.status()).isEqualTo(403);
            assertThat(afterRevoke.reason()).contains("token was revoked (leaked in a log)");
            assertThat(server.events("TokenRevoked")).isEqualTo(1);

            // Someone else's token cannot be revoked or rotated by anyone but a global admin.
            String other = server.token("other", Role.MAINTAINER, PROJECT, Permission.UPLOAD);
            String otherId = TokenFormat.parse(other).orElseThrow().id();
            long refusals = server.events("IdentityActionRefused");
            assertThat(remote(server, olga.token(), "token", "revoke", otherId).err())
                    .contains("only a global admin manages another user's tokens");
            assertThat(server.events("IdentityActionRefused")).isEqualTo(refusals + 1);
            assertThat(upload(server, other, "1.0.3").status()).isEqualTo(200);

            // The local operator's bulk revocation, by project.
            String scoped = server.token("other", Role.MAINTAINER, PROJECT, Permission.UPLOAD);
            CliRunner.Output local = CliRunner.run(concat(
                    new String[] {"admin", "revoke-tokens", "--project", PROJECT, "--reason", "incident"},
                    server.localOptions()));
            // (It runs on the real clock, so the rotated-out token, expired only on the test clock, is taken too.)
            assertThat(local.out())
                    .contains(otherId)
                    .contains(id(scoped))
                    .doesNotContain(olga.token().substring(6, 18));
            assertThat(CliRunner.run(concat(new String[] {"admin", "housekeeping"}, server.localOptions()))
                            .out())
                    .contains("Disabled unused tokens: []");
            other = server.token("other", Role.MAINTAINER, PROJECT, Permission.UPLOAD);
            otherId = id(other);

            // Bulk revocation (admin, second factor): only the tokens matching every criterion.
            CliRunner.Output bulk = remote(
                    server,
                    server.adminToken(),
                    "token",
                    "revoke",
                    "--project",
                    PROJECT,
                    "--otp",
                    server.admin().otp());
            assertThat(bulk.code()).as(bulk.err()).isZero();
            assertThat(bulk.out()).contains("Revoked 1 token(s): " + otherId);
            assertThat(get(server, olga.token(), "/api/v1/tokens").status())
                    .as("unscoped token untouched")
                    .isEqualTo(200);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void approvalsNeedAFreshSingleUseSecondFactor(String database) throws Exception {
        try (TestServer server = start(database)) {
            String ci = server.token("ci", Role.MAINTAINER, PROJECT, Permission.UPLOAD);
            assertThat(upload(server, ci, "1.0.0").status()).isEqualTo(200);
            assertThat(upload(server, ci, "2.0.0").status()).isEqualTo(200);
            TestUser approver =
                    server.user("ann", new RoleGrant(PROJECT, Role.APPROVER), Permission.APPROVE, Permission.READ);
            String path = "/api/v1/projects/" + PROJECT + "/releases/1.0.0/approve";

            RawHttp.Response none = post(server, approver.token(), path, "{}");
            assertThat(none.status()).isEqualTo(403);
            assertThat(none.body()).contains("a fresh one-time code is required to approve proj 1.0.0");
            RawHttp.Response wrong = post(server, approver.token(), path, "{\"otp\": \"000000\"}");
            assertThat(wrong.status()).isEqualTo(403);
            assertThat(wrong.body()).contains("wrong, expired or already used one-time code");
            assertThat(server.events("SecondFactorFailed")).isEqualTo(1);
            assertThat(server.app().catalog().releases(dev.portcullis.publish.ReleaseState.HELD))
                    .hasSize(2);

            String code = approver.otp();
            assertThat(post(server, approver.token(), path, "{\"otp\": \"" + code + "\"}")
                            .status())
                    .isEqualTo(200);
            RawHttp.Response replay = post(
                    server,
                    approver.token(),
                    "/api/v1/projects/" + PROJECT + "/releases/2.0.0/approve",
                    "{\"otp\": \"" + code + "\"}");
            assertThat(replay.status()).as("a code works once").isEqualTo(403);
            assertThat(replay.body()).contains("already used");

            // Enrolment through the CLI, with the ticket `admin add-user` printed (no token involved);
            // the secret is shown once; recovery codes work once each.
            CliRunner.Output added = CliRunner.run(concat(
                    new String[] {"admin", "add-user", "eve", "--role", "approver", "--project", PROJECT},
                    server.localOptions()));
            assertThat(added.code()).as(added.err()).isZero();
            String ticket = added.out().trim();
            assertThat(ticket).startsWith("pcl_e_");
            String eve = server.app()
                    .identity()
                    .createToken(
                            new TokenRequest(
                                    "eve", null, PROJECT, java.util.Set.of(Permission.APPROVE, Permission.READ), null),
                            "test")
                    .secret();
            CliRunner.Output enrolled = CliRunner.run("mfa", "enroll", "--ticket", ticket, "--server", server.url());
            assertThat(enrolled.code()).as(enrolled.err()).isZero();
            String secret = enrolled.out()
                    .lines()
                    .filter(l -> l.startsWith("secret: "))
                    .findFirst()
                    .orElseThrow()
                    .substring(8);
            server.clock().advance(Duration.ofSeconds(30));
            String confirmCode = Totp.code(
                    Totp.fromBase32(secret), Totp.step(server.clock().instant().getEpochSecond()));
            CliRunner.Output confirmed =
                    CliRunner.run("mfa", "confirm", "--ticket", ticket, "--otp", confirmCode, "--server", server.url());
            assertThat(confirmed.code()).as(confirmed.err()).isZero();
            List<String> recovery = confirmed
                    .out()
                    .lines()
                    .filter(l -> l.startsWith("  "))
                    .map(String::trim)
                    .toList();
            assertThat(recovery).hasSize(10).allMatch(c -> c.matches("[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}"));
            RawHttp.Response withRecovery = post(
                    server,
                    eve,
                    "/api/v1/projects/" + PROJECT + "/releases/2.0.0/approve",
                    "{\"otp\": \"" + recovery.get(0) + "\"}");
            assertThat(withRecovery.status()).as(withRecovery.body()).isEqualTo(200);
            assertThat(server.events("RecoveryCodeUsed")).isEqualTo(1);
            assertThat(upload(server, ci, "3.0.0").status()).isEqualTo(200);
            RawHttp.Response recoveryReplay = post(
                    server,
                    eve,
                    "/api/v1/projects/" + PROJECT + "/releases/3.0.0/approve",
                    "{\"otp\": \"" + recovery.get(0) + "\"}");
            assertThat(recoveryReplay.status()).isEqualTo(403);

            // The ticket is used up: the factor cannot be replaced with it, nor with any token.
            RawHttp.Response again = post(server, eve, "/api/v1/mfa/enroll", "{\"ticket\": \"" + ticket + "\"}");
            assertThat(again.status()).isEqualTo(403);
            assertThat(again.body()).contains("the enrolment ticket is unknown, used, voided or expired");
            assertThat(post(server, eve, "/api/v1/mfa/enroll", "{}").status()).isEqualTo(400);

            // Five wrong codes, then even a right one is refused until the window passes.
            for (int i = 0; i < 4; i++) {
                post(
                        server,
                        approver.token(),
                        "/api/v1/projects/" + PROJECT + "/releases/3.0.0/approve",
                        "{\"otp\": \"11111" + i + "\"}");
            }
            RawHttp.Response throttled = post(
                    server,
                    approver.token(),
                    "/api/v1/projects/" + PROJECT + "/releases/3.0.0/approve",
                    "{\"otp\": \"" + approver.otp() + "\"}");
            assertThat(throttled.status()).isEqualTo(429);
            assertThat(throttled.body()).contains("too many wrong one-time codes for ann");
            server.clock().advance(Duration.ofMinutes(11));
            assertThat(post(
                                    server,
                                    approver.token(),
                                    "/api/v1/projects/" + PROJECT + "/releases/3.0.0/approve",
                                    "{\"otp\": \"" + approver.otp() + "\"}")
                            .status())
                    .isEqualTo(200);

            // Nothing secret is stored in plain text.
            String everything = server.app()
                    .database()
                    .withHandle(h -> Stream.of("users", "api_tokens", "recovery_codes", "enrolment_tickets", "events")
                            .map(t -> h.createQuery("SELECT * FROM " + t)
                                    .mapToMap()
                                    .list()
                                    .toString())
                            .reduce("", String::concat));
            assertThat(everything)
                    .doesNotContain(secret)
                    .doesNotContain(Totp.base32(approver.totpSecret()))
                    .doesNotContain(eve)
                    .doesNotContain(ci)
                    .doesNotContain(recovery.get(1))
                    .doesNotContain(ticket);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void anUploadTokenCannotApproveCreateTokensOrChangeRoles(String database) {
        try (TestServer server = start(database)) {
            String upload = server.token("ci", Role.MAINTAINER, PROJECT, Permission.UPLOAD);
            assertThat(upload(server, upload, "1.0.0").status()).isEqualTo(200);
            List<String> before = tokenListing(server);
            long decisionRefusals = server.events("DecisionRefused");
            long identityRefusals = server.events("IdentityActionRefused");
            long missing = server.events("SecondFactorMissing");

            RawHttp.Response approve = post(
                    server, upload, "/api/v1/projects/" + PROJECT + "/releases/1.0.0/approve", "{\"otp\": \"123456\"}");
            assertThat(approve.status()).isEqualTo(403);
            assertThat(approve.body()).contains("this token may not approve releases of 'proj'");
            assertThat(server.events("DecisionRefused")).isEqualTo(decisionRefusals + 1);

            // An upload token manages no tokens at all — not even its own kind — and is refused before
            // the second factor is asked for, so it learns nothing about the owner's factor.
            RawHttp.Response wider =
                    post(server, upload, "/api/v1/tokens", "{\"permissions\": \"upload\", \"otp\": \"123456\"}");
            assertThat(wider.status()).isEqualTo(403);
            assertThat(wider.body())
                    .contains(
                            "this token (upload on proj) cannot manage tokens, second factors or roles: that takes an admin token");
            assertThat(server.events("IdentityActionRefused")).isEqualTo(identityRefusals + 1);
            identityRefusals++;
            RawHttp.Response token = post(
                    server,
                    upload,
                    "/api/v1/tokens",
                    "{\"permissions\": \"upload\", \"project\": \"proj\", \"otp\": \"123456\"}");
            assertThat(token.status()).isEqualTo(403);
            assertThat(token.body()).contains("that takes an admin token");
            assertThat(server.events("SecondFactorMissing")).isEqualTo(missing);
            identityRefusals++;

            RawHttp.Response forOther =
                    post(server, upload, "/api/v1/tokens", "{\"user\": \"admin\", \"permissions\": \"admin\"}");
            assertThat(forOther.status()).isEqualTo(403);
            RawHttp.Response grant =
                    post(server, upload, "/api/v1/users/ci/roles", "{\"role\": \"admin\", \"otp\": \"123456\"}");
            assertThat(grant.status()).isEqualTo(403);
            assertThat(grant.body()).contains("only a global admin");
            assertThat(server.events("IdentityActionRefused")).isEqualTo(identityRefusals + 2);
            assertThat(get(server, upload, "/api/v1/tokens").status())
                    .as("nor list tokens")
                    .isEqualTo(403);
            assertThat(get(server, upload, "/api/v1/audit/tokens").status()).isEqualTo(403);
            assertThat(get(server, upload, "/api/v1/users").status()).isEqualTo(403);

            assertThat(tokenListing(server)).isEqualTo(before);
            assertThat(server.app().identity().findUser("ci").orElseThrow().grants())
                    .containsExactly(new RoleGrant(PROJECT, Role.MAINTAINER));
            assertThat(server.app().catalog().releases(dev.portcullis.publish.ReleaseState.HELD))
                    .hasSize(1);

            // The project's owner may grant project roles (with a second factor), but not global ones.
            TestUser owner = server.user("olga", new RoleGrant(PROJECT, Role.OWNER), Permission.ADMIN);
            assertThat(remote(
                                    server,
                                    owner.token(),
                                    "user",
                                    "grant",
                                    "ci",
                                    "--role",
                                    "approver",
                                    "--project",
                                    PROJECT,
                                    "--otp",
                                    owner.otp())
                            .code())
                    .isZero();
            assertThat(remote(server, owner.token(), "user", "grant", "ci", "--role", "approver", "--otp", owner.otp())
                            .err())
                    .contains("only a global admin");
            assertThat(server.app().identity().findUser("ci").orElseThrow().grants())
                    .containsExactlyInAnyOrder(
                            new RoleGrant(PROJECT, Role.MAINTAINER), new RoleGrant(PROJECT, Role.APPROVER));
            assertThat(server.events("RoleGranted")).isEqualTo(1);
        }
    }

    /**
     * Failures are throttled per token id and source and per source, but a correct token is never
     * refused: nobody can lock a holder out by forging tokens with its id (ids appear in events) or by
     * failing from the holder's address (behind a proxy or NAT that is everyone's).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void failuresAreThrottledButNobodyCanLockOutTheHolderOfACorrectToken(String database) {
        List<AlertSink.Alert> alerts = Collections.synchronizedList(new ArrayList<>());
        try (TestServer server = start(database, IdentitySettings.DEFAULTS, alerts::add)) {
            // Events are written per minute: start the burst just past a minute's start, so a slow
            // machine cannot spread it over two minutes.
            long intoMinute = server.clock().millis() % 60_000;
            server.clock().advance(Duration.ofMillis(60_000 - intoMinute + 1_000));
            String real = server.token("ci", Role.MAINTAINER, PROJECT, Permission.UPLOAD, Permission.READ);
            String id = TokenFormat.parse(real).orElseThrow().id();
            String attacker = "127.0.3.7";
            for (int i = 0; i < 5; i++) {
                String body = "pcl_u_" + id + String.valueOf((char) ('a' + i)).repeat(32);
                String forged = body + TokenFormat.checksum(body);
                assertThat(RawHttp.sendFrom(
                                        attacker,
                                        server.url(),
                                        "GET",
                                        "/api/v1/releases",
                                        Map.of("Authorization", "Bearer " + forged),
                                        null)
                                .status())
                        .isEqualTo(401);
            }
            String sixth = "pcl_u_" + id + "z".repeat(32);
            RawHttp.Response throttledForgery = RawHttp.sendFrom(
                    attacker,
                    server.url(),
                    "GET",
                    "/api/v1/releases",
                    Map.of("Authorization", "Bearer " + sixth + TokenFormat.checksum(sixth)),
                    null);
            assertThat(throttledForgery.status())
                    .as("the guesser is slowed down")
                    .isEqualTo(429);
            // The holder is not: from its own address, and even from the attacker's.
            assertThat(get(server, real, "/api/v1/releases").status()).isEqualTo(200);
            assertThat(RawHttp.sendFrom(
                                    attacker,
                                    server.url(),
                                    "GET",
                                    "/api/v1/releases",
                                    Map.of("Authorization", "Bearer " + real),
                                    null)
                            .status())
                    .isEqualTo(200);
            assertThat(upload(server, real, "1.0.0").status()).isEqualTo(200);

            // Twenty junk tokens from one address: its further failures get 429 and one alert is raised,
            // but every correct token from that address still works.
            String shared = "127.0.4.1";
            for (int i = 0; i < 20; i++) {
                assertThat(RawHttp.sendFrom(
                                        shared,
                                        server.url(),
                                        "GET",
                                        "/api/v1/releases",
                                        Map.of("Authorization", "Bearer pcl_u_garbage" + i),
                                        null)
                                .status())
                        .isEqualTo(401);
            }
            RawHttp.Response throttledAddress = RawHttp.sendFrom(
                    shared,
                    server.url(),
                    "GET",
                    "/api/v1/releases",
                    Map.of("Authorization", "Bearer pcl_u_more"),
                    null);
            assertThat(throttledAddress.status()).isEqualTo(429);
            assertThat(throttledAddress.body()).contains("too many failed authentication attempts from " + shared);
            assertThat(alerts)
                    .extracting(AlertSink.Alert::kind)
                    .filteredOn(k -> k.startsWith("Authentication"))
                    .as("one burst alert: the attacker's address crossed the limit, ci's never did")
                    .containsExactly("AuthenticationBurst");
            assertThat(RawHttp.sendFrom(
                                    shared,
                                    server.url(),
                                    "GET",
                                    "/api/v1/releases",
                                    Map.of("Authorization", "Bearer " + real),
                                    null)
                            .status())
                    .as("a correct token from the same address")
                    .isEqualTo(200);
            // Every failure is on record, as counted events (not one row per request).
            assertThat(server.events("AuthenticationFailed")).isEqualTo(5 + 1 + 20 + 1);
            long rows = server.app()
                    .events()
                    .list(null, "AuthenticationFailed", 0, 1000)
                    .size();
            assertThat(rows)
                    .as("the first three per address (and token id) and minute; the rest are counted")
                    .isEqualTo(6);
            server.clock().advance(Duration.ofMinutes(11));
            RawHttp.Response afterWindow = RawHttp.sendFrom(
                    shared,
                    server.url(),
                    "GET",
                    "/api/v1/releases",
                    Map.of("Authorization", "Bearer pcl_u_again"),
                    null);
            assertThat(afterWindow.status()).as("the window passed").isEqualTo(401);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void housekeepingDisablesIdleTokensAndAccountsAndWarnsBeforeExpiry(String database) {
        IdentitySettings settings = new IdentitySettings(
                Duration.ofDays(30),
                Duration.ofDays(90),
                Duration.ofDays(30),
                Duration.ofDays(7),
                Duration.ofHours(24),
                Duration.ofDays(60),
                Duration.ofMinutes(10),
                20,
                5,
                5);
        try (TestServer server = start(database, settings, AlertSink.logging())) {
            server.app().identity().addUser("idle", new RoleGrant(PROJECT, Role.MAINTAINER), "test");
            String longLived = server.app()
                    .identity()
                    .createToken(
                            new TokenRequest(
                                    "idle", "a", PROJECT, java.util.Set.of(Permission.UPLOAD), Duration.ofDays(90)),
                            "test")
                    .secret();
            String shortLived = server.app()
                    .identity()
                    .createToken(
                            new TokenRequest(
                                    "idle", "b", PROJECT, java.util.Set.of(Permission.UPLOAD), Duration.ofDays(30)),
                            "test")
                    .secret();
            String shortId = TokenFormat.parse(shortLived).orElseThrow().id();
            String longId = TokenFormat.parse(longLived).orElseThrow().id();
            assertThat(upload(server, longLived, "1.0.0").status()).isEqualTo(200);
            assertThat(upload(server, shortLived, "1.0.1").status()).isEqualTo(200);

            server.clock().advance(Duration.ofDays(24));
            // (The local `admin housekeeping` command runs on the real clock; the server's is moved here.)
            HousekeepingReport first = server.app().identity().housekeeping();
            HousekeepingReport quiet = server.app().identity().housekeeping();
            assertThat(first.expiringTokens()).contains(shortId);
            assertThat(server.events("TokenExpiring")).isGreaterThanOrEqualTo(1);
            assertThat(quiet.expiringTokens())
                    .as("each token is warned about once")
                    .doesNotContain(shortId);

            server.clock().advance(Duration.ofDays(7)); // day 31: both unused for 31 days
            HousekeepingReport idle = server.app().identity().housekeeping();
            assertThat(idle.disabledTokens()).contains(longId);
            RawHttp.Response disabled = upload(server, longLived, "1.0.2");
            assertThat(disabled.status()).isEqualTo(403);
            assertThat(disabled.reason()).contains("token was revoked (unused for 30 days)");

            // An account inactive for 60 days is disabled; its (new, unused) token stops working.
            server.clock().advance(Duration.ofDays(28)); // day 59
            String fresh = server.app()
                    .identity()
                    .createToken(
                            new TokenRequest(
                                    "idle", "c", PROJECT, java.util.Set.of(Permission.UPLOAD), Duration.ofDays(90)),
                            "test")
                    .secret();
            server.clock().advance(Duration.ofDays(2)); // day 61
            HousekeepingReport accounts = server.app().identity().housekeeping();
            assertThat(accounts.disabledUsers()).contains("idle");
            RawHttp.Response ownerDisabled = upload(server, fresh, "1.0.3");
            assertThat(ownerDisabled.reason()).contains("the token's owner is disabled (inactive for 60 days)");
            assertThat(server.events("UserDisabled")).isGreaterThanOrEqualTo(1);

            CliRunner.Output enabled =
                    CliRunner.run(concat(new String[] {"admin", "enable-user", "idle"}, server.localOptions()));
            assertThat(enabled.code()).as(enabled.err()).isZero();
            assertThat(server.events("UserEnabled")).isEqualTo(1);
            assertThat(upload(server, fresh, "1.0.3").status()).isEqualTo(200);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void theTokenAuditFlagsExactlyThePolicyBreakers(String database) throws Exception {
        IdentitySettings settings = new IdentitySettings(
                Duration.ofDays(30),
                Duration.ofDays(365),
                Duration.ofDays(30),
                Duration.ofDays(7),
                Duration.ofHours(24),
                Duration.ofDays(365),
                Duration.ofMinutes(10),
                20,
                5,
                5);
        try (TestServer server = start(database, settings, AlertSink.logging())) {
            Identity identity = server.app().identity();
            identity.addUser("olduser", new RoleGrant("p1", Role.MAINTAINER), "test");
            String old = identity.createToken(
                            new TokenRequest(
                                    "olduser", "old", "p1", java.util.Set.of(Permission.UPLOAD), Duration.ofDays(200)),
                            "test")
                    .secret();
            server.clock().advance(Duration.ofDays(85));
            assertThat(get(server, old, "/api/v1/releases").status()).isEqualTo(200);
            server.clock().advance(Duration.ofDays(6)); // day 91

            identity.addUser("dev", new RoleGrant("p2", Role.MAINTAINER), "test");
            String fresh = identity.createToken(
                            new TokenRequest("dev", "fresh", "p2", java.util.Set.of(Permission.UPLOAD), null), "test")
                    .secret();
            String unused = identity.createToken(
                            new TokenRequest("dev", "unused", "p2", java.util.Set.of(Permission.READ), null), "test")
                    .secret();
            String uploader = identity.createToken(
                            new TokenRequest("dev", "uploader", "p2", java.util.Set.of(Permission.UPLOAD), null),
                            "test")
                    .secret();
            String revoked = identity.createToken(
                            new TokenRequest("dev", "revoked", "p2", java.util.Set.of(Permission.UPLOAD), null), "test")
                    .secret();
            identity.addUser("aud", new RoleGrant(RoleGrant.EVERY_PROJECT, Role.AUDITOR), "test");
            String auditor = identity.createToken(
                            new TokenRequest("aud", "audit", null, java.util.Set.of(Permission.READ), null), "test")
                    .secret();
            assertThat(get(server, fresh, "/api/v1/releases").status()).isEqualTo(200);
            assertThat(RawHttp.upload(
                                    server.url(),
                                    uploader,
                                    Uploads.wheelForm(
                                                    "p2",
                                                    "1.0",
                                                    Uploads.wheelName("p2", "1.0"),
                                                    Uploads.wheel("p2", "1.0"))
                                            .build())
                            .status())
                    .isEqualTo(200);
            assertThat(post(
                                    server,
                                    revoked,
                                    "/api/v1/tokens/" + id(revoked) + "/revoke",
                                    "{\"reason\": \"no longer needed\"}")
                            .status())
                    .as("an owner revokes their own token")
                    .isEqualTo(200);

            CliRunner.Output json = remote(server, auditor, "audit", "tokens", "--format", "json");
            assertThat(json.code()).as("a high flag fails the run").isEqualTo(3);
            JsonNode report = JSON.readTree(json.out());
            assertThat(flags(report, old)).containsExactly("older-than-90-days");
            assertThat(flags(report, fresh)).isEmpty();
            assertThat(flags(report, unused)).containsExactly("never-used");
            assertThat(flags(report, uploader)).containsExactly("long-lived-upload-token");
            assertThat(flags(report, revoked)).isEmpty();
            assertThat(find(report.path("tokens"), id(revoked)).path("status").asText())
                    .isEqualTo("revoked");
            assertThat(flags(report, auditor)).containsExactly("broad-scope");
            assertThat(find(report.path("tokens"), id(server.adminToken()))
                            .path("status")
                            .asText())
                    .isEqualTo("expired");
            assertThat(report.path("summary").toString()).isEqualTo("{\"low\":1,\"medium\":2,\"high\":1}");

            assertThat(remote(server, auditor, "audit", "tokens", "--fail-on", "never")
                            .code())
                    .isZero();
            CliRunner.Output csv = remote(server, auditor, "audit", "tokens", "--format", "csv", "--fail-on", "never");
            assertThat(csv.out().lines().count())
                    .isEqualTo(1 + report.path("tokens").size());
            assertThat(csv.out()).contains(id(old) + ",olduser,old,p1,upload,active,91,");

            // The local operator's bulk revocation (server clock here; `admin revoke-tokens` in the CLI).
            List<TokenInfo> revokedOld = identity.revokeTokens(
                    new RevocationCriteria(Duration.ofDays(90), null, null),
                    "too old",
                    "local operator",
                    dev.portcullis.core.Origin.LOCAL);
            assertThat(revokedOld).extracting(TokenInfo::id).containsExactly(id(old));
            assertThat(remote(server, auditor, "audit", "tokens").code())
                    .as("no high flag left")
                    .isZero();
            assertThat(remote(server, auditor, "audit", "tokens", "--fail-on", "medium")
                            .code())
                    .isEqualTo(3);
        }
    }

    private static String id(String token) {
        return TokenFormat.parse(token).orElseThrow().id();
    }

    private static List<String> flags(JsonNode report, String token) {
        List<String> codes = new ArrayList<>();
        find(report.path("tokens"), id(token))
                .path("flags")
                .forEach(f -> codes.add(f.path("code").asText()));
        return codes;
    }

    private static JsonNode find(JsonNode tokens, String id) {
        for (JsonNode t : tokens) {
            if (t.path("id").asText().equals(id)) {
                return t;
            }
        }
        throw new AssertionError("no token " + id + " in " + tokens);
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
