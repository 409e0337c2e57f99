package dev.portcullis.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
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
        assertThat(github.mismatch(claims))
                .hasValue("trigger: pull_request runs code from outside the repository and may never publish");
        assertThatThrownBy(() -> new TrustedPublisher.GitHub("a", "1", "b", "../x.yml", null))
                .hasMessageContaining("workflow");
        assertThat(TrustedPublisher.fromConfig("github", github.config())).isEqualTo(github);
    }

    @Test
    void buildRulesAreCheckedOnTheExchangeClaimsAndStoredWithThePublisher() {
        BuildRules rules = new BuildRules("refs/tags/v*", List.of("push, release"), "github-hosted");
        TrustedPublisher github = new TrustedPublisher.GitHub("acme", "4242", "widget", "release.yml", "pypi", rules);
        Map<String, Object> claims = new HashMap<>(Map.of(
                "repository", "acme/widget",
                "repository_owner", "acme",
                "repository_owner_id", "4242",
                "job_workflow_ref", "acme/widget/.github/workflows/release.yml@refs/tags/v1.2.0",
                "environment", "pypi",
                "event_name", "push",
                "ref", "refs/tags/v1.2.0",
                "runner_environment", "github-hosted"));
        assertThat(github.mismatch(claims)).isEmpty();
        claims.put("ref", "refs/heads/main");
        assertThat(github.mismatch(claims)).hasValue("ref: built refs/heads/main, the publisher allows refs/tags/v*");
        claims.put("ref", "refs/tags/v1.2.0");
        claims.put("event_name", "workflow_dispatch");
        assertThat(github.mismatch(claims))
                .hasValue("trigger: started by workflow_dispatch, the publisher allows push, release");
        claims.put("event_name", "release");
        claims.put("runner_environment", "self-hosted");
        assertThat(github.mismatch(claims))
                .hasValue("runner: ran on self-hosted, the publisher requires github-hosted");
        claims.remove("runner_environment");
        assertThat(github.mismatch(claims))
                .hasValue("runner: ran on an unnamed runner, the publisher requires github-hosted");

        assertThat(github.describe())
                .isEqualTo("GitHub acme/widget release.yml (environment pypi; ref refs/tags/v*; triggers push, release;"
                        + " runner github-hosted)");
        assertThat(TrustedPublisher.fromConfig("github", github.config())).isEqualTo(github);
        assertThat(github.config()).containsEntry("triggers", "push,release");
    }

    @Test
    void withoutTriggersGitHubRefusesForkEventsAndWorkflowRunUnlessListed() {
        BuildRules.Build workflowRun = new BuildRules.Build("refs/heads/main", "workflow_run", "github-hosted");
        assertThat(BuildRules.NONE.mismatch(workflowRun, BuildRules.Platform.GITHUB))
                .hasValue("trigger: started by workflow_run, which publishes only when the publisher lists it in its"
                        + " triggers");
        assertThat(new BuildRules(null, List.of("workflow_run"), null)
                        .mismatch(workflowRun, BuildRules.Platform.GITHUB))
                .isEmpty();
        assertThat(BuildRules.NONE.mismatch(
                        new BuildRules.Build("refs/heads/main", "pull_request_target", null),
                        BuildRules.Platform.GITHUB))
                .hasValue("trigger: pull_request_target runs code from outside the repository and may never publish");
        assertThat(BuildRules.NONE.mismatch(new BuildRules.Build(null, null, null), BuildRules.Platform.GITHUB))
                .hasValue("trigger: the build does not say which event started it");
        // GitLab has no event that may never publish; without rules, anything goes.
        assertThat(BuildRules.NONE.mismatch(new BuildRules.Build(null, null, null), BuildRules.Platform.GITLAB))
                .isEmpty();
        assertThatThrownBy(() -> new TrustedPublisher.GitHub(
                        "a", "1", "b", "release.yml", null, new BuildRules(null, List.of("pull_request_target"), null)))
                .hasMessageContaining("may never publish");
        assertThatThrownBy(() -> new BuildRules("v*", List.of(), null)).hasMessageContaining("refs/tags/");
        assertThatThrownBy(() -> new BuildRules("refs/tags/*a*a*a*a*a", List.of(), null))
                .hasMessageContaining("at most 4 '*'");
        assertThatThrownBy(() -> new BuildRules(null, List.of(), "laptop")).hasMessageContaining("github-hosted");
        assertThatThrownBy(() -> new BuildRules(null, List.of("push; rm -rf"), null))
                .hasMessageContaining("event name");
    }

    @Test
    void refPatternsMatchWholeRefsWithStarForAnyRun() {
        assertThat(BuildRules.matches("refs/tags/v*", "refs/tags/v1.2.3")).isTrue();
        assertThat(BuildRules.matches("refs/tags/v*", "refs/tags/release-1")).isFalse();
        assertThat(BuildRules.matches("refs/tags/v*", "refs/heads/refs/tags/v1"))
                .isFalse();
        assertThat(BuildRules.matches("refs/heads/main", "refs/heads/main2")).isFalse();
        assertThat(BuildRules.matches("refs/heads/release/*", "refs/heads/release/2.x"))
                .isTrue();
        assertThat(BuildRules.matches("refs/tags/v1.(0)*", "refs/tags/v1.(0).1"))
                .isTrue();
        assertThat(BuildRules.matches("refs/tags/v1.(0)*", "refs/tags/v1x0x.1")).isFalse();
    }

    @Test
    void gitlabRulesReadTheFullRefFromRefAndRefType() {
        TrustedPublisher gitlab = new TrustedPublisher.GitLab(
                null, "acme/widget", ".gitlab-ci.yml", null, new BuildRules("refs/tags/v*", List.of("push"), null));
        Map<String, Object> claims = new HashMap<>(Map.of(
                "iss", "https://gitlab.com",
                "sub", "project_path:acme/widget:ref_type:tag:ref:v2.0.0",
                "project_path", "acme/widget",
                "ci_config_ref_uri", "gitlab.com/acme/widget//.gitlab-ci.yml@refs/tags/v2.0.0",
                "ref", "v2.0.0",
                "ref_type", "tag",
                "pipeline_source", "push"));
        assertThat(gitlab.mismatch(claims)).isEmpty();
        claims.put("ref_type", "branch");
        assertThat(gitlab.mismatch(claims)).hasValue("ref: built refs/heads/v2.0.0, the publisher allows refs/tags/v*");
        claims.put("ref_type", "tag");
        claims.put("pipeline_source", "schedule");
        assertThat(gitlab.mismatch(claims)).hasValue("trigger: started by schedule, the publisher allows push");
        assertThat(TrustedPublisher.fromConfig("gitlab", gitlab.config())).isEqualTo(gitlab);
    }
}
