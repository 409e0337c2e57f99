package dev.portcullis.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Trusted publishers of a project (over the API; changes need the owner's fresh second factor). */
@Command(
        name = "publisher",
        description = "Trusted publishers: CI identities that may publish a project without a stored secret.",
        subcommands = {
            PublisherCommand.Add.class,
            PublisherCommand.ListPublishers.class,
            PublisherCommand.Remove.class,
            PublisherCommand.TokenUploads.class
        })
final class PublisherCommand {

    @Command(name = "add", description = "Register a CI identity as a trusted publisher of PROJECT.")
    static final class Add implements Callable<Integer> {
        @Mixin
        ServerOptions server;

        @Parameters(index = "0", paramLabel = "PROJECT")
        String project;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Kind kind;

        @Option(
                names = "--owner-id",
                description = "GitHub: the numeric id of the repository owner (blocks re-created accounts).")
        String ownerId;

        @Option(
                names = "--workflow",
                description = "GitHub: workflow file name in .github/workflows, e.g. release.yml.")
        String workflow;

        @Option(names = "--environment", description = "GitHub/GitLab: the deployment environment the job must run in.")
        String environment;

        @Option(
                names = "--ref",
                paramLabel = "PATTERN",
                description = "GitHub/GitLab: the git ref a release build must build, * for any run of characters,"
                        + " e.g. refs/tags/v*.")
        String ref;

        @Option(
                names = "--trigger",
                paramLabel = "EVENT",
                split = ",",
                description = "GitHub/GitLab: an event allowed to start a release build (push, release,"
                        + " workflow_dispatch, …). Repeatable. Default: any but pull_request, pull_request_target"
                        + " and workflow_run on GitHub.")
        java.util.List<String> triggers;

        @Option(
                names = "--runner",
                paramLabel = "KIND",
                description = "GitHub/GitLab: the runner a release build must run on: github-hosted, gitlab-hosted"
                        + " or self-hosted.")
        String runner;

        @Option(
                names = "--ci-config",
                defaultValue = ".gitlab-ci.yml",
                description = "GitLab: CI config path. Default: ${DEFAULT-VALUE}.")
        String ciConfig;

        @Option(names = "--gitlab-issuer", description = "GitLab: issuer URL of a self-managed instance.")
        String gitlabIssuer;

        @Option(names = "--sub", description = "Google: the service account's subject.")
        String sub;

        @Option(names = "--audience", description = "Generic: the audience its tokens carry (default: this server's).")
        String audience;

        @Option(
                names = "--claim",
                description =
                        "Generic: a claim that must equal a value, e.g. sub=repo:acme/x:ref:refs/tags/*. Repeatable.")
        Map<String, String> claims;

        @Option(names = "--otp", description = "A fresh code from your authenticator.")
        String otp;

        @Spec
        CommandSpec spec;

        private void putRules(Map<String, Object> body) {
            body.put("ref", ref);
            body.put("triggers", triggers == null ? java.util.List.of() : triggers);
            body.put("runner", runner);
        }

        static final class Kind {
            @Option(
                    names = "--github",
                    paramLabel = "OWNER/REPO",
                    description = "A GitHub Actions workflow of this repository.")
            String github;

            @Option(
                    names = "--gitlab",
                    paramLabel = "NAMESPACE/PROJECT",
                    description = "A GitLab CI pipeline of this project.")
            String gitlab;

            @Option(names = "--google", paramLabel = "EMAIL", description = "A Google Cloud service account.")
            String google;

            @Option(names = "--issuer", paramLabel = "URL", description = "Any other OIDC issuer (with --claim).")
            String issuer;
        }

        @Override
        public Integer call() {
            Map<String, Object> body = ApiClient.body("otp", otp);
            if (kind.github != null) {
                String[] parts = kind.github.split("/", 2);
                if (parts.length != 2) {
                    throw new IllegalArgumentException("--github takes OWNER/REPO");
                }
                body.putAll(Map.of("kind", "github", "owner", parts[0], "repository", parts[1]));
                body.put("owner_id", ownerId);
                body.put("workflow", workflow);
                body.put("environment", environment);
                putRules(body);
            } else if (kind.gitlab != null) {
                body.putAll(Map.of("kind", "gitlab", "project_path", kind.gitlab, "ci_config_path", ciConfig));
                body.put("issuer", gitlabIssuer);
                body.put("environment", environment);
                putRules(body);
            } else if (kind.google != null) {
                body.putAll(Map.of("kind", "google", "email", kind.google));
                body.put("sub", sub);
            } else {
                body.putAll(Map.of("kind", "generic", "issuer", kind.issuer));
                body.put("audience", audience);
                body.put("claims", claims == null ? Map.of() : new LinkedHashMap<>(claims));
            }
            Map<String, Object> added =
                    server.client().post("/api/v1/projects/" + ApiClient.segment(project) + "/publishers", body);
            spec.commandLine()
                    .getOut()
                    .println("Added trusted publisher " + added.get("id") + " to " + added.get("project") + ": "
                            + added.get("description"));
            return 0;
        }
    }

    @Command(name = "list", description = "List the trusted publishers of PROJECT.")
    static final class ListPublishers implements Callable<Integer> {
        @Mixin
        ServerOptions server;

        @Parameters(index = "0", paramLabel = "PROJECT")
        String project;

        @Spec
        CommandSpec spec;

        @Override
        @SuppressWarnings("unchecked")
        public Integer call() {
            Map<String, Object> body =
                    server.client().get("/api/v1/projects/" + ApiClient.segment(project) + "/publishers");
            PrintWriter out = spec.commandLine().getOut();
            out.println(body.get("project") + ": long-lived token uploads " + body.get("token_uploads"));
            for (Map<String, Object> p : (List<Map<String, Object>>) body.get("publishers")) {
                out.printf(
                        java.util.Locale.ROOT,
                        "  %s  %s  (issuer %s, added by %s)%n",
                        p.get("id"),
                        p.get("description"),
                        p.get("issuer"),
                        p.get("created_by"));
            }
            return 0;
        }
    }

    @Command(name = "remove", description = "Remove a trusted publisher.")
    static final class Remove implements Callable<Integer> {
        @Mixin
        ServerOptions server;

        @Parameters(index = "0", paramLabel = "PROJECT")
        String project;

        @Parameters(index = "1", paramLabel = "ID")
        String id;

        @Option(names = "--otp", description = "A fresh code from your authenticator.")
        String otp;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            server.client()
                    .post(
                            "/api/v1/projects/" + ApiClient.segment(project) + "/publishers/" + ApiClient.segment(id)
                                    + "/remove",
                            ApiClient.body("otp", otp));
            spec.commandLine().getOut().println("Removed trusted publisher " + id + " from " + project + ".");
            return 0;
        }
    }

    @Command(name = "token-uploads", description = "Allow or deny uploads with long-lived API tokens to PROJECT.")
    static final class TokenUploads implements Callable<Integer> {
        @Mixin
        ServerOptions server;

        @Parameters(index = "0", paramLabel = "PROJECT")
        String project;

        @Parameters(index = "1", paramLabel = "allow|deny")
        String mode;

        @Option(names = "--otp", description = "A fresh code from your authenticator.")
        String otp;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            Map<String, Object> result = server.client()
                    .post(
                            "/api/v1/projects/" + ApiClient.segment(project) + "/token-uploads",
                            ApiClient.body("otp", otp, "mode", mode));
            spec.commandLine()
                    .getOut()
                    .println(result.get("project") + ": long-lived token uploads " + result.get("token_uploads") + ".");
            return 0;
        }
    }
}
