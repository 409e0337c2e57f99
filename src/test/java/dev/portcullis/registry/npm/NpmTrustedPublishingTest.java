package dev.portcullis.registry.npm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.identity.OidcSettings;
import dev.portcullis.testing.CliRunner;
import dev.portcullis.testing.NpmClient;
import dev.portcullis.testing.Processes;
import dev.portcullis.testing.TestServer;
import java.nio.file.Path;
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
 * npm's trusted publishing with the real npm CLI as it runs in GitHub Actions: the job's OIDC token
 * (from a real OIDC provider, mock-oauth2-server) is exchanged for a one-package upload token, and
 * the publish is held like any other; a token for another registry's audience, another package, or
 * one presented twice gets nothing.
 */
class NpmTrustedPublishingTest {

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

    private static String idToken(String audience, String repository) {
        Map<String, Object> claims = new HashMap<>();
        claims.put("repository", repository);
        claims.put("repository_owner", repository.substring(0, repository.indexOf('/')));
        claims.put("repository_owner_id", "4242");
        claims.put("job_workflow_ref", repository + "/.github/workflows/release.yml@refs/tags/v1.0.0");
        claims.put("workflow_ref", repository + "/.github/workflows/release.yml@refs/tags/v1.0.0");
        claims.put("ref", "refs/tags/v1.0.0");
        claims.put("sha", "8d1f0c2");
        claims.put("run_id", "1001");
        claims.put("event_name", "push");
        claims.put("jti", UUID.randomUUID().toString());
        return oidc.issueToken(
                        "github",
                        "ci",
                        new DefaultOAuth2TokenCallback(
                                "github",
                                "repo:" + repository + ":ref:refs/tags/v1.0.0",
                                "JWT",
                                List.of(audience),
                                claims,
                                300))
                .serialize();
    }

    private static Map<String, String> githubActions(String idToken) {
        return Map.of(
                "GITHUB_ACTIONS", "true", "CI", "true", "NPM_ID_TOKEN", idToken, "npm_config_provenance", "false");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void aCiJobPublishesWithItsIdentityAndNoStoredToken(String database) throws Exception {
        try (TestServer server = TestServer.start(
                database,
                dir.resolve("data"),
                settings -> settings.withOidc(OidcSettings.DEFAULTS.withIssuers(
                        oidc.issuerUrl("github").toString(),
                        OidcSettings.DEFAULTS.gitlabIssuer(),
                        OidcSettings.DEFAULTS.googleIssuer())))) {
            CliRunner.Output added = CliRunner.run(
                    "publisher",
                    "add",
                    "npm:ci-built",
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
                    server.adminToken());
            assertThat(added.code()).as(added.err()).isZero();
            NpmClient ci = new NpmClient(dir.resolve("ci"), server.url(), null);
            String audience = "npm:127.0.0.1";

            Processes.Result published = ci.run(
                    githubActions(idToken(audience, "acme/widget")),
                    NpmClient.packageDir(dir, "ci-built", "1.0.0", "'ci'", null),
                    "publish");
            assertThat(published.exitCode()).as(published.output()).isZero();
            assertThat(published.output()).contains("held for approval");
            assertThat(server.app().catalog().findRelease("npm:ci-built", "1.0.0"))
                    .isPresent();
            assertThat(server.app()
                            .catalog()
                            .artifactsOf(server.app()
                                    .catalog()
                                    .findRelease("npm:ci-built", "1.0.0")
                                    .orElseThrow()
                                    .id()))
                    .singleElement()
                    .satisfies(a -> assertThat(a.viaTrustedPublisher()).isTrue());

            // Meant for another registry, from another repository, or presented twice: no token (npm then has none and
            // fails).
            String replayed = idToken(audience, "acme/widget");
            assertThat(ci.run(
                                    githubActions(replayed),
                                    NpmClient.packageDir(dir, "ci-built", "1.1.0", "1", null),
                                    "publish")
                            .exitCode())
                    .isZero();
            for (String refused : List.of(
                    idToken("npm:registry.npmjs.org", "acme/widget"), idToken(audience, "mallory/widget"), replayed)) {
                Processes.Result denied = ci.run(
                        githubActions(refused), NpmClient.packageDir(dir, "ci-built", "1.2.0", "2", null), "publish");
                assertThat(denied.exitCode()).as(denied.output()).isNotZero();
            }
            assertThat(server.app().catalog().findRelease("npm:ci-built", "1.2.0"))
                    .isEmpty();
            assertThat(server.events("PublishTokenRefused")).isGreaterThanOrEqualTo(3);
        }
    }
}
