package dev.portcullis.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The root command. Errors are printed as one line, never as a stack trace. */
@Command(
        name = "portcullis",
        mixinStandardHelpOptions = true,
        version = "Portcullis 0.1.0",
        description = "A self-hosted publish gate for package registries.",
        subcommands = {
            ServeCommand.class,
            ConfigCommand.class,
            BackupCommand.Write.class,
            BackupCommand.Restore.class,
            AdminCommand.class,
            TokenCommand.class,
            MfaCommand.class,
            UserCommand.class,
            PublisherCommand.class,
            PolicyCommand.class,
            ProvenanceCommand.class,
            ReleaseCommand.class,
            AuditCommand.class,
            InspectCommand.class,
            BenchCommand.class,
            EventsCommand.class,
            WatchCommand.class,
            UpstreamCommand.class,
            DrillCommand.class,
            ReportCommand.class
        })
public final class Cli {

    private Cli() {}

    public static int run(String... args) {
        return run(
                new PrintWriter(System.out, true, System.out.charset()),
                new PrintWriter(System.err, true, System.err.charset()),
                args);
    }

    /**
     * The command tree: {@code -h}/{@code --help} on every command and subcommand, {@code portcullis
     * help COMMAND [SUBCOMMAND]}, and help text as wide as the terminal.
     */
    public static CommandLine command() {
        CommandLine cli = new CommandLine(new Cli());
        cli.addSubcommand("help", new HelpCommand());
        withHelp(cli);
        cli.setUsageHelpAutoWidth(true);
        return cli;
    }

    private static void withHelp(CommandLine command) {
        command.getCommandSpec().mixinStandardHelpOptions(true);
        for (CommandLine sub : command.getSubcommands().values()) {
            withHelp(sub);
        }
    }

    /** Runs a command with the given streams (tests run the CLI in-process this way). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = command();
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            commandLine.getErr().println("error: " + message);
            commandLine.getErr().flush();
            return e instanceof IllegalArgumentException || e instanceof dev.portcullis.core.Refusal.Invalid ? 2 : 1;
        });
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }
}
