package dev.portcullis.cli;

import dev.portcullis.app.Settings;
import dev.portcullis.store.Backup;
import dev.portcullis.store.PrivateFiles;
import dev.portcullis.store.S3Blobs;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code portcullis backup} and {@code portcullis restore} (docs/OPERATIONS.md). */
final class BackupCommand {

    private BackupCommand() {}

    /** The passphrase that encrypts the keys: a file's first line, or PORTCULLIS_BACKUP_PASSPHRASE. */
    static char[] passphrase(Path file, boolean required) throws java.io.IOException {
        String text = file != null
                ? Files.readAllLines(file).stream().findFirst().orElse("")
                : System.getenv("PORTCULLIS_BACKUP_PASSPHRASE");
        if (text == null || text.isBlank()) {
            if (required) {
                throw new IllegalArgumentException("the keys are encrypted with a passphrase: give --passphrase-file"
                        + " FILE or set PORTCULLIS_BACKUP_PASSPHRASE (or --no-keys to leave the keys out)");
            }
            return null;
        }
        if (text.strip().length() < 12) {
            throw new IllegalArgumentException("the passphrase must be at least 12 characters");
        }
        return text.strip().toCharArray();
    }

    @Command(
            name = "backup",
            description = {
                "Write an online, consistent backup of this installation into an empty directory: every table",
                "(one snapshot), the blobs (each checked), the checkpoint log, and the keys encrypted with a",
                "passphrase. The server may keep running."
            })
    static final class Write implements Callable<Integer> {
        @Mixin
        DataOptions data;

        @Option(
                names = "--to",
                required = true,
                paramLabel = "DIR|s3://BUCKET/PREFIX",
                description = "Empty or new directory, or an empty bucket prefix (with the --s3-… options).")
        String to;

        @Option(
                names = "--passphrase-file",
                paramLabel = "FILE",
                description = "File whose first line encrypts the keys (else PORTCULLIS_BACKUP_PASSPHRASE).")
        Path passphraseFile;

        @Option(names = "--no-keys", description = "Leave the keys out (back them up some other way).")
        boolean noKeys;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Settings settings = data.existingSettings();
            char[] passphrase = noKeys ? null : passphrase(passphraseFile, true);
            S3Blobs bucket = to.startsWith("s3://") ? new S3Blobs(data.bucket(to, 0)) : null;
            Path dir = bucket == null ? Path.of(to) : Files.createTempDirectory("portcullis-backup-");
            Backup.Summary summary;
            try {
                if (bucket != null) {
                    Files.delete(dir); // Backup.write creates it, owner-only
                    if (bucket.holdsAnything()) {
                        throw new IllegalArgumentException(to + " is not empty: back up into a new prefix");
                    }
                }
                summary = Backup.write(
                        settings.database(),
                        settings.blobs(),
                        settings.dataDir(),
                        dir,
                        passphrase,
                        java.time.Clock.systemUTC().instant());
                if (bucket != null) {
                    bucket.uploadTree(dir);
                }
            } finally {
                if (bucket != null) {
                    PrivateFiles.deleteTree(dir); // it holds every row and the encrypted keys
                    bucket.close();
                }
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println("backup written to " + (bucket == null ? dir.toAbsolutePath() : to) + ": schema "
                    + summary.schemaVersion() + ", "
                    + summary.tables().size() + " tables, " + summary.rows() + " rows, " + summary.blobs() + " blobs ("
                    + dev.portcullis.inspect.Bytes.human(summary.blobBytes()) + ")"
                    + (summary.keys() ? ", keys encrypted in keys.enc" : ", keys NOT included"));
            return 0;
        }
    }

    @Command(
            name = "restore",
            description = {
                "Restore a backup into an empty installation: a new data directory and an empty database",
                "(--database; default the SQLite file in the new data directory). Everything is checked before",
                "anything is written; then run `portcullis audit verify-log` and start the server."
            })
    static final class Restore implements Callable<Integer> {
        @Mixin
        DataOptions data;

        @Option(
                names = "--from",
                required = true,
                paramLabel = "DIR|s3://BUCKET/PREFIX",
                description = "The backup: a directory, or a bucket prefix (with the --s3-… options).")
        String from;

        @Option(
                names = "--passphrase-file",
                paramLabel = "FILE",
                description = "File whose first line opens the keys (else PORTCULLIS_BACKUP_PASSPHRASE).")
        Path passphraseFile;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Settings settings = data.settings();
            Backup.Summary summary;
            if (from.startsWith("s3://")) {
                Path dir = Files.createTempDirectory("portcullis-restore-");
                try (S3Blobs bucket = new S3Blobs(data.bucket(from, 0))) {
                    if (bucket.downloadTree(dir) == 0) {
                        throw new IllegalArgumentException("there is no backup at " + from);
                    }
                    summary = Backup.restore(
                            dir,
                            settings.database(),
                            settings.blobs(),
                            settings.dataDir(),
                            passphrase(passphraseFile, false));
                } finally {
                    PrivateFiles.deleteTree(dir); // it holds every row and the encrypted keys
                }
            } else {
                summary = Backup.restore(
                        Path.of(from),
                        settings.database(),
                        settings.blobs(),
                        settings.dataDir(),
                        passphrase(passphraseFile, false));
            }
            spec.commandLine()
                    .getOut()
                    .println("restored into " + settings.dataDir().toAbsolutePath() + " and "
                            + settings.database().describe() + ": schema " + summary.schemaVersion() + ", "
                            + summary.rows() + " rows, " + summary.blobs() + " blobs"
                            + (summary.keys()
                                    ? ", keys"
                                    : ", no keys (the server makes new ones: sealed secrets"
                                            + " and old checkpoints will not open)"));
            return 0;
        }
    }
}
