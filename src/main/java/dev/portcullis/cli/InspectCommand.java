package dev.portcullis.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.portcullis.app.Portcullis;
import dev.portcullis.inspect.Inspection;
import dev.portcullis.inspect.Inspector;
import dev.portcullis.inspect.Limits;
import dev.portcullis.inspect.PackageFormat;
import dev.portcullis.inspect.ReleaseDiff;
import dev.portcullis.inspect.Report;
import dev.portcullis.inspect.Severity;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Offline inspection of a local distribution file: what the gate will see, before uploading (docs/INSPECTION.md). */
@Command(
        name = "inspect",
        description = {
            "Inspect a distribution file offline, optionally against the previous release's file.",
            "Exit 0 when no finding reaches --fail-on, 1 when one does, 2 on bad usage."
        })
final class InspectCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE", description = "A wheel or sdist (.whl, .tar.gz, .zip).")
    Path file;

    @Option(
            names = "--against",
            paramLabel = "PREVIOUS_FILE",
            description = "The previous release's file of the same kind, to diff with.")
    Path against;

    @Option(names = "--format", defaultValue = "text", description = "text (default) or json.")
    String format;

    @Option(names = "--diff", description = "Also print unified diffs of changed and added text files (text format).")
    boolean showDiffs;

    @Option(
            names = "--fail-on",
            defaultValue = "high",
            paramLabel = "SEVERITY",
            description = "Exit 1 when a finding is at least this severe: low, medium, high (default), critical.")
    String failOn;

    @Option(
            names = "--ecosystem",
            paramLabel = "ID",
            description = "Whose package file it is (pypi); by default told from the file name.")
    String ecosystem;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (!format.equals("text") && !format.equals("json")) {
            throw new IllegalArgumentException("--format is text or json");
        }
        Severity threshold = Severity.fromWire(failOn);
        for (Path p : against == null ? new Path[] {file} : new Path[] {file, against}) {
            if (!Files.isRegularFile(p)) {
                throw new IllegalArgumentException("no such file: " + p);
            }
        }
        Clock clock = Clock.systemUTC();
        PackageFormat packageFormat =
                Portcullis.registryFor(file.getFileName().toString(), ecosystem).format();
        Inspector inspector = new Inspector(Limits.DEFAULT, clock);
        Inspection inspection = inspector.inspect(file, file.getFileName().toString(), packageFormat);
        ReleaseDiff diff = null;
        if (against != null) {
            Inspection previous =
                    inspector.inspect(against, against.getFileName().toString(), packageFormat);
            diff = ReleaseDiff.between(previous, against, inspection, file, packageFormat, Limits.DEFAULT, clock);
        }
        Report report = new Report(inspection, diff);
        PrintWriter out = spec.commandLine().getOut();
        if (format.equals("json")) {
            try {
                out.println(new ObjectMapper()
                        .enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(report));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        } else {
            report.print(out, showDiffs);
        }
        return report.maxSeverity().atLeast(threshold) ? 1 : 0;
    }
}
