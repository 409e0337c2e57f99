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

@Command(
        name = "release",
        description = "Staged releases on a running server.",
        subcommands = {
            ReleaseCommand.ListReleases.class,
            ReleaseCommand.Show.class,
            ReleaseCommand.Inspect.class,
            ReleaseCommand.Wait.class,
            ReleaseCommand.Approve.class,
            ReleaseCommand.Reject.class,
            ReleaseCommand.Yank.class,
            ReleaseCommand.Quarantine.class,
            ReleaseCommand.Unquarantine.class
        })
final class ReleaseCommand {

    @Command(
            name = "list",
            description = {
                "List the releases that wait for a person (held), and say how many the gate decided by itself since you last looked.",
                "--state shows others."
            })
    static final class ListReleases implements Callable<Integer> {
        @Mixin
        ServerOptions server;

        @Option(
                names = "--state",
                description =
                        "held, released, rejected, quarantined, expired or all. Default: held, with the gate's own decisions since the last look.")
        String state;

        @Spec
        CommandSpec spec;

        @Override
        @SuppressWarnings("unchecked")
        public Integer call() {
            if (state != null && !state.equals("all")) {
                dev.portcullis.publish.ReleaseState.parse(
                        state); // a clear error, listing every state, before any request
            }
            LastLook lastLook = new LastLook(server.server);
            String shown = state == null ? "held" : state;
            StringBuilder query =
                    new StringBuilder(shown.equals("all") ? "?" : "?state=" + ApiClient.segment(shown) + "&");
            java.time.Instant since = state == null ? lastLook.read() : null;
            if (since != null) {
                query.append("decided_since=").append(ApiClient.segment(since.toString()));
            }
            Map<String, Object> body = server.client().get("/api/v1/releases" + query);
            PrintWriter out = spec.commandLine().getOut();
            List<Map<String, Object>> releases = (List<Map<String, Object>>) body.get("releases");
            if (releases.isEmpty()) {
                out.println(
                        state == null
                                ? "Nothing waits for a person: no held releases."
                                : "No " + (shown.equals("all") ? "" : shown + " ") + "releases.");
            }
            for (Map<String, Object> r : releases) {
                List<?> files = (List<?>) r.get("files");
                out.printf(
                        java.util.Locale.ROOT,
                        "%-30s %-15s %-11s %d file(s), created %s%n",
                        r.get("project"),
                        r.get("version"),
                        r.get("state"),
                        files.size(),
                        r.get("created_at"));
            }
            if (state == null) {
                if (body.get("decided_automatically") instanceof Map<?, ?> automatic && !automatic.isEmpty()) {
                    out.println("Since you last looked (" + since + "), the gate decided by itself:");
                    automatic.forEach((st, n) -> out.println(
                            "  " + n + " " + st + " automatically: see  portcullis release list --state " + st));
                }
                lastLook.write(java.time.Instant.parse(String.valueOf(body.get("as_of"))));
            }
            return 0;
        }
    }

    /**
     * When this user last listed what waits for them (by the server's clock), per server: a small
     * file in the user's state directory ({@code $XDG_STATE_HOME/portcullis}, else {@code
     * ~/.local/state/portcullis}; the system property {@code portcullis.state} overrides it). The
     * first look reports the last day.
     */
    static final class LastLook {
        private final java.nio.file.Path file;

        LastLook(String server) {
            String home = System.getenv("XDG_STATE_HOME");
            String override = System.getProperty("portcullis.state");
            java.nio.file.Path dir = override != null
                    ? java.nio.file.Path.of(override)
                    : home != null && !home.isBlank()
                            ? java.nio.file.Path.of(home, "portcullis")
                            : java.nio.file.Path.of(System.getProperty("user.home"), ".local", "state", "portcullis");
            this.file = dir.resolve("last-look-"
                    + dev.portcullis.store.Sha256.hex(ApiClient.normalize(server))
                            .substring(0, 12));
        }

        java.time.Instant read() {
            try {
                return java.time.Instant.parse(
                        java.nio.file.Files.readString(file).trim());
            } catch (java.io.IOException | java.time.format.DateTimeParseException e) {
                return java.time.Instant.now().minus(java.time.Duration.ofDays(1));
            }
        }

        void write(java.time.Instant at) {
            try {
                java.nio.file.Files.createDirectories(file.getParent());
                java.nio.file.Files.writeString(file, at.toString());
            } catch (java.io.IOException e) {
                // not remembering the last look only makes the next one report a day
            }
        }
    }

    @Command(name = "show", description = "Show one release and its files.")
    static final class Show implements Callable<Integer> {
        @Mixin
        ServerOptions server;

