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
}
