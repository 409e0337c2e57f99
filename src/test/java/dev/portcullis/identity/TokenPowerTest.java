package dev.portcullis.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.core.Origin;
import dev.portcullis.testing.CliRunner;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestPolicies;
import dev.portcullis.testing.TestServer;
import dev.portcullis.testing.TestUser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A token never does more than the token that acts (issue 15, finding 1): the account takeover
 * that an upload token of a user without a second factor could do — list the user's tokens, enrol
 * the attacker's authenticator, rotate the user's admin token, import an auto-releasing policy —
 * is refused at every step; a project-scoped admin token stays inside its project; second factors
 * are enrolled only with single-use, expiring tickets an admin issues. SQLite and PostgreSQL.
 */
class TokenPowerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROJECT = "victim";

    @TempDir
    Path dir;

    private static RawHttp.Response call(TestServer server, String token, String method, String path, String json) {
        return RawHttp.send(
                server.url(),
                method,
                path,
                Map.of("Authorization", "Bearer " + token, "Content-Type", "application/json"),
                json == null ? null : json.getBytes(StandardCharsets.UTF_8));
    }

    /** Everything that grants power, to compare before and after an attack. */
    private static String powers(TestServer server) {
        return server.app()
                .database()
                .withHandle(h -> h.createQuery(
                                        "SELECT id, user_id, project, permissions, expires_at, revoked_at FROM api_tokens ORDER BY id")
                                .mapToMap()
                                .list()
                                .toString()
                        + h.createQuery("SELECT name, mfa_secret, mfa_enabled_at FROM users ORDER BY name")
                                .mapToMap()
                                .list()
                        + h.createQuery("SELECT * FROM user_roles ORDER BY user_id, project, role")
                                .mapToMap()
                                .list()
                        + h.createQuery("SELECT project, version, status FROM policies ORDER BY project, version")
                                .mapToMap()
                                .list());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void aStolenUploadTokenCannotTakeOverItsOwnersAccount(String database) throws Exception {
        try (TestServer server = TestServer.start(database, dir.resolve("data"))) {
            // mallory-victim: the project's owner, no second factor yet, with an admin token and an upload token for
            // CI.
            server.app().identity().addUser("olga", new RoleGrant(PROJECT, Role.OWNER), "test");
            String adminToken = server.app()
                    .identity()
                    .createToken(new TokenRequest("olga", "laptop", null, Set.of(Permission.ADMIN), null), "test")
                    .secret();
            String stolen = server.app()
                    .identity()
                    .createToken(new TokenRequest("olga", "ci", PROJECT, Set.of(Permission.UPLOAD), null), "test")
                    .secret();
            String adminId = TokenFormat.parse(adminToken).orElseThrow().id();
            String before = powers(server);

            RawHttp.Response list = call(server, stolen, "GET", "/api/v1/tokens", null);
            assertThat(list.status()).isEqualTo(403);
            assertThat(list.body())
                    .contains("cannot manage tokens, second factors or roles: that takes an admin token")
                    .doesNotContain(adminId);

            RawHttp.Response enrol = call(server, stolen, "POST", "/api/v1/mfa/enroll", "{}");
            assertThat(enrol.status())
                    .as("no token enrols a factor; a ticket is required")
                    .isEqualTo(400);
            assertThat(enrol.body()).contains("'ticket' is required");
            RawHttp.Response forged =
                    call(server, stolen, "POST", "/api/v1/mfa/enroll", "{\"ticket\": \"" + stolen + "\"}");
            assertThat(forged.status()).isEqualTo(403);
            assertThat(forged.body()).contains("the enrolment ticket is unknown, used, voided or expired");

            RawHttp.Response rotate =
                    call(server, stolen, "POST", "/api/v1/tokens/" + adminId + "/rotate", "{\"otp\": \"123456\"}");
            assertThat(rotate.status()).isEqualTo(403);
            assertThat(rotate.body()).doesNotContain("pcl_u_");
            RawHttp.Response create = call(
                    server, stolen, "POST", "/api/v1/tokens", "{\"permissions\": \"upload\", \"project\": \"victim\"}");
            assertThat(create.status()).isEqualTo(403);
            RawHttp.Response revokeOther = call(server, stolen, "POST", "/api/v1/tokens/" + adminId + "/revoke", "{}");
            assertThat(revokeOther.status()).isEqualTo(403);

            RawHttp.Response policy = call(
                    server,
                    stolen,
                    "POST",
                    "/api/v1/projects/" + PROJECT + "/policy",
                    JSON.writeValueAsString(Map.of("document", TestPolicies.RELEASE_EVERYTHING, "otp", "123456")));
            assertThat(policy.status()).isEqualTo(403);
            RawHttp.Response role = call(
                    server, stolen, "POST", "/api/v1/users/olga/roles", "{\"role\": \"admin\", \"otp\": \"123456\"}");
            assertThat(role.status()).isEqualTo(403);
            RawHttp.Response publisher = call(
                    server,
                    stolen,
                    "POST",
                    "/api/v1/projects/" + PROJECT + "/publishers",
                    "{\"kind\": \"github\", \"owner\": \"evil\", \"owner_id\": \"1\", \"repository\": \"x\", \"workflow\": \"r.yml\"}");
            assertThat(publisher.status()).isEqualTo(403);

            assertThat(powers(server)).as("nothing that grants power changed").isEqualTo(before);
            // Giving up power needs nothing more: a token may revoke itself.
            String stolenId = TokenFormat.parse(stolen).orElseThrow().id();
            assertThat(call(
                                    server,
                                    stolen,
                                    "POST",
                                    "/api/v1/tokens/" + stolenId + "/revoke",
                                    "{\"reason\": \"leaked\"}")
                            .status())
                    .isEqualTo(200);
            assertThat(call(server, stolen, "GET", "/api/v1/releases", null).status())
                    .isEqualTo(401);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void aProjectScopedAdminTokenManagesTokensOfItsProjectOnly(String database) throws Exception {
        try (TestServer server = TestServer.start(database, dir.resolve("data"))) {
            TestUser admin = server.admin();
            // The global admin's token limited to one project.
            String scoped = server.app()
                    .identity()
                    .createToken(new TokenRequest("admin", "scoped", PROJECT, Set.of(Permission.ADMIN), null), "test")
                    .secret();
            server.app().identity().addUser("ci", new RoleGrant(PROJECT, Role.MAINTAINER), "test");
            String before = powers(server);

            for (String body : List.of(
                    "{\"permissions\": \"upload\", \"project\": \"elsewhere\", \"otp\": \"" + admin.otp() + "\"}",
                    "{\"permissions\": \"admin\", \"otp\": \"" + admin.otp() + "\"}",
                    "{\"permissions\": \"upload\", \"project\": \"victim\", \"user\": \"ci\", \"otp\": \"" + admin.otp()
                            + "\"}")) {
                RawHttp.Response refused = call(server, scoped, "POST", "/api/v1/tokens", body);
                assertThat(refused.status()).as(body + " -> " + refused.body()).isEqualTo(403);
            }
            String globalId =
                    TokenFormat.parse(server.adminToken()).orElseThrow().id();
            RawHttp.Response rotateGlobal = call(
                    server,
                    scoped,
                    "POST",
                    "/api/v1/tokens/" + globalId + "/rotate",
                    "{\"otp\": \"" + admin.otp() + "\"}");
            assertThat(rotateGlobal.status()).isEqualTo(403);
            assertThat(rotateGlobal.body())
                    .contains("this token is limited to victim; it cannot manage a token for every project");
            assertThat(powers(server)).isEqualTo(before);
            JsonNode visible = JSON.readTree(
                            call(server, scoped, "GET", "/api/v1/tokens", null).body())
                    .path("tokens");
            assertThat(visible.findValuesAsText("project"))
                    .as("it lists only tokens of its project")
                    .containsOnly(PROJECT);

            // Inside its project it works, with the second factor, and the result is no wider than itself.
            RawHttp.Response created = call(
                    server,
                    scoped,
                    "POST",
                    "/api/v1/tokens",
                    "{\"permissions\": \"upload\", \"project\": \"victim\", \"otp\": \"" + admin.otp() + "\"}");
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            assertThat(JSON.readTree(created.body()).path("project").asText()).isEqualTo(PROJECT);
            // The global token manages everyone's, also for other users.
            RawHttp.Response forCi = call(
                    server,
                    server.adminToken(),
                    "POST",
                    "/api/v1/tokens",
                    "{\"permissions\": \"upload\", \"project\": \"victim\", \"user\": \"ci\", \"otp\": \"" + admin.otp()
                            + "\"}");
            assertThat(forCi.status()).as(forCi.body()).isEqualTo(201);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void enrolmentTicketsAreSingleUseExpireAndAResetRevokesTheOldFactor(String database) throws Exception {
        try (TestServer server = TestServer.start(database, dir.resolve("data"))) {
            Identity identity = server.app().identity();
            NewUser added = identity.addUser("ann", new RoleGrant(PROJECT, Role.APPROVER), "test");
            assertThat(Duration.between(server.clock().instant(), added.ticket().expires()))
                    .isBetween(Duration.ofHours(24).minusMinutes(1), Duration.ofHours(24));
            // Unused for 25 hours: expired.
            server.clock().advance(Duration.ofHours(25));
            RawHttp.Response late = RawHttp.send(
                    server.url(),
                    "POST",
                    "/api/v1/mfa/enroll",
                    Map.of("Content-Type", "application/json"),
                    ("{\"ticket\": \"" + added.ticket().secret() + "\"}").getBytes(StandardCharsets.UTF_8));
            assertThat(late.status()).isEqualTo(403);

            // A global admin issues a fresh one (with their own second factor); it enrols, once.
            CliRunner.Output reset = CliRunner.run(
                    "user",
                    "reset-mfa",
                    "ann",
                    "--otp",
                    server.admin().otp(),
                    "--server",
                    server.url(),
                    "--token",
                    server.adminToken());
            assertThat(reset.code()).as(reset.err()).isZero();
            String ticket = reset.out().trim();
            MfaEnrollment first = identity.enrollMfa(ticket, Origin.LOCAL);
            byte[] secret = Totp.fromBase32(first.secret());
            server.clock().advance(Duration.ofSeconds(30));
            identity.confirmMfa(
                    ticket, Totp.code(secret, Totp.step(server.clock().instant().getEpochSecond())), Origin.LOCAL);
            assertThat(identity.findUser("ann").orElseThrow().mfaEnabled()).isTrue();
            RawHttp.Response again = RawHttp.send(
                    server.url(),
                    "POST",
                    "/api/v1/mfa/enroll",
                    Map.of("Content-Type", "application/json"),
                    ("{\"ticket\": \"" + ticket + "\"}").getBytes(StandardCharsets.UTF_8));
            assertThat(again.status()).as("used up").isEqualTo(403);

            // Nobody resets their own factor over the API; the local operator's reset revokes the old one and is an
            // event.
            CliRunner.Output self = CliRunner.run(
                    "user",
                    "reset-mfa",
                    "admin",
                    "--otp",
                    server.admin().otp(),
                    "--server",
                    server.url(),
                    "--token",
                    server.adminToken());
            assertThat(self.err()).contains("nobody resets their own second factor");
            String approve = identity.createToken(
                            new TokenRequest("ann", null, PROJECT, Set.of(Permission.APPROVE), null), "test")
                    .secret();
            String[] local = concat(new String[] {"admin", "reset-mfa", "ann"}, server.localOptions());
            CliRunner.Output localReset = CliRunner.run(local);
            assertThat(localReset.code()).as(localReset.err()).isZero();
            assertThat(identity.findUser("ann").orElseThrow().mfaEnabled()).isFalse();
            server.clock().advance(Duration.ofSeconds(30));
            String oldFactorCode =
                    Totp.code(secret, Totp.step(server.clock().instant().getEpochSecond()));
            RawHttp.Response withOld = call(
                    server,
                    approve,
                    "POST",
                    "/api/v1/projects/" + PROJECT + "/releases/1.0/approve",
                    "{\"otp\": \"" + oldFactorCode + "\"}");
            assertThat(withOld.status()).isIn(403, 404);
            assertThat(server.events("MfaReset")).isEqualTo(2);
            // Issuing a new ticket voided the previous unused one. (The local command runs on the real
            // clock, which is behind this server's: its tickets are issued here on the server's clock.)
            String secondReset =
                    identity.resetSecondFactor("ann", "test", Origin.LOCAL).secret();
            assertThat(identity.enrollMfa(secondReset, Origin.LOCAL).secret()).isNotBlank();
            RawHttp.Response voided = RawHttp.send(
                    server.url(),
                    "POST",
                    "/api/v1/mfa/enroll",
                    Map.of("Content-Type", "application/json"),
                    ("{\"ticket\": \"" + localReset.out().trim() + "\"}").getBytes(StandardCharsets.UTF_8));
            assertThat(voided.status()).isEqualTo(403);
            // admin and ann when added, the API reset, the local reset, the last reset.
            assertThat(server.events("EnrolmentTicketIssued")).isEqualTo(5);
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
