package dev.portcullis.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Role;
import dev.portcullis.testing.CliRunner;
import dev.portcullis.testing.PythonClients;
import dev.portcullis.testing.TestDatabases;
import dev.portcullis.testing.TestServer;
import dev.portcullis.testing.Uploads;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A backup taken while the server runs restores into an empty installation that serves the same
 * releases to pip, keeps the held ones held, accepts the same tokens and second factors (the keys
 * came back), and whose event log verifies; a changed backup or a wrong passphrase restores
 * nothing.
 */
class BackupRestoreTest {

    @TempDir
    Path dir;

    /** From one database to the same kind, and across: the format is rows, not pages. */
    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> databases() {
        return java.util.stream.Stream.of(
                org.junit.jupiter.params.provider.Arguments.of("sqlite", "sqlite"),
                org.junit.jupiter.params.provider.Arguments.of("postgresql", "postgresql"),
                org.junit.jupiter.params.provider.Arguments.of("sqlite", "postgresql"));
    }

    @ParameterizedTest(name = "{0} to {1}")
    @MethodSource("databases")
    void anOnlineBackupRestoresIntoAnEmptyInstallation(String database, String into) throws Exception {
        Path passphrase = dir.resolve("passphrase");
        Files.writeString(passphrase, "correct horse battery staple\n");
        Path backup = dir.resolve("backup");
        try (TestServer server = TestServer.start(database, dir.resolve("original"))) {
            String uploader = server.token("ci", Role.MAINTAINER, "restored-pkg", Permission.UPLOAD);
            Path dist = PythonClients.buildSample("restored-pkg", "1.0.0");
            assertThat(PythonClients.twineUpload(server.url(), uploader, PythonClients.wheel(dist))
                            .exitCode())
                    .isZero();
            assertThat(server.approve("restored-pkg", "1.0.0").status()).isEqualTo(200);
            assertThat(Uploads.upload(server.url(), uploader, "restored-pkg", "1.1.0")
                            .status())
                    .isEqualTo(200);

            // Online: the server keeps running while the backup is taken.
            List<String> args = new ArrayList<>(List.of("backup"));
            args.addAll(List.of(server.localOptions()));
            args.addAll(List.of("--to", backup.toString(), "--passphrase-file", passphrase.toString()));
            CliRunner.Output written = CliRunner.run(args.toArray(String[]::new));
            assertThat(written.code()).as(written.err()).isZero();
            assertThat(written.out()).contains("keys encrypted in keys.enc");
            assertThat(Files.readString(backup.resolve("keys.enc"))).doesNotContain("secret");

            // Restore into an empty data directory and an empty database (SQLite: the new directory's file).
            Path restored = dir.resolve("restored");
            List<String> target = new ArrayList<>(List.of("--data", restored.toString()));
            String url = null;
            if (into.equals("postgresql")) {
                url = TestDatabases.postgresUrlWithFreshSchema();
                target.addAll(List.of("--database", url));
            }
            CliRunner.Output wrongPassphrase = restore(backup, target, dir.resolve("wrong"));
            assertThat(wrongPassphrase.code()).isEqualTo(1);
            assertThat(wrongPassphrase.err()).contains("passphrase does not open");
            assertThat(restored).as("nothing written").doesNotExist();
            CliRunner.Output done = restore(backup, target, passphrase);
            assertThat(done.code()).as(done.err()).isZero();

            List<String> verify = new ArrayList<>(List.of("audit", "verify-log"));
            verify.addAll(target);
            CliRunner.Output verified = CliRunner.run(verify.toArray(String[]::new));
            assertThat(verified.code()).as(verified.out() + verified.err()).isZero();
            assertThat(verified.out()).startsWith("intact:").doesNotContain("intact: 0 events");

            DatabaseSettings restoredDb = url == null
                    ? DatabaseSettings.sqlite(restored.resolve("portcullis.db"))
                    : DatabaseSettings.parse(url, restored);
            try (TestServer again = TestServer.start(restoredDb, restored, server.clock(), server.admin(), s -> s)) {
                Path site = dir.resolve("site");
                var installed = PythonClients.pipInstall(again.url(), site, "restored-pkg");
                assertThat(installed.exitCode()).as(installed.toString()).isZero();
                assertThat(again.release("restored-pkg", "1.1.0").path("state").asText())
                        .isEqualTo("held");
                // The same admin token and TOTP seed (sealed with the restored key) approve it.
                assertThat(again.approve("restored-pkg", "1.1.0").status()).isEqualTo(200);
                // New rows continue after the restored ones (PostgreSQL's identity sequences).
                assertThat(Uploads.upload(again.url(), uploader, "restored-pkg", "1.2.0")
                                .status())
                        .isEqualTo(200);
            }
        }

        // A backup whose table was changed restores nothing.
        Path events = backup.resolve("tables").resolve("events.jsonl");
        Files.writeString(events, Files.readString(events).replace("ReleaseApproved", "ReleaseRejected"));
        CliRunner.Output changed =
                restore(backup, List.of("--data", dir.resolve("tampered").toString()), passphrase);
        assertThat(changed.code()).isEqualTo(1);
        assertThat(changed.err()).contains("table events is missing or was changed");
        assertThat(dir.resolve("tampered")).doesNotExist();
    }

    private static CliRunner.Output restore(Path backup, List<String> target, Path passphrase) throws Exception {
        if (!Files.exists(passphrase)) {
            Files.writeString(passphrase, "not the passphrase at all\n");
        }
        List<String> args = new ArrayList<>(List.of("restore", "--from", backup.toString()));
        args.addAll(target);
        args.addAll(List.of("--passphrase-file", passphrase.toString()));
        return CliRunner.run(args.toArray(String[]::new));
    }
}
