package dev.portcullis.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Promotion: the gate uploads approved releases to an upstream index (docs/PUBLISHING-TO-PYPI.md). */
@Command(
        name = "upstream",
        description = "Promote approved releases to an upstream index (PyPI, npm) with a credential sealed at rest.",
        subcommands = {UpstreamCommand.Set.class, UpstreamCommand.Show.class})
final class UpstreamCommand {

    @Command(
            name = "set",
            description = {
                "Upload every release of PROJECT the gate approves from now on to URL.",
                "The credential (an API token of the upstream scoped to the project) comes from PORTCULLIS_UPSTREAM_TOKEN or standard input, never an argument."
            })
    static final class Set implements Callable<Integer> {
        @Mixin
        ServerOptions server;

        @Parameters(index = "0", paramLabel = "PROJECT")
        String project;

        @Option(
                names = "--upload-url",
                paramLabel = "URL",
                description =
                        "Where to upload: a PyPI index's legacy upload endpoint, an npm registry. Default: the ecosystem's public one (https://upload.pypi.org/legacy/, https://registry.npmjs.org).")
        String uploadUrl;

        @Option(names = "--otp", description = "A fresh code from your authenticator.")
        String otp;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            String credential = System.getenv("PORTCULLIS_UPSTREAM_TOKEN");
            if (credential == null || credential.isBlank()) {
                credential = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            }
            if (credential == null || credential.isBlank()) {
                throw new IllegalArgumentException(
                        "no credential: set PORTCULLIS_UPSTREAM_TOKEN or pipe it on standard input");
            }
            Map<String, Object> target = server.client()
                    .post(
                            "/api/v1/projects/" + ApiClient.segment(project) + "/upstream",
                            ApiClient.body("upload_url", uploadUrl, "credential", credential.strip(), "otp", otp));
            spec.commandLine()
                    .getOut()
                    .println("approved releases of " + target.get("project") + " will be uploaded to "
                            + target.get("upload_url"));
            return 0;
        }
    }

    @Command(name = "show", description = "Show a project's upstream (never its credential).")
    static final class Show implements Callable<Integer> {
        @Mixin
        ServerOptions server;

        @Parameters(index = "0", paramLabel = "PROJECT")
        String project;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            Map<String, Object> t = server.client().get("/api/v1/projects/" + ApiClient.segment(project) + "/upstream");
            spec.commandLine()
                    .getOut()
                    .println(t.get("project") + " -> " + t.get("upload_url") + " (set " + t.get("created_at") + " by "
                            + t.get("created_by") + ", last used "
                            + (t.get("last_used_at") == null ? "never" : t.get("last_used_at")) + ")");
            return 0;
        }
    }
}
