package dev.portcullis.cli;

import dev.portcullis.inspect.Bytes;
import dev.portcullis.inspect.Inspection;
import dev.portcullis.inspect.Inspector;
import dev.portcullis.inspect.Limits;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Benchmarks that print figures next to baselines measured in the same run on the same machine
 * (docs/INSPECTION.md, "Performance"). Never part of the test suite's pass/fail.
 */
@Command(
        name = "bench",
        description = "Measure performance against same-run baselines.",
        subcommands = {
            BenchRead.class,
            BenchUpload.class,
            BenchMaven.class,
            BenchNpm.class,
            BenchPage.class,
            BenchCluster.class,
            BenchCommand.Inspect.class,
            BenchDetection.class,
            BenchCommand.Detectors.class
        })
final class BenchCommand {

    @Command(
            name = "detectors",
            description = {
                "Replay synthetic release events through every detector, each assessed against its project's baseline and then learned;",
                "print events per second and microseconds per assessment next to a pass that only builds the events, and heap after 10% and 100%."
            })
    static final class Detectors implements Callable<Integer> {
        @Option(
                names = "--events",
                defaultValue = "1000000",
                description = "Release events to replay. Default: ${DEFAULT-VALUE}.")
        int events;

        @Option(
                names = "--projects",
                defaultValue = "1000",
                description = "Projects they belong to. Default: ${DEFAULT-VALUE}.")
        int projects;

        @Option(
                names = "--history",
                defaultValue = "10000",
                description =
                        "Released versions of the largest project on the gate's real path. Default: ${DEFAULT-VALUE}.")
        int history;

        @Option(
                names = "--history-projects",
                defaultValue = "100",
                description = "Projects in the database on the gate's real path. Default: ${DEFAULT-VALUE}.")
        int historyProjects;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            java.util.function.IntFunction<dev.portcullis.detect.ReleaseFacts> event = i -> {
                int project = (int) ((i * 2654435761L) % projects);
                java.time.Instant at =
                        java.time.Instant.parse("2026-01-01T00:00:00Z").plusSeconds(600L * i);
                String ip = "198.51." + (project % 250) + "." + (i % 7 == 0 ? 99 : 7);
                var upload = new dev.portcullis.detect.Upload(
                        "p" + project + "-1." + i + "-py3-none-any.whl",
                        "wheel",
                        800_000 + (i % 97) * 1000,
                        at,
                        ip,
                        i % 11 == 0 ? "curl/8" : "twine/5.1",
                        "tok" + (i % 3),
                        "ci",
                        i % 13 != 0);
                return new dev.portcullis.detect.ReleaseFacts(
                        "1." + (i / projects),
                        java.util.List.of(upload),
                        (i % 17 == 0 ? java.util.List.of("numpy", "new-" + (i % 5)) : java.util.List.of("numpy"))
                                .stream()
                                        .map(d -> new dev.portcullis.publish.Ecosystem.Dependency(d, "", d))
                                        .toList());
            };
            long checksum = 0;
            long start = System.nanoTime();
            for (int i = 0; i < events; i++) {
                checksum += event.apply(i).uploads().size();
            }
            double buildSeconds = (System.nanoTime() - start) / 1e9;
            dev.portcullis.detect.Baseline[] baselines = new dev.portcullis.detect.Baseline[projects];
            for (int p = 0; p < projects; p++) {
                baselines[p] = new dev.portcullis.detect.Baseline();
            }
            long signals = 0;
            long heapAtTenth = 0;
            start = System.nanoTime();
            for (int i = 0; i < events; i++) {
                var facts = event.apply(i);
                int project = (int) ((i * 2654435761L) % projects);
                signals += dev.portcullis.detect.Detectors.run(
                                facts,
                                baselines[project],
                                new dev.portcullis.detect.Detector.Recent(facts.firstUpload(), java.util.List.of()))
                        .size();
                baselines[project].add(facts);
                if (i == events / 10) {
                    heapAtTenth = usedHeapAfterGc();
                    java.lang.ref.Reference.reachabilityFence(baselines);
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long heapAtEnd = usedHeapAfterGc();
            java.lang.ref.Reference.reachabilityFence(baselines); // measured while every baseline is alive
            out.printf(
                    java.util.Locale.ROOT,
                    "%d events over %d projects, %d signals (checksum %d)%n",
                    events,
                    projects,
                    signals,
                    checksum);
            out.printf(
                    java.util.Locale.ROOT,
                    "%-46s %10s %14s %16s%n",
                    "measurement",
                    "seconds",
                    "events/s",
                    "us per event");
            out.printf(
                    java.util.Locale.ROOT,
                    "%-46s %10.2f %14.0f %16.2f%n",
                    "baseline: build the events only",
                    buildSeconds,
                    events / buildSeconds,
                    buildSeconds * 1e6 / events);
            out.printf(
                    java.util.Locale.ROOT,
                    "%-46s %10.2f %14.0f %16.2f%n",
                    "assess with every detector, then learn",
                    seconds,
                    events / seconds,
                    seconds * 1e6 / events);
            out.printf(
                    java.util.Locale.ROOT,
                    "heap after GC: %s at 10%% of the events, %s at 100%% (%d projects; grows with projects, not events)%n",
                    dev.portcullis.inspect.Bytes.human(heapAtTenth),
                    dev.portcullis.inspect.Bytes.human(heapAtEnd),
                    projects);
            out.println();
            out.println("the gate's real path (SQLite, a decision re-taken on a held release):");
            out.flush();
            BenchGatePath.run(out, history, historyProjects);
            return 0;
        }

        private static long usedHeapAfterGc() {
            System.gc();
            Runtime r = Runtime.getRuntime();
            return r.totalMemory() - r.freeMemory();
        }
    }

