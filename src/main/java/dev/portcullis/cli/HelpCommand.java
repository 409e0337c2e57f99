package dev.portcullis.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code portcullis help [COMMAND [SUBCOMMAND…]]}: the help of any command in the tree. */
@Command(
        name = "help",
        description = "Show the help of a command: portcullis help release approve.",
        helpCommand = true)
final class HelpCommand implements Callable<Integer> {

    @Parameters(
            paramLabel = "COMMAND",
            arity = "0..*",
            description = "A command and its subcommands, e.g. release approve.")
    List<String> path = new ArrayList<>();

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        CommandLine target = spec.commandLine().getParent();
        for (String name : path) {
            CommandLine next = target.getSubcommands().get(name);
            if (next == null) {
                spec.commandLine()
                        .getErr()
                        .println("error: '" + String.join(" ", path) + "' is not a command; commands of "
                                + target.getCommandName() + ": "
                                + String.join(", ", target.getSubcommands().keySet()));
                return 2;
            }
            target = next;
        }
        target.usage(spec.commandLine().getOut());
        return 0;
    }
}
