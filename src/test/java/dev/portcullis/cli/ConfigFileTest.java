package dev.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.app.Settings;
import dev.portcullis.testing.CliRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code portcullis.yaml}: keys are the serve options (flat or grouped by their first word); the
 * command line wins over {@code PORTCULLIS_} variables, which win over the file, which wins over the
 * defaults; unknown keys and secrets in the file are refused by name; {@code config check} says so
 * without starting anything.
 */
class ConfigFileTest {

    @TempDir
    Path dir;

    private Path write(String yaml) throws Exception {
        Path file = dir.resolve("portcullis-" + System.nanoTime() + ".yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private static Settings serve(Map<String, String> environment, String... args) throws Exception {
        ServeCommand command = new ServeCommand();
        command.environment = environment;
        new CommandLine(command).parseArgs(args);
        return command.settings();
    }

    @Test
    void theCommandLineWinsOverTheEnvironmentWhichWinsOverTheFile() throws Exception {
        Path file = write("""
                data: DATA
                port: 9002
                base_url: https://portcullis.example.com
                max-file-size: 2G
                web:
                  session-idle: 10m
                  session-max: 8h
                trusted-proxy: [10.0.0.5, 10.1.0.0/16]
                smtp:
                  host: mail.example.com
                  port: 587
                """.replace("DATA", dir.resolve("data").toString()));
        Settings fromFile = serve(Map.of(), "--config", file.toString());
        assertThat(fromFile.port()).isEqualTo(9002);
        assertThat(fromFile.baseUrl()).isEqualTo("https://portcullis.example.com");
        assertThat(fromFile.publish().maxFileBytes()).isEqualTo(2L << 30);
        assertThat(fromFile.web().sessionIdle()).hasMinutes(10);
        assertThat(fromFile.http().trustedProxies()).hasSize(2);
        assertThat(fromFile.smtp().host()).isEqualTo("mail.example.com");
        assertThat(fromFile.smtp().port()).isEqualTo(587);
        assertThat(fromFile.dataDir()).isEqualTo(dir.resolve("data"));

        Settings fromEnvironment = serve(Map.of("PORTCULLIS_PORT", "9001"), "--config", file.toString());
        assertThat(fromEnvironment.port()).isEqualTo(9001);
        assertThat(fromEnvironment.smtp().port())
                .as("the rest still from the file")
                .isEqualTo(587);

        Settings fromFlag = serve(Map.of("PORTCULLIS_PORT", "9001"), "--config", file.toString(), "--port", "9000");
        assertThat(fromFlag.port()).isEqualTo(9000);

        // Without a file the environment still sets any option (lists: space- or comma-separated).
        Settings environmentOnly = serve(
                Map.of("PORTCULLIS_OUTBOUND_ALLOW", "hooks.internal, 10.2.0.0/16", "PORTCULLIS_WEB_SESSION_MAX", "2h"));
        assertThat(environmentOnly.outbound().toString()).contains("hooks.internal");
        assertThat(environmentOnly.web().sessionMax()).hasHours(2);
    }

    @Test
    void unknownKeysSecretsAndBadValuesAreRefusedByName() throws Exception {
        CliRunner.Output ok = CliRunner.run(
                "config", "check", write("port: 8081\nsmtp:\n  host: mail\n").toString());
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("ok:", "port", "smtp-host", "would listen on 127.0.0.1:8081");

        CliRunner.Output typo =
                CliRunner.run("config", "check", write("smtp:\n  hots: mail\n").toString());
        assertThat(typo.code()).isEqualTo(2);
        assertThat(typo.err()).contains("unknown configuration key smtp-hots");

        CliRunner.Output secret = CliRunner.run(
                "config", "check", write("smtp-password: hunter2\n").toString());
        assertThat(secret.code()).isEqualTo(2);
        assertThat(secret.err())
                .contains("secrets are never written in the file")
                .doesNotContain("hunter2");

        CliRunner.Output url = CliRunner.run(
                "config",
                "check",
                write("database: postgresql://app:hunter2@db/portcullis\n").toString());
        assertThat(url.code()).isEqualTo(2);
        assertThat(url.err()).contains("database-password-file").doesNotContain("hunter2");
        Path password = dir.resolve("db-password");
        Files.writeString(password, "s3cret\n");
        Settings withFile = serve(
                Map.of(),
                "--config",
                write("database: postgresql://app@db/portcullis\ndatabase-password-file: " + password + "\n")
                        .toString());
        assertThat(withFile.database().user()).isEqualTo("app");
        assertThat(withFile.database().password()).isEqualTo("s3cret");

        CliRunner.Output number =
                CliRunner.run("config", "check", write("port: eighty\n").toString());
        assertThat(number.code()).isEqualTo(2);
        assertThat(number.err()).contains("configuration key port is a number");

        CliRunner.Output duration = CliRunner.run(
                "config", "check", write("web-session-idle: soon\n").toString());
        assertThat(duration.code()).isEqualTo(2);
        assertThat(duration.err()).contains("soon");
    }
}
