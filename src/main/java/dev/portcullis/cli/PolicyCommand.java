package dev.portcullis.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** A project's release policy (docs/POLICY.md), over the API. */
@Command(
        name = "policy",
        description = "Release policies (YAML, versioned).",
        subcommands = {
            PolicyCommand.Show.class,
            PolicyCommand.Export.class,
            PolicyCommand.Import.class,
            PolicyCommand.Confirm.class
        })
final class PolicyCommand {

    @Command(name = "show", description = "List the policy versions of PROJECT.")
    static final class Show implements Callable<Integer> {
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
                    server.client().get("/api/v1/projects/" + ApiClient.segment(project) + "/policy");
            PrintWriter out = spec.commandLine().getOut();
            List<Map<String, Object>> versions = (List<Map<String, Object>>) body.get("versions");
            if (versions.isEmpty()) {
                out.println(
                        project
                                + ": no policy; the default applies (every release held for one approver with MFA, not the uploader).");
            }
            for (Map<String, Object> v : versions) {
                out.printf(
                        java.util.Locale.ROOT,
                        "v%s %-10s by %s at %s%s%n",
                        v.get("version"),
                        v.get("status"),
                        v.get("created_by"),
                        v.get("created_at"),
                        v.get("confirmed_by") == null ? "" : ", confirmed by " + v.get("confirmed_by"));
            }
            return 0;
        }
    }

    @Command(name = "export", description = "Print the active policy YAML of PROJECT.")
    static final class Export implements Callable<Integer> {
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
                    server.client().get("/api/v1/projects/" + ApiClient.segment(project) + "/policy");
            for (Map<String, Object> v : (List<Map<String, Object>>) body.get("versions")) {
                if ("active".equals(v.get("status"))) {
                    spec.commandLine().getOut().print(v.get("document"));
                    return 0;
                }
            }
            spec.commandLine().getErr().println("error: " + project + " has no policy; the default applies");
            return 1;
        }
    }

    @Command(
            name = "import",
            description = "Propose FILE as the new policy of PROJECT (active at once, or pending a second person).")
    static final class Import implements Callable<Integer> {
        @Mixin
        ServerOptions server;

        @Parameters(index = "0", paramLabel = "PROJECT")
        String project;

        @Parameters(index = "1", paramLabel = "FILE")
        Path file;

        @Option(names = "--otp", description = "A fresh code from your authenticator.")
        String otp;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            String document;
            try {
                document = Files.readString(file);
            } catch (java.nio.file.NoSuchFileException e) {
                throw new IllegalArgumentException("there is no policy file " + file);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("cannot read the policy file " + file + " ("
                        + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())
                        + "); it must be readable UTF-8 YAML");
            }
            Map<String, Object> result = server.client()
                    .post(
                            "/api/v1/projects/" + ApiClient.segment(project) + "/policy",
                            ApiClient.body("document", document, "otp", otp));
            spec.commandLine()
                    .getOut()
                    .println(project + ": policy v" + result.get("version") + " is " + result.get("status") + ".");
            return 0;
        }
    }

    @Command(name = "confirm", description = "Activate a pending policy version (someone other than its proposer).")
    static final class Confirm implements Callable<Integer> {
        @Mixin
        ServerOptions server;

        @Parameters(index = "0", paramLabel = "PROJECT")
        String project;

        @Parameters(index = "1", paramLabel = "VERSION")
        String version;

        @Option(names = "--otp", description = "A fresh code from your authenticator.")
        String otp;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            Map<String, Object> result = server.client()
                    .post(
                            "/api/v1/projects/" + ApiClient.segment(project) + "/policy/" + ApiClient.segment(version)
                                    + "/confirm",
                            ApiClient.body("otp", otp));
            spec.commandLine()
                    .getOut()
                    .println(project + ": policy v" + result.get("version") + " is " + result.get("status") + ".");
            return 0;
        }
    }
}
