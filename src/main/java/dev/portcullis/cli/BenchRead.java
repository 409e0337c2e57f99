package dev.portcullis.cli;

import dev.portcullis.audit.drill.StandIn;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The read path next to a static web server: a Portcullis on its embedded default with one released
 * wheel, and nginx serving the very bytes Portcullis served (its PEP 691 index page and the wheel)
 * as static files, both loaded by wrk in the same run (docs/PERFORMANCE.md).
 */
@Command(
        name = "read",
        description = {
            "Start a Portcullis with one released wheel and nginx with the same bytes as static files, load both with wrk,",
            "and print requests per second side by side for the PEP 691 index page and a download of the wheel."
        })
final class BenchRead implements Callable<Integer> {

    private static final String JSON_V1 = "application/vnd.pypi.simple.v1+json";
    private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern ERRORS = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)");

    @Option(
            names = "--duration",
            defaultValue = "8",
            description = "Seconds per measurement. Default: ${DEFAULT-VALUE}.")
    int seconds;

    @Option(
            names = "--connections",
            defaultValue = "32",
            description = "Connections wrk keeps open. Default: ${DEFAULT-VALUE}.")
    int connections;

    @Option(names = "--threads", defaultValue = "2", description = "wrk threads. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(
            names = "--wheel-kb",
            defaultValue = "300",
            description = "Size of the released wheel's data. Default: ${DEFAULT-VALUE}.")
    int wheelKb;

    @Option(
            names = "--hold",
            description = "Keep Portcullis running after the figures until interrupted (to profile it).")
    boolean hold;

    @Spec
    CommandSpec spec;

    record Target(String label, String path, String accept) {}

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (which("wrk").isEmpty()) {
            out.println("bench read needs wrk (Debian: apt-get install wrk), and nginx for the baseline");
            return 1;
        }
        Path dir = Files.createTempDirectory("portcullis-bench-read-");
        String project = "benchpkg";
        String version = "1.0.0";
        Path wheel = dir.resolve(StandIn.wheelName(project, version));
        Files.write(
                wheel,
                StandIn.wheel(
                        project,
                        version,
                        Map.of(
                                "benchpkg/__init__.py",
                                "VERSION = '1.0.0'\n".getBytes(StandardCharsets.UTF_8),
                                "benchpkg/model.bin",
                                StandIn.modelData(wheelKb * 1000, 7)),
                        List.of()));
        try (BenchServer server = new BenchServer(dir.resolve("portcullis"))) {
            require("upload", server.upload(project, version, wheel), 200);
            require("approve", server.approve(project, version), 200);
            String index = "/simple/" + project + "/";
            String file = "/files/" + project + "/" + wheel.getFileName();
            HttpResponse<byte[]> page = server.get(index, JSON_V1);
            HttpResponse<byte[]> bytes = server.get(file, "*/*");
            require("index page", page, 200);
            require("download", bytes, 200);
            List<Target> targets = List.of(
                    new Target("GET /simple/<p>/ (PEP 691 JSON)", index, JSON_V1),
                    new Target(
                            "download of the wheel (" + dev.portcullis.inspect.Bytes.human(bytes.body().length) + ")",
                            file,
                            "*/*"));
            List<double[]> portcullis = new ArrayList<>();
            for (Target t : targets) {
                portcullis.add(wrk(server.url(), t));
            }
            List<double[]> nginx = new ArrayList<>();
            Process process = null;
            if (which("nginx").isPresent()) {
                Path root = dir.resolve("static");
                Files.createDirectories(root.resolve("simple").resolve(project));
                Files.createDirectories(root.resolve("files").resolve(project));
                Files.write(root.resolve("simple").resolve(project).resolve("index.json"), page.body());
                Files.write(root.resolve("files").resolve(project).resolve(wheel.getFileName()), bytes.body());
                // nginx's workers drop to an unprivileged user when started as root: the static copy must be readable.
                Files.setPosixFilePermissions(
                        dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
                int port = freePort();
                process = startNginx(dir, root, port);
                for (Target t : targets) {
                    nginx.add(wrk("http://127.0.0.1:" + port, t));
                }
            }
            try {
                print(out, targets, portcullis, nginx);
            } finally {
                if (process != null) {
                    process.destroy();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            }
            if (hold) {
                out.println(
                        "Portcullis stays up at " + server.url() + " (" + index + ", " + file + "); Ctrl-C ends it");
                out.flush();
                Thread.currentThread().join();
            }
        } finally {
            dev.portcullis.store.PrivateFiles.deleteTree(dir);
        }
        return 0;
    }

    private void print(PrintWriter out, List<Target> targets, List<double[]> portcullis, List<double[]> nginx) {
        out.printf(
                Locale.ROOT,
                "wrk -t%d -c%d -d%ds on %d cores, same run%n",
                threads,
                connections,
                seconds,
                Runtime.getRuntime().availableProcessors());
        out.printf(Locale.ROOT, "%-40s %14s %14s %8s%n", "path", "Portcullis/s", "nginx/s", "ratio");
        for (int i = 0; i < targets.size(); i++) {
            double p = portcullis.get(i)[0];
            String n = nginx.isEmpty() ? "(no nginx)" : String.format(Locale.ROOT, "%.0f", nginx.get(i)[0]);
            String ratio = nginx.isEmpty() ? "" : String.format(Locale.ROOT, "%.3f", p / nginx.get(i)[0]);
            out.printf(Locale.ROOT, "%-40s %14.0f %14s %8s%n", targets.get(i).label(), p, n, ratio);
            if (portcullis.get(i)[1] > 0 || (!nginx.isEmpty() && nginx.get(i)[1] > 0)) {
                out.printf(
                        Locale.ROOT,
                        "  non-2xx responses: Portcullis %.0f, nginx %.0f — the figures above do not count%n",
                        portcullis.get(i)[1],
                        nginx.isEmpty() ? 0 : nginx.get(i)[1]);
            }
        }
        out.println("goal: ratio >= 0.5 for both (docs/PERFORMANCE.md)");
    }

    static void require(String what, HttpResponse<?> response, int expected) {
        if (response.statusCode() != expected) {
            Object body = response.body();
            throw new IllegalStateException(what + " answered " + response.statusCode() + ", expected " + expected
                    + ": " + (body instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : body));
        }
    }

    /** Requests per second and non-2xx responses of one wrk run (after a short warm-up run). */
    private double[] wrk(String base, Target target) throws IOException, InterruptedException {
        run(List.of("wrk", "-t1", "-c4", "-d2s", "-H", "Accept: " + target.accept(), base + target.path()));
        String output = run(List.of(
                "wrk",
                "-t" + threads,
                "-c" + connections,
                "-d" + seconds + "s",
                "-H",
                "Accept: " + target.accept(),
                base + target.path()));
        Matcher rate = RATE.matcher(output);
        if (!rate.find()) {
            throw new IllegalStateException("wrk printed no rate:\n" + output);
        }
        Matcher errors = ERRORS.matcher(output);
        return new double[] {Double.parseDouble(rate.group(1)), errors.find() ? Double.parseDouble(errors.group(1)) : 0
        };
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
        }
        return output;
    }

    static Process startNginx(Path dir, Path root, int port) throws IOException, InterruptedException {
        Path conf = dir.resolve("nginx.conf");
        String config = String.join(
                "\n",
                "daemon off;",
                "worker_processes auto;",
                "pid " + dir.resolve("nginx.pid") + ";",
                "error_log " + dir.resolve("nginx-error.log") + ";",
                "events { worker_connections 1024; }",
                "http {",
                "  access_log off;",
                "  sendfile on;",
                "  tcp_nopush on;",
                "  keepalive_requests 1000000;",
                "  client_body_temp_path " + dir.resolve("nginx-tmp") + ";",
                "  default_type application/octet-stream;",
                "  server {",
                "    listen 127.0.0.1:" + port + ";",
                "    root " + root + ";",
                "    location /simple/ { default_type " + JSON_V1 + "; index index.json; }",
                "  }",
                "}",
                "");
        Files.writeString(conf, config);
        Process process = new ProcessBuilder(
                        which("nginx").orElseThrow().toString(), "-p", dir.toString(), "-c", conf.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("nginx.out").toFile())
                .start();
        return awaitListening(process, port, dir.resolve("nginx.out"), "nginx");
    }

    /** {@code process} once it accepts connections on {@code port} (up to 30 s); its output in the error if it dies. */
    static Process awaitListening(Process process, int port, Path output, String what)
            throws IOException, InterruptedException {
        for (int i = 0; i < 300; i++) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                return process;
            } catch (IOException notYet) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(what + " did not start: " + Files.readString(output));
                }
                Thread.sleep(100);
            }
        }
        process.destroy();
        throw new IllegalStateException(what + " did not listen on " + port);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Where {@code program} is: on the PATH, or in /usr/sbin (Debian's nginx, outside a user's PATH). */
    static java.util.Optional<Path> which(String program) {
        String path = System.getenv("PATH");
        List<String> dirs = new ArrayList<>(List.of((path == null ? "" : path).split(":")));
        dirs.add("/usr/sbin");
        return dirs.stream()
                .filter(d -> !d.isEmpty())
                .map(d -> Path.of(d, program))
                .filter(Files::isExecutable)
                .findFirst();
    }
}
