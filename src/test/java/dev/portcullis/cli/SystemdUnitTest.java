package dev.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.ServerProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deploy/systemd/portcullis.service}: systemd's own checker finds nothing wrong with it, and
 * its {@code ExecStart}, with the directories systemd would give it, starts a server that becomes
 * ready and stops with an exit status the unit counts as success.
 */
class SystemdUnitTest {

    private static final Path UNIT = Path.of("deploy", "systemd", "portcullis.service");

    @TempDir
    Path dir;

    private static String value(String key) throws Exception {
        return Files.readAllLines(UNIT).stream()
                .filter(line -> line.startsWith(key + "="))
                .map(line -> line.substring(key.length() + 1))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + key + " in " + UNIT));
    }

    @Test
    void systemdAcceptsTheUnit() throws Exception {
        Process verify = new ProcessBuilder("systemd-analyze", "verify", UNIT.toString())
                .redirectErrorStream(true)
                .start();
        String said = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(verify.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(verify.exitValue()).as(said).isZero();
        assertThat(said.lines().filter(line -> line.contains("portcullis.service")))
                .as("what systemd-analyze says about the unit")
                .isEmpty();
    }

    @Test
    void itsCommandServesFromTheDirectoriesSystemdGivesIt() throws Exception {
        Path configuration = Files.createDirectories(dir.resolve("etc"));
        Path state = Files.createDirectories(dir.resolve("state"));
        Files.writeString(configuration.resolve("portcullis.yaml"), "host: 127.0.0.1\nport: 0\n");
        List<String> command = new ArrayList<>();
        List<String> words = Arrays.asList(value("ExecStart").split(" "));
        assertThat(words).containsSubsequence("-jar", "/opt/portcullis/portcullis.jar", "serve");
        for (int i = 0; i < words.size(); i++) {
            String word = words.get(i);
            if (i == 0) {
                // The unit names an installed runtime; the test runs the one it runs on.
                command.add(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString());
            } else if (word.equals("-jar")) {
                // The jar is built after the tests: the same classes from the test's class path.
                command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.portcullis.Main"));
                i++;
            } else {
                command.add(word.replace("${CONFIGURATION_DIRECTORY}", configuration.toString())
                        .replace("${STATE_DIRECTORY}", state.toString()));
            }
        }
        try (ServerProcess server = ServerProcess.run(command)) {
            HttpResponse<String> ready = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(server.url() + "/readyz"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
            assertThat(state.resolve("portcullis.db"))
                    .as("the data in the state directory")
                    .exists();
            int status = server.stop();
            List<String> success =
                    new ArrayList<>(List.of(value("SuccessExitStatus").split(" ")));
            success.add("0"); // always a success to systemd
            assertThat(success).as("SIGTERM's exit status counts as success").contains(String.valueOf(status));
        }
    }
}
