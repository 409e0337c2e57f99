package dev.portcullis;

import dev.portcullis.cli.Cli;

/** Command-line entry point: {@code serve}, {@code admin}, {@code token}, {@code release}. */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        // Undertow and XNIO log through JBoss Logging; send it to SLF4J so one configuration applies.
        System.setProperty("org.jboss.logging.provider", "slf4j");
        System.exit(Cli.run(args));
    }
}
