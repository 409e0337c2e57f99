package dev.portcullis.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The claim rules of each publisher kind (PyPI's, warehouse/oidc/models). */
class TrustedPublisherTest {

    @Test
    void gitlabMatchesProjectPathAndCiConfigOnItsOwnHost() {
        TrustedPublisher gitlab = new TrustedPublisher.GitLab(null, "acme/widget", ".gitlab-ci.yml", "release");
        Map<String, Object> claims = new HashMap<>(Map.of(
                "iss", "https://gitlab.com",
                "sub", "project_path:acme/widget:ref_type:tag:ref:v1.0.0",
                "project_path", "acme/widget",
                "ci_config_ref_uri", "gitlab.com/acme/widget//.gitlab-ci.yml@refs/tags/v1.0.0",
                "environment", "release"));
        assertThat(gitlab.mismatch(claims)).isEmpty();
        assertThat(gitlab.issuer(OidcSettings.DEFAULTS)).isEqualTo("https://gitlab.com");

        claims.put("environment", "Release");
        assertThat(gitlab.mismatch(claims)).hasValue("environment is Release, not release"); // case-sensitive on GitLab
        claims.put("environment", "release");
        claims.put("ci_config_ref_uri", "gitlab.com/acme/widget//other.yml@refs/tags/v1.0.0");
        assertThat(gitlab.mismatch(claims)).get().asString().startsWith("ci_config_ref_uri is");
        claims.put("ci_config_ref_uri", "gitlab.com/acme/widget//.gitlab-ci.yml@refs/tags/v1.0.0");
        claims.put("sub", "project_path:acme/widget-evil:ref_type:tag");
        assertThat(gitlab.mismatch(claims)).get().asString().startsWith("sub is");

        TrustedPublisher selfManaged =
                new TrustedPublisher.GitLab("https://git.example.org", "acme/widget", ".gitlab-ci.yml", null);
        assertThat(selfManaged.issuer(OidcSettings.DEFAULTS)).isEqualTo("https://git.example.org");
    }

    @Test
    void googleNeedsAVerifiedEmailAndTheSubWhenPinned() {
        TrustedPublisher google = new TrustedPublisher.Google("release@acme.iam.gserviceaccount.com", "1234");
        Map<String, Object> claims = new HashMap<>(
                Map.of("email", "release@acme.iam.gserviceaccount.com", "email_verified", true, "sub", "1234"));
        assertThat(google.mismatch(claims)).isEmpty();
        claims.put("email_verified", false);
        assertThat(google.mismatch(claims)).hasValue("email_verified is not true");
        claims.put("email_verified", true);
        claims.put("sub", "9999");
        assertThat(google.mismatch(claims)).hasValue("sub is 9999");
    }

    @Test
    void aGenericIssuerMatchesEveryConfiguredClaimAndNeedsAtLeastOne() {
        TrustedPublisher generic = new TrustedPublisher.Generic(
                "https://agent.buildkite.com",
                "pypi-publish",
                Map.of("organization_slug", "acme", "pipeline_slug", "widget-release"));
        assertThat(generic.audience(OidcSettings.DEFAULTS)).isEqualTo("pypi-publish");
        assertThat(generic.mismatch(Map.of("organization_slug", "acme", "pipeline_slug", "widget-release")))
                .isEmpty();
        assertThat(generic.mismatch(Map.of("organization_slug", "acme", "pipeline_slug", "other")))
                .hasValue("pipeline_slug is other");
        assertThatThrownBy(() -> new TrustedPublisher.Generic("https://agent.buildkite.com", null, Map.of()))
                .hasMessageContaining("at least one claim");
        assertThat(TrustedPublisher.fromConfig("generic", generic.config())).isEqualTo(generic);
    }

    @Test
    void githubRulesRejectUntrustedEventsAndCheckTheWorkflowCaseInsensitively() {
        TrustedPublisher github = new TrustedPublisher.GitHub("Acme", "4242", "widget", "release.yml", null);
        Map<String, Object> claims = new HashMap<>(Map.of(
                "repository",
                "acme/Widget",
                "repository_owner",
                "Acme",
                "repository_owner_id",
                "4242",
                "job_workflow_ref",
                "acme/widget/.github/workflows/release.yml@refs/heads/main",
                "event_name",
                "release"));
        assertThat(github.mismatch(claims)).isEmpty();
        claims.put("event_name", "pull_request");
        assertThat(github.mismatch(claims)).hasValue("event_name pull_request may not publish");
        assertThatThrownBy(() -> new TrustedPublisher.GitHub("a", "1", "b", "../x.yml", null))
                .hasMessageContaining("workflow");
        assertThat(TrustedPublisher.fromConfig("github", github.config())).isEqualTo(github);
    }
}
