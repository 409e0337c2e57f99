package dev.portcullis.testing;

import dev.portcullis.cli.Cli;
import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the real command line in-process and captures what it prints. */
public final class CliRunner {

    public record Output(int code, String out, String err) {}

    private CliRunner() {}

    public static Output run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Output(code, out.toString(), err.toString());
    }

    /** As {@link #run}, with {@code input} as standard input (how secrets reach commands that refuse them as arguments). */
    public static synchronized Output runWithStdin(String input, String... args) {
        java.io.InputStream original = System.in;
        System.setIn(new java.io.ByteArrayInputStream(input.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        try {
            return run(args);
        } finally {
            System.setIn(original);
        }
    }
}
