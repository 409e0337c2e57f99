package dev.portcullis.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code portcullis serve} in its own JVM (this JVM's classpath, a given heap), for tests that
 * kill the server or bound its memory.
 */
public final class ServerProcess implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("Portcullis listening on (http://\\S+)");

    private final Process process;
    private final String url;
    private final StringBuilder log;

    private ServerProcess(Process process, String url, StringBuilder log) {
        this.process = process;
        this.url = url;
        this.log = log;
    }

    /** Everything the server printed so far (for assertion messages). */
    public String log() {
        synchronized (log) {
            return log.toString();
        }
    }

    public static ServerProcess start(Path data, String database, String heap, String... extra) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap,
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                "dev.portcullis.Main",
                "serve",
                "--data",
                data.toString(),
                "--port",
                "0"));
        if (database != null) {
            command.add("--database");
            command.add(database);
        }
        command.addAll(List.of(extra));
        return run(command);
    }

    /** Runs {@code command} (one that ends in {@code serve}'s options) and waits until it listens. */
    public static ServerProcess run(List<String> command) {
        try {
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            CompletableFuture<String> url = new CompletableFuture<>();
            StringBuilder log = new StringBuilder();
            Thread.ofVirtual().start(() -> {
                try {
                    String line;
                    while ((line = out.readLine()) != null) {
                        synchronized (log) {
                            log.append(line).append('\n');
                        }
                        Matcher m = LISTENING.matcher(line);
                        if (m.find()) {
                            url.complete(m.group(1));
                        }
                    }
                } catch (IOException e) {
                    // process ended
                }
                url.completeExceptionally(new IllegalStateException("server exited:\n" + log));
            });
            return new ServerProcess(process, url.get(60, TimeUnit.SECONDS), log);
        } catch (Exception e) {
            throw new IllegalStateException("server did not start", e);
        }
    }

    public String url() {
        return url;
    }

    /** SIGKILL: no shutdown hook, no cleanup, as in a crash or the OOM killer. */
    public void kill() {
        process.destroyForcibly();
        waitFor();
    }

    /** SIGTERM: graceful shutdown. Returns the exit code. */
    public int stop() {
        process.destroy();
        return waitFor();
    }

    private int waitFor() {
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("server did not stop");
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException(e));
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }
}
