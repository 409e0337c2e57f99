package dev.portcullis.identity;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A CI identity allowed to publish a project, and the claim checks that recognise it (the rules
 * PyPI applies, warehouse/oidc/models; docs/TRUSTED-PUBLISHING.md lists them).
 */
public sealed interface TrustedPublisher {

    String kind();

    /** The issuer whose tokens this publisher accepts. */
    String issuer(OidcSettings settings);

    /** The audience its tokens must carry (only a generic issuer may name its own). */
    default String audience(OidcSettings settings) {
        return settings.audience();
    }

    /** Empty when the claims are this publisher's; otherwise why not (shown to the CI job). */
    Optional<String> mismatch(Map<String, Object> claims);

    /** The fields stored for this publisher. */
    Map<String, String> config();

    /** What this publisher's release builds must look like ({@link BuildRules#NONE} where the platform has none). */
    default BuildRules rules() {
        return BuildRules.NONE;
    }

    String describe();

    /** GitHub Actions: a workflow file in a repository, optionally pinned to an environment, with its build rules. */
    record GitHub(
            String owner, String ownerId, String repository, String workflow, String environment, BuildRules rules)
            implements TrustedPublisher {

        public GitHub(String owner, String ownerId, String repository, String workflow, String environment) {
            this(owner, ownerId, repository, workflow, environment, BuildRules.NONE);
        }

        public GitHub {
            require(owner, "owner");
            require(ownerId, "owner id");
            require(repository, "repository");
            require(workflow, "workflow");
            if (!workflow.endsWith(".yml") && !workflow.endsWith(".yaml") || workflow.contains("/")) {
                throw new dev.portcullis.core.Refusal.Invalid(
                        "the workflow is a file name in .github/workflows ending in .yml or .yaml");
            }
            environment = blankToNull(environment);
            rules = (rules == null ? BuildRules.NONE : rules).checkedFor(BuildRules.Platform.GITHUB);
        }

        @Override
        public String kind() {
            return "github";
        }

        @Override
        public String issuer(OidcSettings settings) {
            return settings.githubIssuer();
        }

        @Override
        public Optional<String> mismatch(Map<String, Object> claims) {
            String repo = owner + "/" + repository;
            if (!repo.equalsIgnoreCase(text(claims, "repository"))) {
                return Optional.of("repository is " + text(claims, "repository") + ", not " + repo);
            }
            if (!owner.equals(text(claims, "repository_owner"))) {
                return Optional.of("repository_owner is " + text(claims, "repository_owner"));
            }
            if (!ownerId.equals(text(claims, "repository_owner_id"))) {
                return Optional.of("repository_owner_id is " + text(claims, "repository_owner_id") + ", not " + ownerId
                        + " (an account of the same name that was deleted and re-created is another owner)");
            }
            String expected = repo + "/.github/workflows/" + workflow + "@";
            String workflowRef = text(claims, "job_workflow_ref");
            if (workflowRef == null || !workflowRef.regionMatches(true, 0, expected, 0, expected.length())) {
                return Optional.of("job_workflow_ref is " + workflowRef + ", not " + expected + "<ref>");
            }
            if (environment != null && !environment.equalsIgnoreCase(text(claims, "environment"))) {
                return Optional.of("environment is " + text(claims, "environment") + ", not " + environment);
            }
            return rules.mismatch(
                    new BuildRules.Build(
                            text(claims, "ref"), text(claims, "event_name"), text(claims, "runner_environment")),
                    BuildRules.Platform.GITHUB);
        }

        @Override
        public Map<String, String> config() {
            Map<String, String> out = fields(
                    "owner",
                    owner,
                    "owner_id",
                    ownerId,
                    "repository",
                    repository,
                    "workflow",
                    workflow,
                    "environment",
                    environment);
            out.putAll(rules.config());
            return out;
        }

        @Override
        public String describe() {
            return "GitHub " + owner + "/" + repository + " " + workflow + details(environment, rules);
        }
    }

    /** GitLab CI: a project's CI config file, on gitlab.com or a self-managed instance, with its build rules. */
    record GitLab(String issuerUrl, String projectPath, String ciConfigPath, String environment, BuildRules rules)
            implements TrustedPublisher {

        public GitLab(String issuerUrl, String projectPath, String ciConfigPath, String environment) {
            this(issuerUrl, projectPath, ciConfigPath, environment, BuildRules.NONE);
        }

        public GitLab {
            require(projectPath, "namespace/project");
            require(ciConfigPath, "CI config path");
            issuerUrl = blankToNull(issuerUrl);
            environment = blankToNull(environment);
            rules = (rules == null ? BuildRules.NONE : rules).checkedFor(BuildRules.Platform.GITLAB);
        }

        @Override
        public String kind() {
            return "gitlab";
        }

        @Override
        public String issuer(OidcSettings settings) {
            return issuerUrl != null ? issuerUrl : settings.gitlabIssuer();
        }

        @Override
        public Optional<String> mismatch(Map<String, Object> claims) {
            String sub = text(claims, "sub");
            if (sub == null
                    || !sub.toLowerCase(Locale.ROOT)
                            .startsWith("project_path:" + projectPath.toLowerCase(Locale.ROOT) + ":")) {
                return Optional.of("sub is " + sub);
            }
            if (!projectPath.equalsIgnoreCase(text(claims, "project_path"))) {
                return Optional.of("project_path is " + text(claims, "project_path"));
            }
            String host = java.net
                    .URI
                    .create(text(claims, "iss") == null ? "https://invalid" : text(claims, "iss"))
                    .getAuthority();
            String expected = host + "/" + projectPath + "//" + ciConfigPath + "@";
            String ref = text(claims, "ci_config_ref_uri");
            if (ref == null || !ref.regionMatches(true, 0, expected, 0, expected.length())) {
                return Optional.of("ci_config_ref_uri is " + ref + ", not " + expected + "<ref>");
            }
            if (environment != null && !environment.equals(text(claims, "environment"))) {
                return Optional.of("environment is " + text(claims, "environment") + ", not " + environment);
            }
            String gitRef = text(claims, "ref");
            String fullRef = gitRef == null
                    ? null
                    : "refs/" + ("tag".equals(text(claims, "ref_type")) ? "tags/" : "heads/") + gitRef;
            return rules.mismatch(
                    new BuildRules.Build(fullRef, text(claims, "pipeline_source"), text(claims, "runner_environment")),
                    BuildRules.Platform.GITLAB);
        }

        @Override
        public Map<String, String> config() {
            Map<String, String> out = fields(
                    "issuer",
                    issuerUrl,
                    "project_path",
                    projectPath,
                    "ci_config_path",
                    ciConfigPath,
                    "environment",
                    environment);
            out.putAll(rules.config());
            return out;
        }

        @Override
        public String describe() {
            return "GitLab " + projectPath + " " + ciConfigPath + details(environment, rules);
        }
    }