        @Parameters(index = "0", paramLabel = "PROJECT")
        String project;

        @Parameters(index = "1", paramLabel = "VERSION")
        String version;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            print(spec, server.client().get(path(project, version)));
            return 0;
        }
    }

    @Command(
            name = "inspect",
            description = {
                "What inspecting each file of a release found, and what changed since the previous release.",
                "Exit 0 when no finding reaches --fail-on, 1 when one does."
            })
    static final class Inspect implements Callable<Integer> {
        @Mixin
        ServerOptions server;

        @Parameters(index = "0", paramLabel = "PROJECT")
        String project;

        @Parameters(index = "1", paramLabel = "VERSION")
        String version;

        @Option(names = "--diff", description = "Also print unified diffs of changed and added text files.")
        boolean diffs;

        @Option(names = "--format", defaultValue = "text", description = "text (default) or json.")
        String format;

        @Option(
                names = "--fail-on",
                defaultValue = "high",
                paramLabel = "SEVERITY",
                description = "low, medium, high (default), critical.")
        String failOn;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            dev.portcullis.inspect.Severity threshold = dev.portcullis.inspect.Severity.fromWire(failOn);
            Map<String, Object> body = server.client().get(path(project, version) + "/inspection");
            PrintWriter out = spec.commandLine().getOut();
            com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper()
                    .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
            if (format.equals("json")) {
                out.println(json.writerWithDefaultPrettyPrinter().writeValueAsString(body));
            }
            boolean failed = false;
            for (Object file : (List<?>) body.get("files")) {
                var report = json.convertValue(file, dev.portcullis.inspect.InspectionService.FileReport.class);
                if (report.report() == null) {
                    failed = true;
                    if (!format.equals("json")) {
                        out.println(report.filename() + ": no inspection report: " + report.error());
                    }
                    continue;
                }
                failed |= report.report().maxSeverity().atLeast(threshold);
                if (!format.equals("json")) {
                    report.report().print(out, diffs);
                    out.println();
                }
            }
            return failed ? 1 : 0;
        }
    }

    @Command(
            name = "wait",
            description = {
                "Block until the release is decided, then check that what was approved is exactly what you built.",
                "Exit 0 when it is released and every file in --files (.whl, .tar.gz, .zip, npm's .tgz) is in it with the same SHA-256 (and nothing else is);",
                "1 when it was rejected, quarantined or expired, or the digests differ; 3 on --timeout."
            })
    static final class Wait implements Callable<Integer> {
        static final int TIMED_OUT = 3;

        @Mixin
        ServerOptions server;

        @Parameters(index = "0", paramLabel = "PROJECT")
        String project;

        @Parameters(index = "1", paramLabel = "VERSION")
        String version;

        @Option(
                names = "--files",
                required = true,
                paramLabel = "DIST_DIR",
                description = "The directory holding the files you built (dist/).")
        java.nio.file.Path files;

        @Option(
                names = "--timeout",
                defaultValue = "24h",
                paramLabel = "DURATION",
                description = "Give up after this long. Default: ${DEFAULT-VALUE}.")
        String timeout;

        @Spec
        CommandSpec spec;

        @Override
        @SuppressWarnings("unchecked")
        public Integer call() throws Exception {
            Map<String, String> local = new java.util.TreeMap<>();
            try (var stream = java.nio.file.Files.list(files)) {
                for (java.nio.file.Path f :
                        stream.filter(java.nio.file.Files::isRegularFile).toList()) {
                    String name = f.getFileName().toString();
                    if (name.endsWith(".whl")
                            || name.endsWith(".tar.gz")
                            || name.endsWith(".zip")
                            || name.endsWith(".tgz")) {
                        local.put(name, dev.portcullis.store.Sha256.hex(f));
                    }
                }
            }
            if (local.isEmpty()) {
                throw new IllegalArgumentException("no distribution files (.whl, .tar.gz, .zip, .tgz) in " + files);
            }
            PrintWriter out = spec.commandLine().getOut();
            java.time.Instant deadline = java.time.Instant.now().plus(Durations.parse(timeout));
            Map<String, Object> release;
            while (true) {
                long left = java.time.Duration.between(java.time.Instant.now(), deadline)
                        .toSeconds();
                release = server.client()
                        .get(path(project, version) + "/wait?timeout=" + Math.max(0, Math.min(60, left)));
                if (!"held".equals(release.get("state")) || left <= 0) {
                    break;
                }
            }
            String state = (String) release.get("state");
            if ("held".equals(state)) {
                out.println(
                        "TIMED OUT: " + project + " " + version + " is still held after " + timeout + " (approvals: "
                                + release.get("approvals") + " of " + release.get("approvals_required") + ")");
                return TIMED_OUT;
            }
            if (!"released".equals(state)) {
                out.println("NOT APPROVED: " + project + " " + version + " is " + state + ": "
                        + release.get("decision_reason"));
                return 1;
            }
            Map<String, String> approved = new java.util.TreeMap<>();
            for (Map<String, Object> f : (List<Map<String, Object>>) release.get("files")) {
                approved.put((String) f.get("filename"), (String) f.get("sha256"));
            }
            // npm pack names a scoped package's tarball acme-widget-1.0.0.tgz; the registry calls it widget-1.0.0.tgz.
            for (String name : List.copyOf(local.keySet())) {
                if (name.endsWith(".tgz") && !approved.containsKey(name)) {
                    approved.keySet().stream()
                            .filter(a -> a.endsWith(".tgz") && name.endsWith("-" + a) && !local.containsKey(a))
                            .findFirst()
                            .ifPresent(a -> local.put(a, local.remove(name)));
                }
            }
            List<String> problems = new java.util.ArrayList<>();
            local.forEach((name, sha) -> {
                if (!approved.containsKey(name)) {
                    problems.add(name + " was not approved (it is not in the release)");
                } else if (!approved.get(name).equals(sha)) {
                    problems.add(name + ": the approved file has SHA-256 " + approved.get(name) + ", yours " + sha);
                }
            });
            approved.keySet().stream()
                    .filter(name -> !local.containsKey(name))
                    .forEach(name -> problems.add(name + " was approved but is not among your files"));
            if (!problems.isEmpty()) {
                out.println("MISMATCH: what was approved is not what you built:");
                problems.forEach(p -> out.println("  " + p));
                return 1;
            }
            out.println("APPROVED: " + project + " " + version + " by " + release.get("decided_by") + "; "
                    + local.size() + " file(s) match the approved SHA-256 digests");
            return 0;
        }
    }

    /** A decision about one release, posted to {@code /api/v1/projects/P/releases/V/<verb>}. */
    abstract static class Action implements Callable<Integer> {
        @Mixin
        ServerOptions server;

        @Parameters(index = "0", paramLabel = "PROJECT")
        String project;

        @Parameters(index = "1", paramLabel = "VERSION")
        String version;

        @Option(names = "--otp", description = "A fresh code from your authenticator (required).")
        String otp;

        @Spec
        CommandSpec spec;

        abstract String verb();

        abstract Map<String, Object> body();

        /** Approvals name the exact files they are for: the server refuses them if the release's files are others by then. */
        boolean bindsFiles() {
            return false;
        }

        @Override
        @SuppressWarnings("unchecked")
        public Integer call() {
            ApiClient client = server.client();
            Map<String, Object> body = new java.util.LinkedHashMap<>(body());
            body.put("otp", otp);
            if (bindsFiles()) {
                List<Map<String, Object>> files = null;
                try {
                    files = (List<Map<String, Object>>)
                            client.get(path(project, version)).get("files");
                } catch (ApiClient.ApiException e) {
                    // A token that cannot see the release cannot approve it either: the server's answer says why.
                }
                if (files != null) {
                    PrintWriter out = spec.commandLine().getOut();
                    out.println(
                            "Approving exactly these " + files.size() + " file(s) of " + project + " " + version + ":");
                    files.forEach(f -> out.println("  " + f.get("filename") + "  sha256:" + f.get("sha256")));
                    body.put("files", files.stream().map(f -> f.get("sha256")).toList());
                }
            }
            print(spec, client.post(path(project, version) + "/" + verb(), body));
            return 0;
        }
    }

    @Command(name = "approve", description = "Approve a held release: it becomes installable.")
    static final class Approve extends Action {
        @Option(names = "--comment")
        String comment;

        @Override
        boolean bindsFiles() {
            return true;
        }

        @Override
        String verb() {
            return "approve";
        }

        @Override
        Map<String, Object> body() {
            return ApiClient.body("comment", comment);
        }
    }

    @Command(name = "reject", description = "Reject a held release: it never becomes installable.")
    static final class Reject extends Action {
        @Option(names = "--reason", required = true)
        String reason;

        @Override
        String verb() {
            return "reject";
        }

        @Override
        Map<String, Object> body() {
            return Map.of("reason", reason);
        }
    }

    @Command(name = "yank", description = "Yank a released version (PEP 592): installers skip it unless pinned.")
    static final class Yank extends Action {
        @Option(names = "--reason", required = true)
        String reason;

        @Override
        String verb() {
            return "yank";
        }

        @Override
        Map<String, Object> body() {
            return Map.of("reason", reason);
        }
    }

    @Command(
            name = "quarantine",
            description =
                    "Quarantine a held or released version: hidden from installers, files kept, downloads refused.")
    static final class Quarantine extends Action {
        @Option(names = "--reason", required = true)
        String reason;

        @Override
        String verb() {
            return "quarantine";
        }

        @Override
        Map<String, Object> body() {
            return Map.of("reason", reason);
        }
    }

    @Command(
            name = "unquarantine",
            description =
                    "Approve bringing a quarantined version back (needs the policy's number of approvers, at least two).")
    static final class Unquarantine extends Action {
        @Option(names = "--comment")
        String comment;

        @Override
        boolean bindsFiles() {
            return true;
        }

        @Override
        String verb() {
            return "unquarantine";
        }

        @Override
        Map<String, Object> body() {
            return ApiClient.body("comment", comment);
        }
    }

    static String path(String project, String version) {
        return "/api/v1/projects/" + ApiClient.segment(project) + "/releases/" + ApiClient.segment(version);
    }

    @SuppressWarnings("unchecked")
    static void print(CommandSpec spec, Map<String, Object> release) {
        PrintWriter out = spec.commandLine().getOut();
        out.printf(
                java.util.Locale.ROOT,
                "%s %s: %s%n",
                release.get("project"),
                release.get("version"),
                release.get("state"));
        if (release.get("decided_by") != null) {
            out.printf(
                    java.util.Locale.ROOT,
                    "  decided by %s at %s%s%n",
                    release.get("decided_by"),
                    release.get("decided_at"),
                    release.get("decision_reason") == null ? "" : " (" + release.get("decision_reason") + ")");
        }
        if (release.get("message") != null) {
            out.println("  " + release.get("message"));
        }
        if (release.get("decision") instanceof Map<?, ?> decision) {
            out.printf(
                    java.util.Locale.ROOT,
                    "  policy decision: %s (risk %s, policy v%s, %s)%n",
                    decision.get("outcome"),
                    decision.get("risk"),
                    decision.get("policy_version"),
                    decision.get("decided_at"));
            for (Object reason : (List<?>) decision.get("reasons")) {
                out.println("    - " + reason);
            }
        }
        if (release.get("approvals") instanceof List<?> approvals && "held".equals(release.get("state"))) {
            out.printf(
                    java.util.Locale.ROOT,
                    "  approvals: %d of %s %s%n",
                    approvals.size(),
                    release.get("approvals_required"),
                    approvals);
        }
        if (release.get("approval_records") instanceof List<?> records) {
            for (Object record : records) {
                Map<?, ?> a = (Map<?, ?>) record;
                List<?> digests = (List<?>) a.get("files");
                out.printf(
                        java.util.Locale.ROOT,
                        "    %s by %s at %s for %d file(s) %s%s%n",
                        a.get("kind").equals("release") ? "approval" : "quarantine exit",
                        a.get("user"),
                        a.get("approved_at"),
                        digests.size(),
                        digests.stream()
                                .map(d -> String.valueOf(d)
                                        .substring(
                                                0,
                                                Math.min(12, String.valueOf(d).length())))
                                .toList(),
                        Boolean.TRUE.equals(a.get("counts")) ? "" : "  (no longer counts: the files changed)");
            }
        }
        for (Map<String, Object> f : (List<Map<String, Object>>) release.get("files")) {
            out.printf(
                    java.util.Locale.ROOT,
                    "  %s  %d bytes  sha256:%s  uploaded by %s (%s)%s%n",
                    f.get("filename"),
                    ((Number) f.get("size")).longValue(),
                    f.get("sha256"),
                    f.get("uploaded_by"),
                    f.get("credential"),
                    Boolean.TRUE.equals(f.get("yanked")) ? "  [yanked]" : "");
            if (f.get("provenance") instanceof Map<?, ?> p) {
                Map<?, ?> source = p.get("source") instanceof Map<?, ?> m ? m : Map.of();
                out.printf(
                        java.util.Locale.ROOT,
                        "    provenance %s: signed by %s%s%n",
                        p.get("status"),
                        p.get("signer"),
                        source.get("source_repository_digest") == null
                                ? ""
                                : ", source " + source.get("source_repository_ref") + " at commit "
                                        + source.get("source_repository_digest"));
            } else {
                out.println("    provenance: none");
            }
        }
        out.flush();
    }
}