    @Command(
            name = "inspect",
            description = {
                "Generate a large wheel (many files: Python source, random binary data, an 8 MB one-line script) and inspect it;",
                "print MB/s and peak heap next to a raw SHA-256 of the archive and a plain java.util.zip read-and-hash of every entry."
            })
    static final class Inspect implements Callable<Integer> {
        @Option(
                names = "--size-mb",
                defaultValue = "200",
                description = "Uncompressed size of the generated wheel. Default: ${DEFAULT-VALUE}.")
        int sizeMb;

        @Option(
                names = "--runs",
                defaultValue = "3",
                description = "Runs per measurement; the best is reported. Default: ${DEFAULT-VALUE}.")
        int runs;

        @Option(names = "--keep", description = "Keep the generated wheel.")
        boolean keep;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            Path dir = Files.createTempDirectory("portcullis-bench-");
            Path wheel = dir.resolve("bench-1.0-py3-none-any.whl");
            long content = generate(wheel, (long) sizeMb * 1_000_000);
            out.printf(
                    java.util.Locale.ROOT,
                    "wheel: %s, %s unpacked, %s compressed; %d run(s) each, best reported%n",
                    wheel.getFileName(),
                    Bytes.human(content),
                    Bytes.human(Files.size(wheel)),
                    runs);
            Result hash = measure(() -> hashFile(wheel));
            Result plain = measure(() -> readAndHashEntries(wheel));
            Inspector inspector =
                    new Inspector(Limits.DEFAULT.withMaxDuration(java.time.Duration.ofHours(1)), Clock.systemUTC());
            long[] files = new long[1];
            Result inspect = measure(() -> {
                Inspection inspection = inspector.inspect(
                        wheel,
                        wheel.getFileName().toString(),
                        dev.portcullis.app.Portcullis.registryFor(
                                        wheel.getFileName().toString(), null)
                                .format());
                files[0] = inspection.manifest().size();
                if (!inspection.complete()) {
                    throw new IllegalStateException("inspection incomplete: " + inspection.findings());
                }
            });
            out.printf(java.util.Locale.ROOT, "%-44s %10s %12s %14s%n", "measurement", "seconds", "MB/s", "peak heap");
            print(out, "baseline: SHA-256 of the archive file", hash, Files.size(wheel));
            print(out, "baseline: java.util.zip read + SHA-256/entry", plain, content);
            print(out, "inspection (" + files[0] + " files)", inspect, content);
            out.printf(
                    java.util.Locale.ROOT,
                    "inspection / plain read-and-hash: %.2fx the time (goal: within 2x)%n",
                    inspect.seconds() / plain.seconds());
            if (!keep) {
                Files.delete(wheel);
                Files.delete(dir);
            } else {
                out.println("kept " + wheel);
            }
            return 0;
        }

        private record Result(double seconds, long peakHeap) {}

        private interface Work {
            void run() throws Exception;
        }