    /** A Google Cloud service account. */
    record Google(String email, String sub) implements TrustedPublisher {
        public Google {
            require(email, "email");
            sub = blankToNull(sub);
        }

        @Override
        public String kind() {
            return "google";
        }

        @Override
        public String issuer(OidcSettings settings) {
            return settings.googleIssuer();
        }

        @Override
        public Optional<String> mismatch(Map<String, Object> claims) {
            if (!email.equals(text(claims, "email"))) {
                return Optional.of("email is " + text(claims, "email"));
            }
            if (!Boolean.TRUE.equals(claims.get("email_verified"))) {
                return Optional.of("email_verified is not true");
            }
            if (sub != null && !sub.equals(text(claims, "sub"))) {
                return Optional.of("sub is " + text(claims, "sub"));
            }
            return Optional.empty();
        }

        @Override
        public Map<String, String> config() {
            return fields("email", email, "sub", sub);
        }

        @Override
        public String describe() {
            return "Google service account " + email;
        }
    }

    /**
     * Any other OIDC issuer (Buildkite, CircleCI, Jenkins, Forgejo, …): its URL, the audience its
     * tokens carry, and claims that must equal given values. At least one claim is required, so an
     * issuer alone ("anyone with a token from this CI") never counts.
     */
    record Generic(String issuerUrl, String audienceValue, Map<String, String> claims) implements TrustedPublisher {
        public Generic {
            require(issuerUrl, "issuer URL");
            audienceValue = blankToNull(audienceValue);
            claims = Map.copyOf(Objects.requireNonNull(claims, "claims"));
            if (claims.isEmpty()) {
                throw new dev.portcullis.core.Refusal.Invalid(
                        "a generic publisher needs at least one claim equality (e.g. sub=...)");
            }
        }

        @Override
        public String kind() {
            return "generic";
        }

        @Override
        public String issuer(OidcSettings settings) {
            return issuerUrl;
        }

        @Override
        public String audience(OidcSettings settings) {
            return audienceValue != null ? audienceValue : settings.audience();
        }

        @Override
        public Optional<String> mismatch(Map<String, Object> presented) {
            for (Map.Entry<String, String> e : new java.util.TreeMap<>(claims).entrySet()) {
                if (!e.getValue().equals(text(presented, e.getKey()))) {
                    return Optional.of(e.getKey() + " is " + text(presented, e.getKey()));
                }
            }
            return Optional.empty();
        }

        @Override
        public Map<String, String> config() {
            Map<String, String> out = new LinkedHashMap<>(fields("issuer", issuerUrl, "audience", audienceValue));
            new java.util.TreeMap<>(claims).forEach((k, v) -> out.put("claim." + k, v));
            return out;
        }

        @Override
        public String describe() {
            return "OIDC issuer " + issuerUrl + " with " + new java.util.TreeMap<>(claims);
        }
    }

    /** Rebuilds a stored publisher. */
    static TrustedPublisher fromConfig(String kind, Map<String, String> c) {
        return switch (kind) {
            case "github" ->
                new GitHub(
                        c.get("owner"),
                        c.get("owner_id"),
                        c.get("repository"),
                        c.get("workflow"),
                        c.get("environment"),
                        BuildRules.fromConfig(c));
            case "gitlab" ->
                new GitLab(
                        c.get("issuer"),
                        c.get("project_path"),
                        c.get("ci_config_path"),
                        c.get("environment"),
                        BuildRules.fromConfig(c));
            case "google" -> new Google(c.get("email"), c.get("sub"));
            case "generic" -> {
                Map<String, String> claims = new LinkedHashMap<>();
                c.forEach((k, v) -> {
                    if (k.startsWith("claim.")) {
                        claims.put(k.substring(6), v);
                    }
                });
                yield new Generic(c.get("issuer"), c.get("audience"), claims);
            }
            default -> throw new IllegalStateException("unknown publisher kind " + kind);
        };
    }

    /** " (environment pypi; ref refs/tags/v*; …)", or empty when there is nothing to say. */
    private static String details(String environment, BuildRules rules) {
        String all = (environment == null ? "" : "; environment " + environment) + rules.describe();
        return all.isEmpty() ? "" : " (" + all.substring(2) + ")";
    }

    private static String text(Map<String, Object> claims, String name) {
        Object value = claims.get(name);
        return value == null ? null : String.valueOf(value);
    }

    private static void require(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new dev.portcullis.core.Refusal.Invalid("the " + what + " is required");
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static Map<String, String> fields(String... pairs) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] != null) {
                out.put(pairs[i], pairs[i + 1]);
            }
        }
        return out;
    }
}
