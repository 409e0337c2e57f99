package dev.portcullis.cli;

import dev.portcullis.app.Portcullis;
import dev.portcullis.app.Settings;
import dev.portcullis.audit.drill.StandIn;
import dev.portcullis.store.DatabaseSettings;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Mixed traffic through one, two and three Portcullis instances sharing one PostgreSQL database
 * and one blob directory (the single-machine stand-in for a bucket): index reads, downloads and
 * uploads, round-robin over the instances. Prints throughput and latency per mix, with one
 * instance as the same-run baseline, and checks the effects that must happen once.
 */
@Command(
        name = "cluster",
        description = {
            "Start 1, 2 and 3 instances on one PostgreSQL database, load them with mixed traffic (index reads, downloads,",
            "uploads) round-robin, and print requests per second and p50/p99 latency for each, with exactly-once checks."
        })
final class BenchCluster implements Callable<Integer> {

    @Option(
            names = "--database",
            paramLabel = "URL",
            defaultValue = "${env:PORTCULLIS_DATABASE}",
            description =
                    "PostgreSQL (postgresql://user:password@host:port/db); each run gets a schema of its own, dropped after.")
    String database;

    @Option(
            names = "--instances",
            defaultValue = "1,2,3",
            split = ",",
            description = "Instance counts to measure. Default: ${DEFAULT-VALUE}.")
    int[] instances;

    @Option(names = "--duration", defaultValue = "15s", description = "Load per run. Default: ${DEFAULT-VALUE}.")
    String duration;

    @Option(names = "--clients", defaultValue = "32", description = "Concurrent clients. Default: ${DEFAULT-VALUE}.")
    int clients;

    @Option(
            names = "--upload-percent",
            defaultValue = "2",
            description =
                    "Share of requests that are uploads (the rest: 8% downloads, index reads). Default: ${DEFAULT-VALUE}.")
    int uploadPercent;

    @Spec
    CommandSpec spec;

