package dev.portcullis.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * npm through Portcullis next to Verdaccio (docs/PERFORMANCE.md): a real dependency tree (by
 * default express 4.21.2's, 72 packages) is resolved and its tarballs fetched from the public
 * registry, then each tarball is published with the real npm CLI to a Portcullis on its embedded
 * default (each package with its own upload token, then approved) and to a Verdaccio with no
 * uplink; the same npm then installs the tree from each, with a fresh cache and node_modules per
 * run. Both servers get the very same bytes and answer from their own storage only.
 */
@Command(
        name = "npm",
        description = {
            "Publish a real npm dependency tree with npm to a Portcullis and to a Verdaccio (no uplink), then time",
            "npm install of the tree from each (fresh cache per run; median of the runs) and each npm publish."
        })
final class BenchNpm implements Callable<Integer> {

    /** The Verdaccio the benchmark installs when none is given (npm registry, into a cache directory). */
    static final String VERDACCIO = "verdaccio@6.8.0";

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(
            names = "--root",
            defaultValue = "express@4.21.2",
            description = "The package whose dependency tree is published and installed. Default: ${DEFAULT-VALUE}.")
    String root;

    @Option(names = "--runs", defaultValue = "3", description = "Installs per server. Default: ${DEFAULT-VALUE}.")
    int runs;

    @Option(
            names = "--source",
            defaultValue = "https://registry.npmjs.org/",
            description = "Where the tree's tarballs come from. Default: ${DEFAULT-VALUE}.")
    String source;

    @Option(
            names = "--verdaccio",
            paramLabel = "PATH",
            description = "Verdaccio's bin/verdaccio. Default: " + VERDACCIO
                    + ", installed with npm into ~/.cache/portcullis-bench once.")
    Path verdaccio;

    @Spec
    CommandSpec spec;

    record Tarball(String name, String version, Path file) {}

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path npm = BenchRead.which("npm").orElse(null);
        if (npm == null) {
            out.println("bench npm needs npm (Debian: apt-get install npm, or Node.js with npm 11)");
            return 1;
        }
        Path bin = verdaccio != null ? verdaccio : installVerdaccio(npm);
        Path dir = Files.createTempDirectory("portcullis-bench-npm-");
        try {
            List<Tarball> tree = fetchTree(npm, dir);
            long bytes = 0;
            for (Tarball t : tree) {
                bytes += Files.size(t.file());
            }
            int port = BenchRead.freePort();
            Process registry = startVerdaccio(bin, dir.resolve("verdaccio"), port);
            try (BenchServer server = new BenchServer(dir.resolve("portcullis"))) {
                String verdaccioUrl = "http://127.0.0.1:" + port + "/";
                String portcullisUrl = server.url() + "/npm/";
                Path verdaccioRc = npmrc(dir.resolve("verdaccio.npmrc"), verdaccioUrl, verdaccioToken(verdaccioUrl));
                List<Long> publishPortcullis = new ArrayList<>();
                List<Long> publishVerdaccio = new ArrayList<>();
                for (Tarball t : tree) {
                    String project = "npm:" + t.name();
                    Path rc = npmrc(dir.resolve("portcullis.npmrc"), portcullisUrl, server.uploadToken(project));
                    publishPortcullis.add(publish(npm, t, portcullisUrl, rc, dir));
                    BenchRead.require(
                            "approve " + t.name() + " " + t.version(),
                            server.approve(project.replace("/", "%2F"), t.version()),
                            200);
                    publishVerdaccio.add(publish(npm, t, verdaccioUrl, verdaccioRc, dir));
                }
                List<Long> installPortcullis = new ArrayList<>();
                List<Long> installVerdaccio = new ArrayList<>();
                for (int i = 0; i < runs; i++) {
                    installPortcullis.add(install(npm, portcullisUrl, dir.resolve("p" + i), tree.size()));
                    installVerdaccio.add(install(npm, verdaccioUrl, dir.resolve("v" + i), tree.size()));
                }
                long p = BenchMaven.median(installPortcullis);
                long v = BenchMaven.median(installVerdaccio);
                out.printf(
                        Locale.ROOT,
                        "npm install of %s (%d packages, %s of tarballs), fresh cache and node_modules, median of %d:%n",
                        root,
                        tree.size(),
                        dev.portcullis.inspect.Bytes.human(bytes),
                        runs);
                out.printf(Locale.ROOT, "%-12s %10s%n", "server", "seconds");
                out.printf(Locale.ROOT, "%-12s %10.2f%n", "Portcullis", p / 1000.0);
                out.printf(Locale.ROOT, "%-12s %10.2f%n", "Verdaccio", v / 1000.0);
                out.printf(Locale.ROOT, "ratio %.2f%n", (double) p / v);
                out.printf(
                        Locale.ROOT,
                        "npm publish of each of the %d tarballs (the npm CLI's wall time, its own start included):%n",
                        tree.size());
                out.printf(Locale.ROOT, "%-14s %8s %8s %8s%n", "server", "p50 ms", "p90 ms", "max ms");
                printLatencies(out, "Portcullis", publishPortcullis);
                printLatencies(out, "Verdaccio", publishVerdaccio);
                List<Long> start = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    long t0 = System.nanoTime();
                    run(dir, npm.toString(), "--version");
                    start.add((System.nanoTime() - t0) / 1_000_000);
                }
                printLatencies(out, "npm --version", start);
                out.println(
                        "(Portcullis stages, inspects, runs the detectors and holds each version; Verdaccio stores it.)");
            } finally {
                registry.destroy();
                registry.waitFor(10, TimeUnit.SECONDS);
            }
        } finally {
            dev.portcullis.store.PrivateFiles.deleteTree(dir);
        }
        return 0;
    }

    /** The root's tree resolved by npm against {@code source}, each version's tarball packed from there. */
    private List<Tarball> fetchTree(Path npm, Path dir) throws IOException, InterruptedException {
        Path project = dir.resolve("tree");
        writeManifest(project, "bench-tree");
        Path cache = dir.resolve("source-cache");
        run(
                project,
                npm.toString(),
                "install",
                "--package-lock-only",
                "--ignore-scripts",
                "--no-audit",
                "--no-fund",
                "--registry",
                source,
                "--cache",
                cache.toString());
        Map<String, String> specs = new LinkedHashMap<>();
        JsonNode packages =
                JSON.readTree(project.resolve("package-lock.json").toFile()).path("packages");
        for (Map.Entry<String, JsonNode> e : packages.properties()) {
            String key = e.getKey();
            int last = key.lastIndexOf("node_modules/");
            if (last < 0) {
                continue;
            }
            String name = key.substring(last + "node_modules/".length());
            String version = e.getValue().path("version").asText();
            specs.put(name + "@" + version, name);
        }
        Path tarballs = dir.resolve("tarballs");
        Files.createDirectories(tarballs);
        List<String> pack = new ArrayList<>(List.of(
                npm.toString(),
                "pack",
                "--json",
                "--pack-destination",
                tarballs.toString(),
                "--registry",
                source,
                "--cache",
                cache.toString()));
        pack.addAll(specs.keySet());
        List<Tarball> tree = new ArrayList<>();
        for (JsonNode packed : JSON.readTree(run(project, pack.toArray(String[]::new)))) {
            tree.add(new Tarball(
                    packed.path("name").asText(),
                    packed.path("version").asText(),
                    tarballs.resolve(packed.path("filename").asText())));
        }
        if (tree.size() != specs.size()) {
            throw new IllegalStateException("npm packed " + tree.size() + " of " + specs.size() + " tarballs");
        }
        return tree;
    }

    /** A package.json in {@code project} (created) that depends on the root, exactly as {@code --root} names it. */
    private void writeManifest(Path project, String name) throws IOException {
        int at = root.lastIndexOf('@');
        if (at <= 0) {
            throw new IllegalArgumentException("--root must be name@version: " + root);
        }
        Files.createDirectories(project);
        ObjectNode manifest = JSON.createObjectNode().put("name", name).put("version", "1.0.0");
        manifest.putObject("dependencies").put(root.substring(0, at), root.substring(at + 1));
        Files.writeString(project.resolve("package.json"), manifest.toString());
    }

    private static Path npmrc(Path file, String registry, String token) throws IOException {
        String hostPath = registry.substring(registry.indexOf("//"));
        Files.writeString(file, "registry=" + registry + "\n" + hostPath + ":_authToken=" + token + "\n");
        return file;
    }

    /** Milliseconds of one {@code npm publish} of {@code t}'s tarball. */
    private static long publish(Path npm, Tarball t, String registry, Path npmrc, Path dir)
            throws IOException, InterruptedException {
        long start = System.nanoTime();
        run(
                dir,
                npm.toString(),
                "publish",
                t.file().toString(),
                "--registry",
                registry,
                "--userconfig",
                npmrc.toString(),
                "--ignore-scripts",
                "--provenance=false",
                "--access",
                "public");
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** Milliseconds of {@code npm install} of the root from {@code registry}; checks that the whole tree arrived. */
    private long install(Path npm, String registry, Path project, int expected)
            throws IOException, InterruptedException {
        writeManifest(project, "bench-install");
        Files.writeString(project.resolve(".npmrc"), "registry=" + registry + "\n");
        long start = System.nanoTime();
        run(
                project,
                npm.toString(),
                "install",
                "--registry",
                registry,
                "--cache",
                project.resolve(".cache").toString(),
                "--userconfig",
                project.resolve(".npmrc").toString(),
                "--ignore-scripts",
                "--no-audit",
                "--no-fund",
                "--package-lock=false");
        long millis = (System.nanoTime() - start) / 1_000_000;
        long installed = installedPackages(project.resolve("node_modules"));
        if (installed != expected) {
            throw new IllegalStateException(
                    "npm installed " + installed + " packages from " + registry + ", expected " + expected);
        }
        return millis;
    }

    /** Packages in a node_modules tree: directories right under a node_modules (or its @scope) with a package.json. */
    static long installedPackages(Path nodeModules) throws IOException {
        try (Stream<Path> all = Files.walk(nodeModules)) {
            return all.filter(p -> p.getFileName().toString().equals("package.json"))
                    .filter(p -> {
                        Path pkg = p.getParent();
                        Path up = pkg.getParent();
                        if (up != null && up.getFileName().toString().startsWith("@")) {
                            up = up.getParent();
                        }
                        return up != null && up.getFileName().toString().equals("node_modules");
                    })
                    .count();
        }
    }

    /** A user on the Verdaccio (its own registration route, as {@code npm adduser} does); returns its token. */
    private static String verdaccioToken(String registry) throws IOException, InterruptedException {
        ObjectNode user = JSON.createObjectNode()
                .put("_id", "org.couchdb.user:bench")
                .put("name", "bench")
                .put("password", "bench-" + Long.toHexString(System.nanoTime()))
                .put("type", "user");
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(registry + "-/user/org.couchdb.user:bench"))
                                .header("Content-Type", "application/json")
                                .PUT(HttpRequest.BodyPublishers.ofString(user.toString()))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        BenchRead.require("Verdaccio adduser", response, 201);
        return JSON.readTree(response.body()).path("token").asText();
    }

    /** Verdaccio with its own storage, htpasswd users and no uplink: it serves only what was published to it. */
    private static Process startVerdaccio(Path bin, Path home, int port) throws IOException, InterruptedException {
        Files.createDirectories(home);
        Path config = home.resolve("config.yaml");
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "storage: " + home.resolve("storage"),
                        "auth:",
                        "  htpasswd:",
                        "    file: " + home.resolve("htpasswd"),
                        "    max_users: 10",
                        "uplinks: {}",
                        "packages:",
                        "  '@*/*': { access: $all, publish: $authenticated }",
                        "  '**': { access: $all, publish: $authenticated }",
                        "max_body_size: 100mb",
                        "log: { type: stdout, format: pretty, level: warn }",
                        ""));
        Process process = new ProcessBuilder(
                        bin.toString(), "--config", config.toString(), "--listen", "127.0.0.1:" + port)
                .redirectErrorStream(true)
                .redirectOutput(home.resolve("verdaccio.out").toFile())
                .start();
        return BenchRead.awaitListening(process, port, home.resolve("verdaccio.out"), "Verdaccio");
    }

    /** Verdaccio installed with npm into ~/.cache/portcullis-bench/verdaccio (once). */
    private static Path installVerdaccio(Path npm) throws IOException, InterruptedException {
        Path prefix = Path.of(System.getProperty("user.home"), ".cache", "portcullis-bench", "verdaccio");
        Path bin = prefix.resolve("node_modules/verdaccio/bin/verdaccio");
        if (!Files.isExecutable(bin)) {
            Files.createDirectories(prefix);
            run(
                    prefix,
                    npm.toString(),
                    "install",
                    "--prefix",
                    prefix.toString(),
                    "--no-audit",
                    "--no-fund",
                    "--registry",
                    "https://registry.npmjs.org/",
                    VERDACCIO);
        }
        return bin;
    }

    private static String run(Path dir, String... command) throws IOException, InterruptedException {
        Path errors = Files.createTempFile("portcullis-bench-npm-", ".err");
        try {
            Process p = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectError(errors.toFile())
                    .start();
            String output;
            try (InputStream in = p.getInputStream()) {
                output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (p.waitFor() != 0) {
                throw new IllegalStateException(
                        String.join(" ", command) + " failed:\n" + output + Files.readString(errors));
            }
            return output;
        } finally {
            Files.deleteIfExists(errors);
        }
    }

    private static void printLatencies(PrintWriter out, String server, List<Long> millis) {
        List<Long> sorted = millis.stream().sorted().toList();
        out.printf(
                Locale.ROOT,
                "%-14s %8d %8d %8d%n",
                server,
                sorted.get(sorted.size() / 2),
                sorted.get(Math.min(sorted.size() - 1, sorted.size() * 9 / 10)),
                sorted.getLast());
    }
}
