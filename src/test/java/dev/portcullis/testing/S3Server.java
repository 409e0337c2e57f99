package dev.portcullis.testing;

import dev.portcullis.store.BlobSettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real S3-compatible server for tests: S3Proxy (fetched by the build into target/s3proxy) in its
 * own JVM, keeping its buckets as directories under {@code dir} — so a test can look at, damage or
 * remove what a bucket holds, and stop and start the service under a running Portcullis.
 */
public final class S3Server implements AutoCloseable {

    public static final String BUCKET = "portcullis-blobs";
    public static final String ACCESS_KEY = "portcullis-test";
    public static final String SECRET_KEY = "s3proxy-test-secret-0123456789";
    private static final Pattern STARTED =
            Pattern.compile("Started \\S*ServerConnector@\\w+\\{[^}]*\\}\\{[^:}]*:(\\d+)\\}");

    private final Path dir;
    private Process process;
    private int port;
    private final StringBuilder log = new StringBuilder();

    private S3Server(Path dir) {
        this.dir = dir;
    }

    /** Starts a server with an empty {@link #BUCKET}. */
    public static S3Server start(Path dir) {
        S3Server server = new S3Server(dir);
        try {
            Files.createDirectories(dir.resolve("buckets").resolve(BUCKET));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.run(0);
        return server;
    }

    private void run(int onPort) {
        Path jar = Path.of("target", "s3proxy", "s3proxy.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: the build copies it (mvn process-test-resources)");
        }
        try {
            Path properties = dir.resolve("s3proxy.properties");
            Files.writeString(
                    properties,
                    String.join(
                            "\n",
                            "s3proxy.endpoint=http://127.0.0.1:" + onPort,
                            "s3proxy.authorization=aws-v2-or-v4",
                            "s3proxy.identity=" + ACCESS_KEY,
                            "s3proxy.credential=" + SECRET_KEY,
                            "jclouds.provider=filesystem",
                            "jclouds.filesystem.basedir="
                                    + dir.resolve("buckets").toAbsolutePath(),
                            ""));
            process = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-Xmx256m",
                            "-jar",
                            jar.toAbsolutePath().toString(),
                            "--properties",
                            properties.toString())
                    .redirectErrorStream(true)
                    .start();
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            CompletableFuture<Integer> bound = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    String line;
                    while ((line = out.readLine()) != null) {
                        synchronized (log) {
                            log.append(line).append('\n');
                        }
                        Matcher m = STARTED.matcher(line);
                        if (m.find()) {
                            bound.complete(Integer.parseInt(m.group(1)));
                        }
                    }
                } catch (IOException e) {
                    // the process ended
                }
                bound.completeExceptionally(new IllegalStateException("s3proxy exited:\n" + log()));
            });
            port = bound.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("s3proxy did not start:\n" + log(), e);
        }
    }

    public String log() {
        synchronized (log) {
            return log.toString();
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** The settings that point Portcullis at {@link #BUCKET} under {@code prefix}. */
    public BlobSettings.S3 settings(String prefix, long cacheBytes) {
        return new BlobSettings.S3(endpoint(), "us-east-1", BUCKET, prefix, true, ACCESS_KEY, SECRET_KEY, cacheBytes);
    }

    /** The command-line options for the same (the secret through a file, as an operator would). */
    public List<String> options(String prefix, Path secretFile) {
        try {
            Files.writeString(secretFile, SECRET_KEY + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.of(
                "--blob-store",
                "s3://" + BUCKET + "/" + prefix,
                "--s3-endpoint",
                endpoint().toString(),
                "--s3-path-style",
                "--s3-access-key-id",
                ACCESS_KEY,
                "--s3-secret-access-key-file",
                secretFile.toString());
    }

    /** The files S3Proxy keeps for the bucket's objects under {@code prefix}, by SHA-256 (the object name). */
    public List<Path> objects(String prefix) {
        Path root = dir.resolve("buckets").resolve(BUCKET).resolve(prefix).resolve("sha256");
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The files S3Proxy keeps for every object under {@code prefix}. */
    public List<Path> files(String prefix) {
        Path root = dir.resolve("buckets").resolve(BUCKET).resolve(prefix);
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the service (its objects stay on disk). */
    public void stop() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Starts it again on the same port, with the same objects. */
    public void restart() {
        run(port);
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            stop();
        }
    }
}