        private Result measure(Work work) throws Exception {
            double best = Double.MAX_VALUE;
            long peak = 0;
            for (int i = 0; i < Math.max(1, runs); i++) {
                System.gc();
                List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
                        .filter(p -> p.getType() == MemoryType.HEAP)
                        .toList();
                heap.forEach(MemoryPoolMXBean::resetPeakUsage);
                long start = System.nanoTime();
                work.run();
                best = Math.min(best, (System.nanoTime() - start) / 1e9);
                peak = Math.max(
                        peak,
                        heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum());
            }
            return new Result(best, peak);
        }

        private static void print(PrintWriter out, String label, Result r, long bytes) {
            out.printf(
                    java.util.Locale.ROOT,
                    "%-44s %10.2f %12.1f %14s%n",
                    label,
                    r.seconds(),
                    bytes / 1e6 / r.seconds(),
                    Bytes.human(r.peakHeap()));
        }

        /** Many files: three quarters Python-like source, binary data, and one 8 MB one-line script. */
        static long generate(Path wheel, long target) throws IOException {
            return generate(wheel, target, "1.0");
        }

        /** As above, for version {@code version} of project bench. */
        static long generate(Path wheel, long target, String version) throws IOException {
            Random random = new Random(42);
            long written = 0;
            List<String> record = new ArrayList<>();
            try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(wheel))) {
                StringBuilder line = new StringBuilder("var _0x1a2b=[");
                while (line.length() < 8_000_000) {
                    line.append("'")
                            .append(Long.toString(random.nextLong() & Long.MAX_VALUE, 36))
                            .append("',");
                }
                byte[] js = line.append("''];").toString().getBytes(StandardCharsets.UTF_8);
                written += put(zip, "bench/static/app.js", js, record);
                int n = 0;
                while (written < target) {
                    byte[] bytes = n % 4 == 3 ? randomBytes(random, 256 * 1024) : source(random, n);
                    written += put(
                            zip, "bench/pkg" + (n / 100) + "/mod" + n + (n % 4 == 3 ? ".bin" : ".py"), bytes, record);
                    n++;
                }
                put(
                        zip,
                        "bench-" + version + ".dist-info/METADATA",
                        ("Metadata-Version: 2.1\nName: bench\nVersion: " + version + "\n\n")
                                .getBytes(StandardCharsets.UTF_8),
                        record);
                put(
                        zip,
                        "bench-" + version + ".dist-info/WHEEL",
                        "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
                                .getBytes(StandardCharsets.UTF_8),
                        record);
                zip.putNextEntry(new ZipEntry("bench-" + version + ".dist-info/RECORD"));
                zip.write((String.join("\n", record) + "\nbench-" + version + ".dist-info/RECORD,,\n")
                        .getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
            return written;
        }

        private static long put(ZipOutputStream zip, String name, byte[] bytes, List<String> record)
                throws IOException {
            zip.putNextEntry(new ZipEntry(name));
            zip.write(bytes);
            zip.closeEntry();
            record.add(name + ",sha256="
                    + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(bytes)) + ","
                    + bytes.length);
            return bytes.length;
        }

        private static byte[] source(Random random, int n) {
            StringBuilder s = new StringBuilder();
            while (s.length() < 64 * 1024) {
                s.append("def function_")
                        .append(n)
                        .append('_')
                        .append(random.nextInt(1000))
                        .append("(value):\n")
                        .append("    \"\"\"Returns the value, doubled.\"\"\"\n    return value * ")
                        .append(random.nextInt(100))
                        .append("\n\n");
            }
            return s.toString().getBytes(StandardCharsets.UTF_8);
        }

        private static byte[] randomBytes(Random random, int size) {
            byte[] bytes = new byte[size];
            random.nextBytes(bytes);
            return bytes;
        }

        private static byte[] sha256(byte[] bytes) {
            try {
                return MessageDigest.getInstance("SHA-256").digest(bytes);
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        private static void hashFile(Path file) throws Exception {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = Files.newInputStream(file)) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    digest.update(buffer, 0, n);
                }
            }
            digest.digest();
        }

        private static void readAndHashEntries(Path file) throws Exception {
            byte[] buffer = new byte[64 * 1024];
            try (ZipFile zip = new ZipFile(file.toFile())) {
                for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                    ZipEntry entry = e.nextElement();
                    MessageDigest digest = MessageDigest.getInstance("SHA-256");
                    try (InputStream in = zip.getInputStream(entry)) {
                        for (int n; (n = in.read(buffer)) > 0; ) {
                            digest.update(buffer, 0, n);
                        }
                    }
                    digest.digest();
                }
            }
        }
    }
}
