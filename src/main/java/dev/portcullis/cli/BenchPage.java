package dev.portcullis.cli;

import dev.portcullis.inspect.Bytes;
import java.io.PrintWriter;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The approver page of a release with a very large diff: a project whose next release changes
 * every one of its thousands of files and adds more. Prints the time to render the release page next
 * to the API's inspection JSON of the same release (the same inspection and diff, no HTML) measured
 * in the same run, and the page's size (docs/PERFORMANCE.md).
 */
@Command(
        name = "page",
        description = {
            "Upload two releases of a project with many files (the second changes each and adds more),",
            "then time the approver's release page next to the inspection API for the same release."
        })
final class BenchPage implements Callable<Integer> {

    @Option(
            names = "--files",
            defaultValue = "10000",
            description =
                    "Files in the first release (the second changes each and adds 5%). Default: ${DEFAULT-VALUE}.")
    int files;

    @Option(
            names = "--runs",
            defaultValue = "5",
            description =
                    "Requests of each kind after one warm-up; median and best are reported. Default: ${DEFAULT-VALUE}.")
    int runs;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path dir = Files.createTempDirectory("portcullis-bench-page-");
        try (BenchServer server = new BenchServer(dir.resolve("portcullis"))) {
            Path before = dir.resolve("bench_page-1.0-py3-none-any.whl");
            Path after = dir.resolve("bench_page-1.1-py3-none-any.whl");
            Files.write(before, wheel("1.0", files, 0));
            Files.write(after, wheel("1.1", files + files / 20, 1));
            BenchRead.require("upload 1.0", server.upload("bench-page", "1.0", before), 200);
            BenchRead.require("approve 1.0", server.approve("bench-page", "1.0"), 200);
            BenchRead.require("upload 1.1", server.upload("bench-page", "1.1", after), 200);
            String cookie = server.webSession();
            double[] page = new double[runs];
            double[] api = new double[runs];
            long pageBytes = 0;
            for (int i = -1; i < runs; i++) {
                long start = System.nanoTime();
                HttpResponse<String> html = server.getText("/ui/releases/bench-page/1.1", "Cookie", cookie);
                double pageSeconds = (System.nanoTime() - start) / 1e9;
                BenchRead.require("release page", html, 200);
                pageBytes = html.body().getBytes(StandardCharsets.UTF_8).length;
                start = System.nanoTime();
                HttpResponse<String> json = server.getText(
                        "/api/v1/projects/bench-page/releases/1.1/inspection",
                        "Authorization",
                        "Bearer " + server.approverToken());
                double apiSeconds = (System.nanoTime() - start) / 1e9;
                BenchRead.require("inspection API", json, 200);
                if (i >= 0) {
                    page[i] = pageSeconds;
                    api[i] = apiSeconds;
                }
            }
            out.printf(
                    Locale.ROOT,
                    "release: %,d files before, %,d after (every one changed); %d requests each after a warm-up%n",
                    files,
                    files + files / 20,
                    runs);
            out.printf(Locale.ROOT, "%-52s %10s %10s%n", "measurement", "median s", "best s");
            out.printf(
                    Locale.ROOT,
                    "%-52s %10.3f %10.3f%n",
                    "baseline: inspection API (JSON, same diff)",
                    median(api),
                    Arrays.stream(api).min().orElse(0));
            out.printf(
                    Locale.ROOT,
                    "%-52s %10.3f %10.3f   page %s%n",
                    "approver's release page (HTML, lists cut at " + 200 + ")",
                    median(page),
                    Arrays.stream(page).min().orElse(0),
                    Bytes.human(pageBytes));
            out.printf(
                    Locale.ROOT,
                    "page / API: %.2fx the time (goal: under a second on this machine)%n",
                    median(page) / median(api));
        } finally {
            dev.portcullis.store.PrivateFiles.deleteTree(dir);
        }
        return 0;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** A wheel of {@code count} small modules; {@code edition} changes each module's body. */
    private static byte[] wheel(String version, int count, int edition) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            entries.put(
                    "bench_page/pkg" + (i / 500) + "/module_" + i + ".py",
                    ("def f_" + i + "(x):\n    return x + " + (i + edition) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return dev.portcullis.audit.drill.StandIn.wheel("bench-page", version, entries, List.of());
    }
}
