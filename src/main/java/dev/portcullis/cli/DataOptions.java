package dev.portcullis.cli;

import dev.portcullis.app.Settings;
import dev.portcullis.store.DatabaseSettings;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the data lives: shared by {@code serve} and the local administration commands. */
final class DataOptions {

    @Option(
            names = "--data",
            paramLabel = "DIR",
            description = "Data directory (embedded database and blobs). Default: ${DEFAULT-VALUE}.",
            defaultValue = "${env:PORTCULLIS_DATA:-portcullis-data}")
    Path data;

    @Option(
            names = "--database",
            paramLabel = "URL",
            description = "Metadata database: postgresql://user:password@host:port/db, or omit for the embedded"
                    + " SQLite file in the data directory. Also read from PORTCULLIS_DATABASE.",
            defaultValue = "${env:PORTCULLIS_DATABASE}")
    String database;

    /**
     * As {@link #settings}, for commands that work on an existing installation: a data directory
     * that does not exist is a mistyped path, said in a sentence, not a fresh empty one.
     */
    Settings existingSettings() {
        if (!java.nio.file.Files.isDirectory(data)) {
            throw new IllegalArgumentException("there is no Portcullis data directory at " + data.toAbsolutePath()
                    + ": pass --data DIR (or set PORTCULLIS_DATA), or create one with `portcullis admin init`");
        }
        return settings();
    }

    Settings settings() {
        // The sealing key comes only from the environment (never a command-line argument, which other
        // users of the machine can see); without it, the key file in the data directory is used.
        return Settings.defaults(data)
                .withDatabase(DatabaseSettings.parse(database, data))
                .withSecretKey(System.getenv("PORTCULLIS_SECRET_KEY"));
    }
}
