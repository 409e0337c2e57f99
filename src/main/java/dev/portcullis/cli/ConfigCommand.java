package dev.portcullis.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code portcullis config check FILE}: validates a configuration file without starting anything. */
@Command(
        name = "config",
        description = "The configuration file (docs/CONFIGURATION.md).",
        subcommands = ConfigCommand.Check.class)
final class ConfigCommand {

    @Command(
            name = "check",
            description = {
                "Check a configuration file as serve would read it (with the environment's PORTCULLIS_ variables):",
                "every key known, every value valid. Starts nothing. Exit 0 when it is fine, 2 naming the problem."
            })
    static final class Check implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "The file (portcullis.yaml).")
        Path file;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (!java.nio.file.Files.isRegularFile(file)) {
                throw new IllegalArgumentException("there is no file " + file);
            }
            CommandLine serve = new CommandLine(new ServeCommand());
            serve.parseArgs("--config", file.toString());
            ServeCommand command = serve.getCommand();
            dev.portcullis.app.Settings settings = command.settings();
            java.util.List<String> used = command.configKeysUsed;
            spec.commandLine()
                    .getOut()
                    .println("ok: " + file + " (" + used.size() + " keys: " + String.join(", ", used)
                            + "); would listen on "
                            + settings.host() + ":" + settings.port() + ", data " + settings.dataDir() + ", database "
                            + settings.database().describe());
            return 0;
        }
    }
}
