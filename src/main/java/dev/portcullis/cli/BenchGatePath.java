package dev.portcullis.cli;

import dev.portcullis.publish.ContentInspection;
import dev.portcullis.publish.History;
import dev.portcullis.store.StagedBlob;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The gate's real path for {@code bench detectors}: a Portcullis on the embedded default whose
 * database holds {@code projects} projects with released histories (three of them with 100, 1,000
 * and {@code history} versions, the rest 100 each), then a new version of each measured project
 * uploaded as twine does and decided again and again through {@code ReleaseGate#staged} — policy,
 * the inspection's and the detectors' assessments with the project's baseline, the decision
 * record. Prints the time per decision and the heap in use after them for each history size: what the
 * gate costs is meant not to grow with a project's history.
 */
final class BenchGatePath {

    private static final int DECISIONS = 30;

    private BenchGatePath() {}

    static void run(PrintWriter out, int history, int projects) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("portcullis-bench-gate");
        try (BenchServer server = new BenchServer(dir.resolve("data"))) {
            var app = server.app();
            int[] sizes = Arrays.stream(new int[] {100, 1_000, history})
                    .filter(n -> n <= history)
                    .distinct()
                    .toArray();
            byte[] wheel = wheel("seed", "1.0");
            StagedBlob blob = app.blobs().stage(new java.io.ByteArrayInputStream(wheel), wheel.length);
            ContentInspection.Result result =
                    app.inspection().inspect("pypi", "seed-1.0-py3-none-any.whl", blob.path());
            app.blobs().commit(blob);
            ContentInspection.Inspected inspected = (ContentInspection.Inspected) result;
            long seedStart = System.nanoTime();
            int seeded = 0;
            for (int p = 0; p < projects; p++) {
                String key = p < sizes.length ? "hist-" + sizes[p] : "other-" + p;
                int versions = p < sizes.length ? sizes[p] : 100;
                app.publish().history().seed("pypi", key, null, released(key, versions, blob, inspected));
                seeded += versions;
            }
            out.printf(
                    Locale.ROOT,
                    "seeded %d projects, %d released versions, in %.1f s%n",
                    projects,
                    seeded,
                    (System.nanoTime() - seedStart) / 1e9);
            out.printf(
                    Locale.ROOT,
                    "%-46s %12s %12s %16s%n",
                    "gate decision of a new version",
                    "history",
                    "ms median",
                    "heap after (MB)");
            for (int size : sizes) {
                String key = "hist-" + size;
                Path file = dir.resolve(key.replace('-', '_') + "-2.0-py3-none-any.whl");
                Files.write(file, wheel(key, "2.0"));
                HttpResponse<String> upload = server.upload(key, "2.0", file);
                if (upload.statusCode() != 200) {
                    throw new IllegalStateException(
                            "upload of " + key + " 2.0: " + upload.statusCode() + " " + upload.body());
                }
                long[] nanos = new long[DECISIONS];
                for (int i = 0; i < DECISIONS; i++) {
                    long start = System.nanoTime();
                    app.gate().staged(key, "2.0", file.getFileName().toString());
                    nanos[i] = System.nanoTime() - start;
                }
                Arrays.sort(nanos);
                out.printf(
                        Locale.ROOT,
                        "%-46s %12d %12.2f %16.1f%n",
                        "",
                        size,
                        nanos[DECISIONS / 2] / 1e6,
                        usedHeapAfterGc() / 1e6);
            }
        } finally {
            dev.portcullis.store.PrivateFiles.deleteTree(dir);
        }
    }

    private static long usedHeapAfterGc() {
        System.gc();
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    /** {@code versions} released versions 1.0.k of {@code key}, a day apart, all with the same bytes. */
    private static List<History.Released> released(
            String key, int versions, StagedBlob blob, ContentInspection.Inspected inspected) {
        List<History.Released> files = new ArrayList<>();
        Instant start = Instant.now().minus(Duration.ofDays(versions + 2L));
        for (int k = 0; k < versions; k++) {
            String version = "1.0." + k;
            files.add(new History.Released(
                    version,
                    key.replace('-', '_') + "-" + version + "-py3-none-any.whl",
                    "wheel",
                    blob,
                    inspected,
                    start.plus(Duration.ofDays(k)),
                    "bench-token",
                    "198.51.100.7",
                    "twine/6.1.0 CPython/3.13",
                    null,
                    null));
        }
        return files;
    }

    /** A small wheel of {@code name}: one module, metadata that requires numpy. */
    private static byte[] wheel(String name, String version) throws IOException {
        String dist = name.replace('-', '_') + "-" + version;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            String[][] entries = {
                {name.replace('-', '_') + "/__init__.py", "def double(value):\n    return value * 2\n"},
                {
                    dist + ".dist-info/METADATA",
                    "Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version + "\nRequires-Dist: numpy\n\n"
                },
                {dist + ".dist-info/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"},
                {dist + ".dist-info/RECORD", ""},
            };
            for (String[] e : entries) {
                zip.putNextEntry(new ZipEntry(e[0]));
                zip.write(e[1].getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }
}
