package dev.portcullis.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "audit",
        description = "Audit reports, and the event log's integrity check.",
        subcommands = {AuditCommand.Tokens.class, AuditCommand.VerifyLog.class})
final class AuditCommand {

    @Command(
            name = "verify-log",
            description = {
                "Re-check the event log: every event's hash and place in the chain, and every signed checkpoint",
                "(in the database and, with --checkpoints, in an external copy). Reads the database directly.",
                "Exit 0 when intact, 1 naming each problem."
            })
    static final class VerifyLog implements java.util.concurrent.Callable<Integer> {
        @picocli.CommandLine.Mixin
        DataOptions data;

        @Option(
                names = "--checkpoints",
                paramLabel = "FILE",
                description =
                        "The checkpoint log outside the database. Default: DATA/checkpoints/checkpoints.jsonl (or the --checkpoint-file the server used).")
        java.nio.file.Path checkpoints;

        @Option(
                names = "--public-key",
                paramLabel = "FILE",
                description = "The checkpoint public key. Default: DATA/keys/event-checkpoint.pub.")
        java.nio.file.Path publicKey;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            dev.portcullis.app.Settings settings = data.existingSettings();
            java.nio.file.Path key = publicKey != null
                    ? publicKey
                    : settings.dataDir().resolve("keys").resolve("event-checkpoint.pub");
            PrintWriter out = spec.commandLine().getOut();
            try (dev.portcullis.store.Database database = dev.portcullis.store.Database.open(settings.database())) {
                java.nio.file.Path log =
                        checkpoints != null ? checkpoints : dev.portcullis.app.Portcullis.checkpointLog(settings);
                if (!java.nio.file.Files.exists(log)) {
                    spec.commandLine()
                            .getErr()
                            .println("note: no checkpoint log at " + log
                                    + "; only the checkpoints in the database are checked");
                    log = null;
                }
                dev.portcullis.watch.EventLogIntegrity.Report report = dev.portcullis.watch.EventLogIntegrity.verify(
                        database,
                        new dev.portcullis.events.EventLog(database, java.time.Clock.systemUTC()),
                        dev.portcullis.watch.CheckpointKey.publicKey(key),
                        log);
                if (report.intact()) {
                    out.println("intact: " + report.events() + " events in an unbroken chain, " + report.checkpoints()
                            + " checkpoint(s) verified");
                    return 0;
                }
                out.println("TAMPERED: " + report.problems().size() + " problem(s) in " + report.events()
                        + " events and " + report.checkpoints() + " checkpoint(s):");
                report.problems().forEach(p -> out.println("  " + p));
                return 1;
            }
        }
    }

    /** Exit code when a flag at or above {@code --fail-on} is present (1 and 2 are errors). */
    static final int FLAGGED = 3;

    @Command(
            name = "tokens",
            description = "Token inventory with policy flags. Exits " + FLAGGED
                    + " when a flag at or above --fail-on is present.")
    static final class Tokens implements Callable<Integer> {
        @Mixin
        ServerOptions server;

        @Option(
                names = "--format",
                defaultValue = "table",
                description = "table, json or csv. Default: ${DEFAULT-VALUE}.")
        String format;

        @Option(
                names = "--fail-on",
                defaultValue = "high",
                description = "low, medium, high or never. Default: ${DEFAULT-VALUE}.")
        String failOn;

        @Spec
        CommandSpec spec;

        @Override
        @SuppressWarnings("unchecked")
        public Integer call() throws Exception {
            List<String> order = List.of("low", "medium", "high");
            String threshold = failOn.toLowerCase(Locale.ROOT);
            if (!threshold.equals("never") && !order.contains(threshold)) {
                throw new IllegalArgumentException("--fail-on must be low, medium, high or never");
            }
            Map<String, Object> report = server.client().get("/api/v1/audit/tokens");
            List<Map<String, Object>> tokens = (List<Map<String, Object>>) report.get("tokens");
            PrintWriter out = spec.commandLine().getOut();
            switch (format) {
                case "json" ->
                    out.println(new ObjectMapper()
                            .enable(SerializationFeature.INDENT_OUTPUT)
                            .writeValueAsString(report));
                case "csv" -> {
                    out.println(
                            "id,owner,name,project,permissions,status,age_days,expires_at,last_used_at,last_used_ip,rotated_from,flags");
                    for (Map<String, Object> t : tokens) {
                        out.println(String.join(
                                ",",
                                csv(t.get("id")),
                                csv(t.get("owner")),
                                csv(t.get("name")),
                                csv(t.get("project")),
                                csv(t.get("permissions")),
                                csv(t.get("status")),
                                csv(t.get("age_days")),
                                csv(t.get("expires_at")),
                                csv(t.get("last_used_at")),
                                csv(t.get("last_used_ip")),
                                csv(t.get("rotated_from")),
                                csv(flagCodes(t))));
                    }
                }
                case "table" -> {
                    out.printf(
                            java.util.Locale.ROOT,
                            "%-12s %-10s %-8s %-18s %-16s %5s  %s%n",
                            "TOKEN",
                            "OWNER",
                            "STATUS",
                            "PROJECT",
                            "PERMISSIONS",
                            "AGE",
                            "FLAGS");
                    for (Map<String, Object> t : tokens) {
                        out.printf(
                                java.util.Locale.ROOT,
                                "%-12s %-10s %-8s %-18s %-16s %4sd  %s%n",
                                t.get("id"),
                                t.get("owner"),
                                t.get("status"),
                                t.get("project") == null ? "(all)" : t.get("project"),
                                t.get("permissions"),
                                t.get("age_days"),
                                flagCodes(t));
                    }
                    out.println("summary: " + report.get("summary"));
                    List<Map<String, Object>> upstream =
                            (List<Map<String, Object>>) report.getOrDefault("upstream_credentials", List.of());
                    if (!upstream.isEmpty()) {
                        out.printf(
                                java.util.Locale.ROOT,
                                "%nupstream credentials (sealed at rest):%n%-24s %-40s %5s  %s%n",
                                "PROJECT",
                                "UPLOAD URL",
                                "AGE",
                                "LAST USED");
                        for (Map<String, Object> u : upstream) {
                            out.printf(
                                    java.util.Locale.ROOT,
                                    "%-24s %-40s %4sd  %s%n",
                                    u.get("project"),
                                    u.get("upload_url"),
                                    u.get("age_days"),
                                    u.get("last_used_at") == null ? "never" : u.get("last_used_at"));
                        }
                    }
                }
                default -> throw new IllegalArgumentException("--format must be table, json or csv");
            }
            out.flush();
            if (threshold.equals("never")) {
                return 0;
            }
            int min = order.indexOf(threshold);
            Map<String, Object> summary = (Map<String, Object>) report.get("summary");
            for (int i = min; i < order.size(); i++) {
                if (((Number) summary.get(order.get(i))).intValue() > 0) {
                    return FLAGGED;
                }
            }
            return 0;
        }

        @SuppressWarnings("unchecked")
        private static String flagCodes(Map<String, Object> token) {
            List<Map<String, Object>> flags = (List<Map<String, Object>>) token.get("flags");
            return String.join(
                    " ",
                    flags.stream()
                            .map(f -> f.get("severity") + ":" + f.get("code"))
                            .toList());
        }

        private static String csv(Object value) {
            String text = value == null ? "" : String.valueOf(value);
            return text.contains(",") || text.contains("\"") || text.contains("\n")
                    ? "\"" + text.replace("\"", "\"\"") + "\""
                    : text;
        }
    }
}