    private static final String PROJECT = "bench-cluster";
    private static final String JSON_V1 = "application/vnd.pypi.simple.v1+json";

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (database == null || !database.startsWith("postgresql://")) {
            out.println("bench cluster needs a PostgreSQL database: --database postgresql://user:password@host:port/db"
                    + " (several instances cannot share an embedded SQLite file)");
            return 1;
        }
        long millis = Durations.parse(duration).toMillis();
        out.printf(
                java.util.Locale.ROOT,
                "%d clients, %s per run, %d%% uploads, %d%% downloads, the rest index reads (PEP 691 JSON), on %d cores%n",
                clients,
                duration,
                uploadPercent,
                8,
                Runtime.getRuntime().availableProcessors());
        out.printf(
                java.util.Locale.ROOT,
                "%-10s %10s %9s %9s %9s %9s %9s %8s  %s%n",
                "instances",
                "requests/s",
                "p50 ms",
                "p99 ms",
                "read p99",
                "dl p99",
                "up p99",
                "errors",
                "exactly once");
        double baseline = 0;
        for (int n : instances) {
            Result r = run(n, millis);
            if (baseline == 0) {
                baseline = r.perSecond;
            }
            out.printf(
                    java.util.Locale.ROOT,
                    "%-10d %10.0f %9.1f %9.1f %9.1f %9.1f %9.1f %8d  %s%s%n",
                    n,
                    r.perSecond,
                    r.all.p50(),
                    r.all.p99(),
                    r.reads.p99(),
                    r.downloads.p99(),
                    r.uploads.p99(),
                    r.errors,
                    r.exactlyOnce,
                    n == instances[0]
                            ? " (baseline)"
                            : String.format(java.util.Locale.ROOT, " (%.2fx)", r.perSecond / baseline));
            out.flush();
        }
        return 0;
    }

    private record Latencies(long[] nanos, int count) {
        double p50() {
            return at(0.50);
        }

        double p99() {
            return at(0.99);
        }

        private double at(double q) {
            if (count == 0) {
                return 0;
            }
            long[] sorted = Arrays.copyOf(nanos, count);
            Arrays.sort(sorted);
            return sorted[Math.min(count - 1, (int) Math.ceil(q * count) - 1)] / 1e6;
        }
    }

    private record Result(
            double perSecond,
            Latencies all,
            Latencies reads,
            Latencies downloads,
            Latencies uploads,
            long errors,
            String exactlyOnce) {}

    /** Latencies of one kind of request, from every client. */
    private static final class Recorder {
        private long[] nanos = new long[1 << 16];
        private int count;

        synchronized void add(long n) {
            if (count == nanos.length) {
                nanos = Arrays.copyOf(nanos, nanos.length * 2);
            }
            nanos[count++] = n;
        }

        synchronized Latencies snapshot() {
            return new Latencies(Arrays.copyOf(nanos, count), count);
        }
    }

    private Result run(int n, long millis) throws Exception {
        String schema = "bench_cluster_" + n + "_" + Long.toHexString(new SecureRandom().nextLong() >>> 16);
        DatabaseSettings base = DatabaseSettings.parse(database, Path.of("."));
        try (Connection c = DriverManager.getConnection(base.jdbcUrl(), base.user(), base.password());
                Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        Path data = Files.createTempDirectory("portcullis-bench-cluster-");
        Settings settings = Settings.defaults(data)
                .withListener("127.0.0.1", 0)
                .withDatabase(DatabaseSettings.parse(
                        database + (database.contains("?") ? "&" : "?") + "currentSchema=" + schema, data));
        List<Portcullis> others = new ArrayList<>();
        try (BenchServer first = new BenchServer(settings)) {
            List<String> urls = new ArrayList<>(List.of(first.url()));
            for (int i = 1; i < n; i++) {
                Portcullis other = Portcullis.open(settings, Clock.systemUTC(), new SecureRandom());
                others.add(other);
                urls.add("http://127.0.0.1:" + other.serve());
            }
            // Released history to read: five versions, uploaded and approved as clients do.
            List<String> files = new ArrayList<>();
            for (int v = 0; v < 5; v++) {
                String version = "1." + v + ".0";
                Path wheel = data.resolve(StandIn.wheelName(PROJECT, version));
                Files.write(wheel, wheel(version));
                BenchRead.require("upload", first.upload(PROJECT, version, wheel), 200);
                BenchRead.require("approve", first.approve(PROJECT, version), 200);
                files.add("/files/" + PROJECT + "/" + wheel.getFileName());
            }
            Recorder all = new Recorder();
            Recorder reads = new Recorder();
            Recorder downloads = new Recorder();
            Recorder uploads = new Recorder();
            AtomicInteger errors = new AtomicInteger();
            AtomicInteger uploaded = new AtomicInteger();
            AtomicInteger nextVersion = new AtomicInteger();
            AtomicInteger nextInstance = new AtomicInteger();
            HttpClient http = HttpClient.newBuilder().build();
            long deadline = System.nanoTime() + millis * 1_000_000;
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < clients; t++) {
                threads.add(Thread.ofVirtual().start(() -> {
                    while (System.nanoTime() < deadline) {
                        String url = urls.get(Math.floorMod(nextInstance.getAndIncrement(), urls.size()));
                        int dice = ThreadLocalRandom.current().nextInt(100);
                        long start = System.nanoTime();
                        try {
                            Recorder kind;
                            boolean ok;
                            if (dice < uploadPercent) {
                                String version = "2." + nextVersion.getAndIncrement() + ".0";
                                Path named = Files.createDirectories(
                                                data.resolve("uploads").resolve(version))
                                        .resolve(StandIn.wheelName(PROJECT, version));
                                Files.write(named, wheel(version));
                                ok = first.uploadTo(url, PROJECT, version, named)
                                                .statusCode()
                                        == 200;
                                Files.delete(named);
                                if (ok) {
                                    uploaded.incrementAndGet();
                                }
                                kind = uploads;
                            } else if (dice < uploadPercent + 8) {
                                String file =
                                        files.get(ThreadLocalRandom.current().nextInt(files.size()));
                                ok = http.send(
                                                        HttpRequest.newBuilder(URI.create(url + file))
                                                                .build(),
                                                        HttpResponse.BodyHandlers.discarding())
                                                .statusCode()
                                        == 200;
                                kind = downloads;
                            } else {
                                ok = http.send(
                                                        HttpRequest.newBuilder(
                                                                        URI.create(url + "/simple/" + PROJECT + "/"))
                                                                .header("Accept", JSON_V1)
                                                                .build(),
                                                        HttpResponse.BodyHandlers.discarding())
                                                .statusCode()
                                        == 200;
                                kind = reads;
                            }
                            long took = System.nanoTime() - start;
                            if (ok) {
                                kind.add(took);
                                all.add(took);
                            } else {
                                errors.incrementAndGet();
                            }
                        } catch (Exception e) {
                            errors.incrementAndGet();
                        }
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            Latencies total = all.snapshot();
            // Exactly once: one UploadStaged event per accepted upload, one leader.
            long staged = first.app()
                    .events()
                    .list(null, "UploadStaged", 0, 1_000_000)
                    .size();
            long leaders = (first.app().leading() ? 1 : 0)
                    + others.stream().filter(Portcullis::leading).count();
            String once = "staged " + staged + " for " + (uploaded.get() + files.size()) + " uploads, " + leaders
                    + " leader" + (staged == uploaded.get() + files.size() && leaders == 1 ? ": ok" : ": WRONG");
            return new Result(
                    total.count() / (millis / 1000.0),
                    total,
                    reads.snapshot(),
                    downloads.snapshot(),
                    uploads.snapshot(),
                    errors.get(),
                    once);
        } finally {
            others.forEach(Portcullis::close);
            dev.portcullis.store.PrivateFiles.deleteTree(data);
            try (Connection c = DriverManager.getConnection(base.jdbcUrl(), base.user(), base.password());
                    Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    private static byte[] wheel(String version) {
        return StandIn.wheel(
                PROJECT,
                version,
                Map.of(
                        "bench_cluster/__init__.py",
                        ("VERSION = '" + version + "'\n").getBytes(StandardCharsets.UTF_8),
                        "bench_cluster/data.bin",
                        StandIn.modelData(200_000, version.hashCode())),
                List.of());
    }
}
