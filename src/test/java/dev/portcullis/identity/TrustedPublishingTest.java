package dev.portcullis.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.portcullis.events.AlertSink;
import dev.portcullis.publish.PublishSettings;
import dev.portcullis.testing.CliRunner;
import dev.portcullis.testing.Processes;
import dev.portcullis.testing.PythonClients;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.StaticIssuer;
import dev.portcullis.testing.TestClock;
import dev.portcullis.testing.TestDatabases;
import dev.portcullis.testing.TestServer;
import dev.portcullis.testing.Uploads;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Trusted publishing against a real OIDC provider (mock-oauth2-server serves discovery and JWKS
 * over HTTP on loopback and signs GitHub-shaped tokens): exchange, upload with real twine, expiry,
 * and the negative suite — each with PyPI's error code, nothing minted, an event. SQLite and
 * PostgreSQL.
 */
class TrustedPublishingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROJECT = "widget";
    private static MockOAuth2Server oidc;

    @TempDir
    Path dir;

    @BeforeAll
    static void startProvider() {
        oidc = new MockOAuth2Server();
        oidc.start();
    }

    @AfterAll
    static void stopProvider() {
        oidc.shutdown();
    }

    private static String githubIssuer() {
        return oidc.issuerUrl("github").toString();
    }

    private static TestServer start(
            dev.portcullis.store.DatabaseSettings database,
            Path data,
            TestClock clock,
            dev.portcullis.testing.TestUser admin,
            List<AlertSink.Alert> alerts) {
        OidcSettings settings = OidcSettings.DEFAULTS.withIssuers(
                githubIssuer(), OidcSettings.DEFAULTS.gitlabIssuer(), OidcSettings.DEFAULTS.googleIssuer());
        return TestServer.start(
                database,
                data,
                PublishSettings.DEFAULT_MAX_FILE_BYTES,
                clock,
                admin,
                IdentitySettings.DEFAULTS,
                alerts::add,
                settings);
    }

    private TestServer start(String database, List<AlertSink.Alert> alerts) {
        Path data = dir.resolve("data");
        return start(TestDatabases.create(database, data), data, new TestClock(), null, alerts);
    }

    /** The claims GitHub Actions puts in an OIDC token for a tag push of acme/widget's release.yml. */
    private static Map<String, Object> github() {
        Map<String, Object> claims = new HashMap<>();
        claims.put("repository", "acme/widget");
        claims.put("repository_owner", "acme");
        claims.put("repository_owner_id", "4242");
        claims.put("job_workflow_ref", "acme/widget/.github/workflows/release.yml@refs/tags/v1.0.0");
        claims.put("workflow_ref", "acme/widget/.github/workflows/release.yml@refs/tags/v1.0.0");
        claims.put("ref", "refs/tags/v1.0.0");
        claims.put("sha", "8d1f0c2");
        claims.put("run_id", "1001");
        claims.put("event_name", "push");
        claims.put("environment", "pypi");
        claims.put("jti", UUID.randomUUID().toString());
        return claims;
    }

    private static String token(Map<String, Object> claims) {
        return token("github", "portcullis", claims, 300);
    }

    private static String token(String issuerId, String audience, Map<String, Object> claims, long expirySeconds) {
        return oidc.issueToken(
                        issuerId,
                        "ci",
                        new DefaultOAuth2TokenCallback(
                                issuerId,
                                "repo:acme/widget:environment:pypi",
                                "JWT",
                                audience == null ? null : List.of(audience),
                                claims,
                                expirySeconds))
                .serialize();
    }

    private static void addGithubPublisher(TestServer server, String project, String environment) {
        List<String> args = new ArrayList<>(List.of(
                "publisher",
                "add",
                project,
                "--github",
                "acme/widget",
                "--owner-id",
                "4242",
                "--workflow",
                "release.yml",
                "--otp",
                server.admin().otp(),
                "--server",
                server.url(),
                "--token",
                server.adminToken()));
        if (environment != null) {
            args.addAll(List.of("--environment", environment));
        }
        CliRunner.Output added = CliRunner.run(args.toArray(String[]::new));
        assertThat(added.code()).as(added.err()).isZero();
    }

    /** The alerts other than release notices (held / quarantined releases notify too). */
    private static List<AlertSink.Alert> securityAlerts(List<AlertSink.Alert> alerts) {
        return alerts.stream().filter(a -> !a.kind().startsWith("release.")).toList();
    }

    private static RawHttp.Response mint(TestServer server, String body) {
        return RawHttp.send(
                server.url(),
                "POST",
                "/_/oidc/mint-token",
                Map.of("Content-Type", "application/json"),
                body.getBytes(StandardCharsets.UTF_8));
    }

    private static RawHttp.Response mintJwt(TestServer server, String jwt) {
        return mint(server, "{\"token\": \"" + jwt + "\"}");
    }

    private static long minted(TestServer server) {
        return server.app()
                .database()
                .withHandle(h -> h.createQuery("SELECT COUNT(*) FROM publish_tokens")
                        .mapTo(Long.class)
                        .one());
    }

    /** The same exchange from a Maven release job: the minted token is settings.xml's password, no stored token exists. */
    @org.junit.jupiter.api.Test
    void aMavenReleaseJobDeploysWithTheMintedToken() throws Exception {
        String group = "test.portcullis.tp"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        String project = "maven:" + group + ":demo";
        List<AlertSink.Alert> alerts = Collections.synchronizedList(new ArrayList<>());
        try (TestServer server = start("sqlite", alerts)) {
            addGithubPublisher(server, project, null);
            RawHttp.Response response = mintJwt(server, token(github()));
            assertThat(response.status()).as(response.body()).isEqualTo(200);
            String minted = JSON.readTree(response.body()).path("token").asText();

            dev.portcullis.testing.MavenClient maven =
                    new dev.portcullis.testing.MavenClient(dir.resolve("client"), server.url(), minted);
            Path build = dev.portcullis.testing.MavenClient.jarProject(
                    dir.resolve("demo"), group, "1.0", maven.repository());
            Processes.Result deployed = maven.run(build, "deploy", "-Dmaven.install.skip=true");
            assertThat(deployed.exitCode()).as(deployed.output()).isZero();

            JsonNode release = server.release(project, "1.0");
            assertThat(release.path("state").asText()).isEqualTo("held");
            assertThat(release.path("files").findValuesAsText("credential"))
                    .containsOnly("trusted-publisher")
                    .hasSize(2);
            assertThat(securityAlerts(alerts))
                    .as("a trusted publisher's deploy raises nothing (its release notice aside)")
                    .isEmpty();
            RawHttp.Response other = RawHttp.send(
                    server.url(),
                    "PUT",
                    "/maven2/org/example/other/1.0/other-1.0.pom",
                    Map.of("Authorization", RawHttp.basic(minted)),
                    "<project/>".getBytes(StandardCharsets.UTF_8));
            assertThat(other.status())
                    .as("the minted token covers only the projects that trust the workflow")
                    .isEqualTo(403);
        } finally {
            dev.portcullis.testing.MavenClient.forget(group);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void ciExchangesItsIdentityForAFifteenMinuteTokenThatTwineUploadsWith(String database) throws Exception {
        List<AlertSink.Alert> alerts = Collections.synchronizedList(new ArrayList<>());
        try (TestServer server = start(database, alerts)) {
            addGithubPublisher(server, PROJECT, "pypi");
            RawHttp.Response audience = RawHttp.send(server.url(), "GET", "/_/oidc/audience", Map.of(), null);
            assertThat(audience.body()).isEqualTo("{\"audience\":\"portcullis\"}");

            RawHttp.Response response = mintJwt(server, token(github()));
            assertThat(response.status()).as(response.body()).isEqualTo(200);
            JsonNode body = JSON.readTree(response.body());
            assertThat(body.path("success").asBoolean()).isTrue();
            String minted = body.path("token").asText();
            assertThat(TokenFormat.parse(minted).orElseThrow().kind()).isEqualTo(TokenFormat.Kind.PUBLISH);
            assertThat(body.path("expires").asLong())
                    .isCloseTo(
                            server.clock()
                                    .instant()
                                    .plus(Duration.ofMinutes(15))
                                    .getEpochSecond(),
                            org.assertj.core.data.Offset.offset(5L));

            Path dist = PythonClients.buildSample(PROJECT, "1.0.0");
            Processes.Result twine = PythonClients.twineUpload(
                    server.url(), minted, PythonClients.wheel(dist), PythonClients.sdist(dist));
            assertThat(twine.exitCode()).as(twine.output()).isZero();
            String identity = server.app()
                    .database()
                    .withHandle(h -> h.createQuery(
                                    "SELECT publisher_identity FROM release_files WHERE filename LIKE '%.whl'")
                            .mapTo(String.class)
                            .one());
            JsonNode who = JSON.readTree(identity);
            assertThat(who.path("kind").asText()).isEqualTo("github");
            assertThat(who.path("claims").path("repository").asText()).isEqualTo("acme/widget");
            assertThat(who.path("claims").path("job_workflow_ref").asText())
                    .startsWith("acme/widget/.github/workflows/release.yml@");
            assertThat(who.path("claims").path("sha").asText()).isEqualTo("8d1f0c2");
            assertThat(who.path("claims").path("run_id").asText()).isEqualTo("1001");
            assertThat(server.events("PublishTokenMinted")).isEqualTo(1);
            assertThat(server.app()
                            .events()
                            .list(PROJECT, "UploadStaged", 0, 10)
                            .getFirst()
                            .details())
                    .contains("\"credential\":\"trusted-publisher\"");
            assertThat(securityAlerts(alerts))
                    .as("a trusted publisher's upload raises nothing (its release notice aside)")
                    .isEmpty();

            // Upload only: it cannot approve, and covers only its project.
            assertThat(server.decideWith(minted, PROJECT, "1.0.0", "approve", "123456")
                            .status())
                    .isEqualTo(403);
            RawHttp.Response elsewhere = RawHttp.upload(
                    server.url(),
                    minted,
                    Uploads.wheelForm("other", "1.0", Uploads.wheelName("other", "1.0"), Uploads.wheel("other", "1.0"))
                            .build());
            assertThat(elsewhere.status()).isEqualTo(403);
            assertThat(elsewhere.reason()).contains("isn't allowed to upload to project 'other'");

            server.clock().advance(Duration.ofMinutes(16));
            RawHttp.Response late = RawHttp.upload(
                    server.url(),
                    minted,
                    Uploads.wheelForm(
                                    PROJECT,
                                    "1.0.1",
                                    Uploads.wheelName(PROJECT, "1.0.1"),
                                    Uploads.wheel(PROJECT, "1.0.1"))
                            .build());
            assertThat(late.status()).isEqualTo(403);
            assertThat(late.reason()).contains("token expired at");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void refusesForgedExpiredReplayedAndForeignTokensWithPypisErrorCodes(String database) throws Exception {
        try (TestServer server = start(database, new ArrayList<>())) {
            addGithubPublisher(server, PROJECT, "pypi");
            RSAKey attacker = new RSAKeyGenerator(2048).keyID("github").generate();
            String publicKeyJson = JWKSet.load(
                            URI.create(oidc.jwksUrl("github").toString()).toURL())
                    .getKeys()
                    .getFirst()
                    .toPublicJWK()
                    .toJSONString();
            JWTClaimsSet valid = JWTClaimsSet.parse(
                    SignedJWT.parse(token(github())).getJWTClaimsSet().toJSONObject());

            expect(server, "invalid-token", "the token is not signed", new PlainJWT(valid).serialize());
            SignedJWT hmac = new SignedJWT(
                    new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("github").build(), valid);
            hmac.sign(new MACSigner(publicKeyJson.getBytes(StandardCharsets.UTF_8)));
            expect(server, "invalid-token", "algorithm HS256 is not accepted", hmac.serialize());
            SignedJWT unknownKid = new SignedJWT(
                    new JWSHeader.Builder(JWSAlgorithm.RS256)
                            .keyID("rotated-away")
                            .build(),
                    valid);
            unknownKid.sign(new RSASSASigner(attacker));
            expect(server, "invalid-token", "unknown signing key rotated-away", unknownKid.serialize());
            SignedJWT forged = new SignedJWT(
                    new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("github").build(), valid);
            forged.sign(new RSASSASigner(attacker));
            expect(server, "invalid-token", "bad signature", forged.serialize());

            expect(
                    server,
                    "invalid-payload",
                    "unknown trusted publishing issuer",
                    token("elsewhere", "portcullis", github(), 300));
            expect(server, "invalid-token", "audience [pypi]", token("github", "pypi", github(), 300));
            expect(server, "invalid-token", "audience", token("github", null, github(), 300));
            Map<String, Object> future = github();
            future.put(
                    "nbf",
                    new Date(server.clock()
                            .instant()
                            .plus(Duration.ofMinutes(10))
                            .toEpochMilli()));
            expect(server, "invalid-token", "not valid before", token(future));
            String shortLived = token("github", "portcullis", github(), 1);
            server.clock().advance(Duration.ofMinutes(2));
            expect(server, "invalid-token", "expired at", shortLived);

            Map<String, Object> repo = github();
            repo.put("repository", "mallory/widget");
            expect(server, "invalid-publisher", "repository is mallory/widget", token(repo));
            Map<String, Object> resurrected = github();
            resurrected.put("repository_owner_id", "9999");
            expect(server, "invalid-publisher", "repository_owner_id is 9999", token(resurrected));
            Map<String, Object> workflow = github();
            workflow.put("job_workflow_ref", "acme/widget/.github/workflows/ci.yml@refs/heads/main");
            expect(
                    server,
                    "invalid-publisher",
                    "job_workflow_ref is acme/widget/.github/workflows/ci.yml",
                    token(workflow));
            Map<String, Object> environment = github();
            environment.put("environment", "staging");
            expect(server, "invalid-publisher", "environment is staging, not pypi", token(environment));
            Map<String, Object> prTarget = github();
            prTarget.put("event_name", "pull_request_target");
            expect(
                    server,
                    "invalid-publisher",
                    "trigger: pull_request_target runs code from outside the repository and may never publish",
                    token(prTarget));

            expectBody(server, "invalid-payload", "{\"token\": ");
            expectBody(server, "invalid-payload", "{\"token\": 42}");
            expectBody(server, "invalid-payload", "{\"token\": \"" + "x".repeat(70 * 1024) + "\"}");
            expect(server, "invalid-payload", "malformed JWT", "not-a-jwt");

            // Replay: the same CI token twice, also on a second server process sharing the database.
            String once = token(github());
            assertThat(mintJwt(server, once).status()).isEqualTo(200);
            expect(server, "invalid-reuse-token", "already used", once);
            String twice = token(github());
            try (TestServer second = start(
                    server.app().settings().database(),
                    dir.resolve("data"),
                    server.clock(),
                    server.admin(),
                    new ArrayList<>())) {
                assertThat(mintJwt(second, twice).status()).isEqualTo(200);
            }
            expect(server, "invalid-reuse-token", "already used", twice);
            assertThat(minted(server))
                    .as("only the two genuine exchanges minted")
                    .isEqualTo(2);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void aProjectWithATrustedPublisherFlagsOrRefusesLongLivedTokenUploads(String database) {
        List<AlertSink.Alert> alerts = Collections.synchronizedList(new ArrayList<>());
        try (TestServer server = start(database, alerts)) {
            addGithubPublisher(server, PROJECT, null);
            String stolen =
                    server.token("maintainer", dev.portcullis.identity.Role.MAINTAINER, PROJECT, Permission.UPLOAD);
            RawHttp.Response flagged = RawHttp.upload(
                    server.url(),
                    stolen,
                    Uploads.wheelForm(
                                    PROJECT,
                                    "2.6.2",
                                    Uploads.wheelName(PROJECT, "2.6.2"),
                                    Uploads.wheel(PROJECT, "2.6.2"))
                            .build());
            assertThat(flagged.status()).as("allowed by default, but loud").isEqualTo(200);
            assertThat(securityAlerts(alerts))
                    .extracting(AlertSink.Alert::kind)
                    .containsExactly("TokenUploadToTrustedProject");
            assertThat(server.app()
                            .events()
                            .list(PROJECT, "TokenUploadToTrustedProject", 0, 10)
                            .getFirst()
                            .details())
                    .contains("\"severity\":\"high\"");

            CliRunner.Output deny = CliRunner.run(
                    "publisher",
                    "token-uploads",
                    PROJECT,
                    "deny",
                    "--otp",
                    server.admin().otp(),
                    "--server",
                    server.url(),
                    "--token",
                    server.adminToken());
            assertThat(deny.code()).as(deny.err()).isZero();
            TestServer.Snapshot before = server.snapshot();
            RawHttp.Response refused = RawHttp.upload(
                    server.url(),
                    stolen,
                    Uploads.wheelForm(
                                    PROJECT,
                                    "2.6.3",
                                    Uploads.wheelName(PROJECT, "2.6.3"),
                                    Uploads.wheel(PROJECT, "2.6.3"))
                            .build());
            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.reason()).contains("accepts uploads only from its trusted publishers");
            assertThat(server.snapshot()).isEqualTo(before);
            assertThat(securityAlerts(alerts)).hasSize(2);

            CliRunner.Output listed = CliRunner.run(
                    "publisher", "list", PROJECT, "--server", server.url(), "--token", server.adminToken());
            assertThat(listed.out())
                    .contains("long-lived token uploads deny")
                    .contains("GitHub acme/widget release.yml");
        }
    }

    /** A publisher's build rules at the exchange: only a tag build, started by a push or a release, on GitHub's runners. */
    @org.junit.jupiter.api.Test
    void aPublishersBuildRulesRefuseOtherRunsOfTheRightWorkflow() throws Exception {
        try (TestServer server = start("sqlite", new java.util.concurrent.CopyOnWriteArrayList<>())) {
            CliRunner.Output added = CliRunner.run(
                    "publisher",
                    "add",
                    PROJECT,
                    "--github",
                    "acme/widget",
                    "--owner-id",
                    "4242",
                    "--workflow",
                    "release.yml",
                    "--ref",
                    "refs/tags/v*",
                    "--trigger",
                    "push,release",
                    "--runner",
                    "github-hosted",
                    "--otp",
                    server.admin().otp(),
                    "--server",
                    server.url(),
                    "--token",
                    server.adminToken());
            assertThat(added.code()).as(added.err()).isZero();
            assertThat(added.out())
                    .contains("GitHub acme/widget release.yml (ref refs/tags/v*; triggers push, release; runner"
                            + " github-hosted)");
            Map<String, Object> branch = github();
            branch.put("runner_environment", "github-hosted");
            branch.put("ref", "refs/heads/main");
            expect(
                    server,
                    "invalid-publisher",
                    "ref: built refs/heads/main, the publisher allows refs/tags/v*",
                    token(branch));
            Map<String, Object> dispatched = github();
            dispatched.put("runner_environment", "github-hosted");
            dispatched.put("event_name", "workflow_dispatch");
            expect(
                    server,
                    "invalid-publisher",
                    "trigger: started by workflow_dispatch, the publisher allows push, release",
                    token(dispatched));
            Map<String, Object> selfHosted = github();
            selfHosted.put("runner_environment", "self-hosted");
            expect(
                    server,
                    "invalid-publisher",
                    "runner: ran on self-hosted, the publisher requires github-hosted",
                    token(selfHosted));
            Map<String, Object> release = github();
            release.put("runner_environment", "github-hosted");
            RawHttp.Response minted = mintJwt(server, token(release));
            assertThat(minted.status()).as(minted.body()).isEqualTo(200);
        }
    }

    /** A GitHub-shaped token without {@code jti} cannot be made single-use: refused (own issuer, since the mock always adds one). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void githubTokensWithoutAJwtIdAreRefused(String database) throws Exception {
        try (StaticIssuer issuer = new StaticIssuer()) {
            Path data = dir.resolve("data");
            OidcSettings settings = OidcSettings.DEFAULTS.withIssuers(
                    issuer.issuer(), OidcSettings.DEFAULTS.gitlabIssuer(), OidcSettings.DEFAULTS.googleIssuer());
            TestClock clock = new TestClock();
            try (TestServer server = TestServer.start(
                    TestDatabases.create(database, data),
                    data,
                    PublishSettings.DEFAULT_MAX_FILE_BYTES,
                    clock,
                    null,
                    IdentitySettings.DEFAULTS,
                    AlertSink.logging(),
                    settings)) {
                addGithubPublisher(server, PROJECT, "pypi");
                JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                        .issuer(issuer.issuer())
                        .audience("portcullis")
                        .issueTime(new Date(clock.millis()))
                        .expirationTime(new Date(clock.millis() + 300_000));
                github().forEach((k, v) -> {
                    if (!k.equals("jti")) {
                        claims.claim(k, v);
                    }
                });
                expect(server, "invalid-token", "jti is required", issuer.sign(claims.build()));
                claims.jwtID(UUID.randomUUID().toString());
                assertThat(mintJwt(server, issuer.sign(claims.build())).status())
                        .as("the same token with a jti is accepted")
                        .isEqualTo(200);
            }
        }
    }

    private static void expect(TestServer server, String code, String description, String jwt) throws Exception {
        assertRefused(server, code, description, () -> mintJwt(server, jwt));
    }

    private static void expectBody(TestServer server, String code, String body) throws Exception {
        assertRefused(server, code, "malformed request body", () -> mint(server, body));
    }

    private static void assertRefused(
            TestServer server, String code, String description, java.util.function.Supplier<RawHttp.Response> call)
            throws Exception {
        long before = minted(server);
        long events = server.events("PublishTokenRefused");
        RawHttp.Response response = call.get();
        assertThat(response.status()).as(response.body()).isEqualTo(422);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("message").asText()).isEqualTo("Token request failed");
        assertThat(body.path("errors").get(0).path("code").asText()).isEqualTo(code);
        assertThat(body.path("errors").get(0).path("description").asText()).contains(description);
        assertThat(minted(server)).isEqualTo(before);
        assertThat(server.events("PublishTokenRefused")).isEqualTo(events + 1);
    }
}
