package dev.portcullis.cli;

import dev.portcullis.inspect.Bytes;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The upload path next to reading the file twice with standard tools: one large wheel uploaded as
 * twine sends it (multipart, streamed) into a held release, against {@code sha256sum} and {@code
 * unzip -t} of the same file in the same run (docs/PERFORMANCE.md).
 */
@Command(
        name = "upload",
        description = {
            "Generate a large wheel, upload it to a Portcullis on its embedded default the way twine does,",
            "and print the time next to sha256sum + unzip -t of the same file, with the server's peak heap."
        })
final class BenchUpload implements Callable<Integer> {

    @Option(
            names = "--size-mb",
            defaultValue = "200",
            description = "Uncompressed size of the generated wheel. Default: ${DEFAULT-VALUE}.")
    int sizeMb;

    @Option(
            names = "--runs",
            defaultValue = "3",
            description = "Uploads (each a new version); the best is reported. Default: ${DEFAULT-VALUE}.")
    int runs;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path dir = Files.createTempDirectory("portcullis-bench-upload-");
        try {
            Path wheel = dir.resolve("bench-1.0-py3-none-any.whl");
            long content = BenchCommand.Inspect.generate(wheel, (long) sizeMb * 1_000_000);
            long size = Files.size(wheel);
            out.printf(
                    Locale.ROOT,
                    "wheel: %s unpacked, %s compressed; best of %d%n",
                    Bytes.human(content),
                    Bytes.human(size),
                    runs);
            double tools = Double.MAX_VALUE;
            if (BenchRead.which("sha256sum").isPresent()
                    && BenchRead.which("unzip").isPresent()) {
                for (int i = 0; i < runs; i++) {
                    long start = System.nanoTime();
                    run(List.of("sha256sum", wheel.toString()));
                    run(List.of("unzip", "-tqq", wheel.toString()));
                    tools = Math.min(tools, (System.nanoTime() - start) / 1e9);
                }
            }
            double upload = Double.MAX_VALUE;
            long peak = 0;
            try (BenchServer server = new BenchServer(dir.resolve("portcullis"))) {
                List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
                        .filter(p -> p.getType() == MemoryType.HEAP)
                        .toList();
                for (int i = 0; i < runs; i++) {
                    // Each run a new version: the same file name twice is refused, as on PyPI.
                    Path copy = dir.resolve("bench-1.0." + i + "-py3-none-any.whl");
                    BenchCommand.Inspect.generate(copy, (long) sizeMb * 1_000_000, "1.0." + i);
                    System.gc();
                    heap.forEach(MemoryPoolMXBean::resetPeakUsage);
                    long start = System.nanoTime();
                    HttpResponse<String> response = server.upload("bench", "1.0." + i, copy);
                    upload = Math.min(upload, (System.nanoTime() - start) / 1e9);
                    peak = Math.max(
                            peak,
                            heap.stream()
                                    .mapToLong(p -> p.getPeakUsage().getUsed())
                                    .sum());
                    BenchRead.require("upload", response, 200);
                    Files.delete(copy);
                }
            }
            out.printf(Locale.ROOT, "%-44s %10s %12s%n", "measurement", "seconds", "MB/s");
            if (tools < Double.MAX_VALUE) {
                out.printf(
                        Locale.ROOT,
                        "%-44s %10.2f %12.1f%n",
                        "baseline: sha256sum + unzip -t",
                        tools,
                        size / 1e6 / tools);
            }
            out.printf(
                    Locale.ROOT,
                    "%-44s %10.2f %12.1f   peak heap %s (this process, client included)%n",
                    "upload into a held release (twine's form)",
                    upload,
                    size / 1e6 / upload,
                    Bytes.human(peak));
            if (tools < Double.MAX_VALUE) {
                out.printf(Locale.ROOT, "upload / baseline: %.2fx the time (goal: within 2x)%n", upload / tools);
            }
        } finally {
            dev.portcullis.store.PrivateFiles.deleteTree(dir);
        }
        return 0;
    }

    private static void run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed");
        }
    }
}
