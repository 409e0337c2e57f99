package dev.portcullis.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Watching the public registry (docs/PUBLISHING-TO-PYPI.md). */
@Command(
        name = "watch",
        description =
                "Watch projects on PyPI, npm (or any index speaking their protocol) for files the gate did not approve.",
        subcommands = {WatchCommand.Add.class, WatchCommand.ListWatches.class, WatchCommand.Remove.class})
final class WatchCommand {

    @Command(
            name = "add",
            description = {
                "Watch a project: pypi:NAME, testpypi:NAME, npm:NAME, maven:GROUP:ARTIFACT, or NAME with --index URL (and --ecosystem).",
                "Every file that appears there and was not released by the gate (or differs from it) raises a critical alert."
            })
    static final class Add implements Callable<Integer> {
        @Mixin
        ServerOptions server;

        @Parameters(index = "0", paramLabel = "INDEX:NAME")
        String target;

        @Option(
                names = "--index",
                paramLabel = "URL",
                description =
                        "An index by URL: PyPI-compatible (devpi, Artifactory, another Portcullis) or, with --ecosystem npm, an npm registry.")
        String index;

        @Option(
                names = "--ecosystem",
                paramLabel = "ID",
                description = "Whose protocol an --index URL speaks (default: pypi); a well-known index names its own.")
        String ecosystem;

        @Option(
                names = "--project",
                paramLabel = "LOCAL",
                description = "The gate's project to compare with (default: the same name).")
        String project;

        @Option(
                names = "--dependency",
                description = "A dependency, not your project: inspect each new release and alert on high findings.")
        boolean dependency;

        @Option(
                names = "--accept-existing",
                description = "Record the files already there without alerting (a project published before the gate).")
        boolean acceptExisting;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            int colon = target.indexOf(':');
            boolean named = colon > 0 && !target.startsWith("http");
            String indexName = index != null ? index : named ? target.substring(0, colon) : "pypi";
            // With --index the target is the name on that index as is (a Maven name has a colon of its own).
            String name = named && index == null ? target.substring(colon + 1) : target;
            Map<String, Object> watch = server.client()
                    .post(
                            "/api/v1/watch",
                            ApiClient.body(
                                    "index",
                                    indexName,
                                    "ecosystem",
                                    ecosystem,
                                    "name",
                                    name,
                                    "dependency",
                                    dependency,
                                    "project",
                                    project,
                                    "accept_existing",
                                    acceptExisting));
            PrintWriter out = spec.commandLine().getOut();
            out.println("watching " + watch.get("name") + " on " + watch.get("index") + " (watch " + watch.get("id")
                    + ", " + watch.get("kind")
                    + (watch.get("project") == null ? "" : ", compared with the gate's " + watch.get("project")) + ")");
            return 0;
        }
    }

    @Command(name = "list", description = "List watches and their state (ok, degraded, new).")
    static final class ListWatches implements Callable<Integer> {
        @Mixin
        ServerOptions server;

        @Spec
        CommandSpec spec;

        @Override
        @SuppressWarnings("unchecked")
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            List<Map<String, Object>> watches = (List<Map<String, Object>>)
                    server.client().get("/api/v1/watch").get("watches");
            if (watches.isEmpty()) {
                out.println("Nothing is watched. ./portcullis watch add pypi:NAME");
            }
            for (Map<String, Object> w : watches) {
                out.printf(
                        java.util.Locale.ROOT,
                        "%4s %-30s %-28s %-10s %-9s last ok %s%s%n",
                        w.get("id"),
                        w.get("name"),
                        w.get("index"),
                        w.get("kind"),
                        w.get("state"),
                        w.get("last_ok_at") == null ? "never" : w.get("last_ok_at"),
                        w.get("last_error") == null ? "" : "  (" + w.get("last_error") + ")");
            }
            return 0;
        }
    }

    @Command(name = "remove", description = "Stop a watch (admin, fresh code; raises an alert).")
    static final class Remove implements Callable<Integer> {
        @Mixin
        ServerOptions server;

        @Parameters(index = "0", paramLabel = "ID")
        long id;

        @Option(names = "--otp", description = "A fresh code from your authenticator.")
        String otp;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            server.client().post("/api/v1/watch/" + id + "/remove", ApiClient.body("otp", otp));
            spec.commandLine().getOut().println("stopped watch " + id);
            return 0;
        }
    }
}
