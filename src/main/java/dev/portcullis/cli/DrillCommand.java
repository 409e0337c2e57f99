package dev.portcullis.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.portcullis.app.Portcullis;
import dev.portcullis.app.Settings;
import dev.portcullis.audit.drill.DrillRunner;
import dev.portcullis.audit.drill.Scorecard;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Role;
import dev.portcullis.identity.RoleGrant;
import dev.portcullis.identity.TokenRequest;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "drill",
        description = {
            "Replay the lightning attack and its variants against sandbox projects; report which controls fired.",
            "Scenarios (docs/DRILLS.md): stolen-token, rapid-versions, payload, size-and-deps, provenance-strip, self-approval,",
            "token-escalation, account-takeover, expired-and-revoked, replayed-oidc (default: all).",
            "Exit 0 when every expected control fired, 1 when one did not."
        })
final class DrillCommand implements Callable<Integer> {

    static final int MISSED = 1;

    @Parameters(paramLabel = "SCENARIO", arity = "0..*", description = "Scenarios to run (default: all).")
    List<String> scenarios = List.of();

    @Option(
            names = "--embedded",
            description = "Start a throw-away server on a temporary data directory and drill it (ignores --server).")
    boolean embedded;

    @picocli.CommandLine.Mixin
    ServerOptions server;

    @Option(names = "--format", defaultValue = "table", description = "table, json or html. Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(
            names = "--output",
            paramLabel = "FILE",
            description = "Write the scorecard here (default: standard output).")
    Path output;

    @Option(
            names = "--policy",
            paramLabel = "FILE",
            description = "The policy sandboxes get (YAML, docs/POLICY.md). Default: the recommended one.")
    Path policy;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!List.of("table", "json", "html").contains(format)) {
            throw new IllegalArgumentException("--format is table, json or html");
        }
        for (String s : scenarios) {
            if (!DrillRunner.SCENARIOS.contains(s)) {
                throw new IllegalArgumentException(
                        "unknown scenario '" + s + "'; scenarios: " + String.join(", ", DrillRunner.SCENARIOS));
            }
        }
        String policyYaml = policy == null ? null : Files.readString(policy, StandardCharsets.UTF_8);
        Scorecard card = embedded ? embedded(policyYaml) : remote(policyYaml);
        print(card);
        return card.passed() ? 0 : MISSED;
    }

    /** The scorecard as asked for (to --output, with the table on standard output). */
    private void print(Scorecard card) throws IOException {
        String rendered = switch (format) {
            case "json" ->
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(card.toMap()) + "\n";
            case "html" -> card.html();
            default -> card.table();
        };
        PrintWriter out = spec.commandLine().getOut();
        if (output != null) {
            Files.writeString(output, rendered, StandardCharsets.UTF_8);
            out.print(card.table());
        } else {
            out.print(rendered);
        }
        out.flush();
    }

    private Scorecard remote(String policyYaml) throws IOException {
        if (server.token == null || server.token.isBlank()) {
            throw new IllegalArgumentException(
                    "a global admin's API token is required (PORTCULLIS_TOKEN or --token), or use --embedded");
        }
        return runAndRecord(new DrillRunner(server.server, server.token, policyYaml, Clock.systemUTC()));
    }

    /** Runs, then records the result on the server; the scorecard is printed even when recording fails. */
    private Scorecard runAndRecord(DrillRunner runner) throws IOException {
        Scorecard card = runner.run(scenarios);
        try {
            runner.record(card);
        } catch (RuntimeException e) {
            print(card);
            throw e;
        }
        return card;
    }

    /** A server of its own on a temporary directory (SQLite, local files), an admin for the drill, all removed afterwards. */
    private Scorecard embedded(String policyYaml) throws IOException {
        Path dir = Files.createTempDirectory("portcullis-drill");
        try {
            Settings settings = Settings.defaults(dir).withListener("127.0.0.1", 0);
            // The drill's alerts are in the throw-away server's outbox and in the scorecard; they are not also logged.
            try (Portcullis portcullis =
                    Portcullis.open(settings, Clock.systemUTC(), new SecureRandom(), alert -> {})) {
                int port = portcullis.serve();
                portcullis
                        .identity()
                        .addUser(
                                "drill-admin",
                                new RoleGrant(RoleGrant.EVERY_PROJECT, Role.ADMIN),
                                "portcullis drill --embedded");
                String token = portcullis
                        .identity()
                        .createToken(
                                new TokenRequest(
                                        "drill-admin",
                                        "embedded drill",
                                        null,
                                        EnumSet.of(Permission.ADMIN),
                                        Duration.ofDays(1)),
                                "portcullis drill --embedded")
                        .secret();
                return runAndRecord(new DrillRunner("http://127.0.0.1:" + port, token, policyYaml, Clock.systemUTC()));
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
