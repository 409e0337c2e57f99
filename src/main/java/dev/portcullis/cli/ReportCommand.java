package dev.portcullis.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "report", description = "Reports for auditors.", subcommands = ReportCommand.Compliance.class)
final class ReportCommand {

    @Command(
            name = "compliance",
            description = {
                "Compliance evidence from live state (docs/COMPLIANCE.md): per control its status (met, partly, not met), the evidence,",
                "and the NIST SP 800-53r5, ISO/IEC 27001:2022, SOC 2 and PCI DSS v4.0 clauses. Needs an admin or auditor token."
            })
    static final class Compliance implements Callable<Integer> {
        @Mixin
        ServerOptions server;

        @Option(
                names = "--format",
                defaultValue = "html",
                description =
                        "html (one printable page), json, or oscal (OSCAL assessment-results). Default: ${DEFAULT-VALUE}.")
        String format;

        @Option(
                names = "--output",
                paramLabel = "FILE",
                description = "Write the report here (default: standard output).")
        Path output;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (!List.of("html", "json", "oscal").contains(format)) {
                throw new IllegalArgumentException("--format is html, json or oscal");
            }
            String report = server.client().getText("/api/v1/audit/compliance?format=" + format);
            if (output != null) {
                Files.writeString(output, report, StandardCharsets.UTF_8);
                spec.commandLine().getOut().println("wrote " + output);
            } else {
                spec.commandLine().getOut().print(report);
            }
            return 0;
        }
    }
}
