package dev.portcullis.registry.npm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.inspect.Finding;
import dev.portcullis.inspect.Inspection;
import dev.portcullis.inspect.Inspector;
import dev.portcullis.inspect.Limits;
import dev.portcullis.inspect.ReleaseDiff;
import dev.portcullis.inspect.Report;
import dev.portcullis.inspect.Severity;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real popular npm packages (testdata/npm-corpus/popular.tsv: 216 of the most installed, each
 * pinned by version and SHA-512 integrity, fetched from registry.npmjs.org into target/) are benign:
 * no high finding on any of them, and none on their upgrade from the version before. Figures are
 * printed: how many files, findings by severity, and which rules fire at medium.
 */
class NpmCorpusTest {

    private static final Path CACHE = Path.of("target", "test-cache", "npm-corpus");

    record Entry(String name, String version, String integrity, String previous, String previousIntegrity) {}

    private static List<Entry> corpus;

    @BeforeAll
    static void fetch() throws Exception {
        corpus = new ArrayList<>();
        try (InputStream in = NpmCorpusTest.class.getResourceAsStream("/testdata/npm-corpus/popular.tsv")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t");
                corpus.add(new Entry(f[0], f[1], f[2], f[3].equals("-") ? null : f[3], f[4]));
            }
        }
        Files.createDirectories(CACHE);
        try (HttpClient http = HttpClient.newBuilder()
                        .connectTimeout(Duration.ofSeconds(30))
                        .followRedirects(HttpClient.Redirect.NORMAL)
                        .build();
                ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<Path>> downloads = new ArrayList<>();
            for (Entry e : corpus) {
                downloads.add(pool.submit(() -> download(http, e.name(), e.version(), e.integrity())));
                if (e.previous() != null) {
                    downloads.add(pool.submit(() -> download(http, e.name(), e.previous(), e.previousIntegrity())));
                }
            }
            for (Future<Path> f : downloads) {
                f.get();
            }
        }
    }

    static Path tarball(String name, String version) {
        return CACHE.resolve(name.replace('/', '+') + "-" + version + ".tgz");
    }

    private static Path download(HttpClient http, String name, String version, String integrity) throws Exception {
        Path file = tarball(name, version);
        if (Files.exists(file) && integrity.equals(integrity(file))) {
            return file;
        }
        URI uri = URI.create("https://registry.npmjs.org/" + name + "/-/" + NpmEcosystem.tarballName(name, version));
        Path part = Files.createTempFile(CACHE, "download-", ".part");
        HttpResponse<Path> response = http.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(2)).build(),
                HttpResponse.BodyHandlers.ofFile(part));
        if (response.statusCode() != 200 || !integrity.equals(integrity(part))) {
            Files.deleteIfExists(part);
            throw new IOException(uri + ": HTTP " + response.statusCode() + " or not the pinned integrity");
        }
        Files.move(part, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return file;
    }

    private static String integrity(Path file) throws Exception {
        MessageDigest sha512 = MessageDigest.getInstance("SHA-512");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) > 0) {
                sha512.update(buffer, 0, n);
            }
        }
        return "sha512-" + Base64.getEncoder().encodeToString(sha512.digest());
    }

    @Test
    void popularPackagesAndTheirUpgradesRaiseNoHighFinding() {
        Inspector inspector = new Inspector(Limits.DEFAULT, Clock.systemUTC());
        NpmFormat npm = new NpmFormat();
        List<String> high = new ArrayList<>();
        java.util.Map<String, Integer> mediumByRule = new java.util.TreeMap<>();
        int[] bySeverity = new int[Severity.values().length];
        int pairs = 0;
        for (Entry e : corpus) {
            Path after = tarball(e.name(), e.version());
            Inspection now = inspector.inspect(after, NpmEcosystem.tarballName(e.name(), e.version()), npm);
            ReleaseDiff diff = null;
            if (e.previous() != null) {
                Path before = tarball(e.name(), e.previous());
                Inspection then = inspector.inspect(before, NpmEcosystem.tarballName(e.name(), e.previous()), npm);
                diff = ReleaseDiff.between(then, before, now, after, npm, Limits.DEFAULT, Clock.systemUTC());
                pairs++;
            }
            for (Finding f : new Report(now, diff).findings()) {
                bySeverity[f.severity().ordinal()]++;
                if (f.severity().atLeast(Severity.HIGH)) {
                    high.add(e.name() + "@" + e.version() + (e.previous() == null ? "" : " (from " + e.previous() + ")")
                            + ": " + f.severity().wireName() + " " + f.rule() + ": " + f.explain());
                } else if (f.severity() == Severity.MEDIUM) {
                    mediumByRule.merge(f.rule(), 1, Integer::sum);
                    if (System.getenv("CORPUS_VERBOSE") != null) {
                        System.out.println("MEDIUM " + e.name() + " " + f.rule() + ": " + f.explain());
                    }
                }
            }
        }
        System.out.printf(
                java.util.Locale.ROOT,
                "npm corpus: %d packages, %d upgrade pairs; findings by severity %s; medium by rule %s%n",
                corpus.size(),
                pairs,
                java.util.Arrays.toString(bySeverity),
                mediumByRule);
        high.forEach(h -> System.out.println("  " + h));
        assertThat(corpus).hasSizeGreaterThanOrEqualTo(200);
        assertThat(high).as("high findings on real popular packages").isEmpty();
    }
}
