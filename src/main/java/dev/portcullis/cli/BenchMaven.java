package dev.portcullis.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Maven resolution next to a static web server (docs/PERFORMANCE.md): {@code N} real jars from the
 * local Maven repository, deployed to a Portcullis on its embedded default and approved, and the
 * very bytes Portcullis then serves (jar, pom, {@code .sha1}) laid out for nginx; the same Maven
 * resolves the same {@code N} dependencies from each, into a fresh local repository each time.
 * The artifacts get a group of their own ({@code bench.<groupId>}), minimal poms and no carried
 * pom, so nothing of them is already in the local repository Maven runs its plugin from.
 */
@Command(
        name = "maven",
        description = {
            "Deploy N real jars from ~/.m2 to a Portcullis and approve them, serve the same bytes with nginx, and time",
            "Maven resolving all N from each (fresh local repository per run; median of the runs)."
        })
final class BenchMaven implements Callable<Integer> {

    private static final String DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1";

    @Option(names = "--artifacts", defaultValue = "50", description = "Jars to resolve. Default: ${DEFAULT-VALUE}.")
    int count;

    @Option(names = "--runs", defaultValue = "3", description = "Resolutions per server. Default: ${DEFAULT-VALUE}.")
    int runs;

    @Option(names = "--mvn", paramLabel = "PATH", description = "Maven to run. Default: the wrapper's, else mvn.")
    Path mvn;

    @Spec
    CommandSpec spec;

    private record Artifact(String groupId, String artifactId, String version, Path jar) {
        String path() {
            return groupId.replace('.', '/') + "/" + artifactId + "/" + version + "/" + artifactId + "-" + version;
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path maven = mvn != null ? mvn : defaultMaven();
        Path local = Path.of(System.getProperty("user.home"), ".m2", "repository");
        List<Artifact> artifacts = pick(local, count);
        if (artifacts.size() < count) {
            out.println("bench maven: the local Maven repository holds " + artifacts.size() + " jars with poms; "
                    + count + " are needed (build the project once: ./mvnw verify)");
            return 1;
        }
        if (BenchRead.which("nginx").isEmpty()) {
            out.println("bench maven needs nginx for the baseline (Debian: apt-get install nginx-light)");
            return 1;
        }
        Path dir = Files.createTempDirectory("portcullis-bench-maven-");
        try (BenchServer server = new BenchServer(dir.resolve("portcullis"))) {
            Path root = dir.resolve("static");
            long bytes = 0;
            for (Artifact a : artifacts) {
                byte[] jar = withoutCarriedPoms(a.jar());
                byte[] pom = pom(a).getBytes(StandardCharsets.UTF_8);
                BenchRead.require("deploy " + a.path() + ".pom", server.put("/maven2/" + a.path() + ".pom", pom), 201);
                BenchRead.require("deploy " + a.path() + ".jar", server.put("/maven2/" + a.path() + ".jar", jar), 201);
                String artifactDir =
                        a.path().substring(0, a.path().lastIndexOf('/', a.path().lastIndexOf('/') - 1));
                BenchRead.require(
                        "end the deployment of " + a.path(),
                        server.put(
                                "/maven2/" + artifactDir + "/maven-metadata.xml",
                                "<metadata/>".getBytes(StandardCharsets.UTF_8)),
                        201);
                BenchRead.require(
                        "approve " + a.path(),
                        server.approve("maven:" + a.groupId() + ":" + a.artifactId(), a.version()),
                        200);
                for (String suffix : List.of(".pom", ".pom.sha1", ".jar", ".jar.sha1")) {
                    HttpResponse<byte[]> served = server.get("/maven2/" + a.path() + suffix, "*/*");
                    BenchRead.require("GET " + a.path() + suffix, served, 200);
                    Path file = root.resolve("maven2").resolve(a.path() + suffix);
                    Files.createDirectories(file.getParent());
                    Files.write(file, served.body());
                    bytes += served.body().length;
                }
            }
            Path project = dir.resolve("project");
            Files.createDirectories(project);
            // nginx's workers drop to an unprivileged user when started as root: the static copy must be readable.
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            int port = BenchRead.freePort();
            Process nginx = BenchRead.startNginx(dir, root, port);
            try {
                // The dependency plugin once into the user's repository (from Maven Central if it is not there yet).
                mavenRun(maven, project, server.url(), artifacts, local, null, true);
                List<Long> portcullis = new ArrayList<>();
                List<Long> baseline = new ArrayList<>();
                for (int i = 0; i < runs; i++) {
                    portcullis.add(
                            mavenRun(maven, project, server.url(), artifacts, local, dir.resolve("p" + i), false));
                    baseline.add(mavenRun(
                            maven, project, "http://127.0.0.1:" + port, artifacts, local, dir.resolve("n" + i), false));
                }
                long p = median(portcullis);
                long n = median(baseline);
                out.printf(
                        Locale.ROOT,
                        "Maven resolving %d jars with poms and checksums (%s), fresh local repository, median of %d:%n",
                        artifacts.size(),
                        dev.portcullis.inspect.Bytes.human(bytes),
                        runs);
                out.printf(Locale.ROOT, "%-12s %10s%n", "server", "seconds");
                out.printf(Locale.ROOT, "%-12s %10.2f%n", "Portcullis", p / 1000.0);
                out.printf(Locale.ROOT, "%-12s %10.2f%n", "nginx", n / 1000.0);
                out.printf(
                        Locale.ROOT,
                        "ratio %.2f (each run includes Maven's own start, ~the same for both)%n",
                        (double) p / n);
            } finally {
                nginx.destroy();
                nginx.waitFor(10, TimeUnit.SECONDS);
            }
        } finally {
            dev.portcullis.store.PrivateFiles.deleteTree(dir);
        }
        return 0;
    }

    /** The first {@code n} jars (one version per artifact, in path order) that have a pom beside them. */
    private static List<Artifact> pick(Path repository, int n) throws IOException {
        List<Artifact> out = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        try (Stream<Path> all = Files.walk(repository)) {
            for (Path jar :
                    all.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
                Path versionDir = jar.getParent();
                Path artifactDir = versionDir == null ? null : versionDir.getParent();
                if (artifactDir == null || artifactDir.getParent() == null) {
                    continue;
                }
                String version = versionDir.getFileName().toString();
                String artifactId = artifactDir.getFileName().toString();
                if (!jar.getFileName().toString().equals(artifactId + "-" + version + ".jar")
                        || !Files.exists(versionDir.resolve(artifactId + "-" + version + ".pom"))
                        || version.endsWith("-SNAPSHOT")
                        || !version.matches("[0-9A-Za-z._-]+")) {
                    continue;
                }
                String groupId = repository
                        .relativize(artifactDir.getParent())
                        .toString()
                        .replace('/', '.');
                if (groupId.startsWith("test.portcullis") || !seen.add(groupId + ":" + artifactId)) {
                    continue;
                }
                out.add(new Artifact("bench." + groupId, artifactId, version, jar));
                if (out.size() == n) {
                    break;
                }
            }
        }
        return out;
    }

    /** The jar's bytes without its {@code META-INF/maven/} poms, which name its original coordinates. */
    private static byte[] withoutCarriedPoms(Path jar) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(jar));
                ZipOutputStream out = new ZipOutputStream(bytes)) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                if (e.getName().startsWith("META-INF/maven/")) {
                    continue;
                }
                out.putNextEntry(new ZipEntry(e.getName()));
                in.transferTo(out);
                out.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static String pom(Artifact a) {
        return "<project xmlns=\"http://maven.apache.org/POM/4.0.0\"><modelVersion>4.0.0</modelVersion>"
                + "<groupId>" + a.groupId() + "</groupId><artifactId>" + a.artifactId() + "</artifactId>"
                + "<version>" + a.version() + "</version></project>";
    }

    /**
     * Maven resolving every artifact from {@code server}; milliseconds. {@code head} is a fresh
     * local repository chained before the user's (which has the plugin, and none of the renamed
     * artifacts); null runs the plugin's own resolution into the user's repository.
     */
    private static long mavenRun(
            Path maven,
            Path project,
            String server,
            List<Artifact> artifacts,
            Path local,
            Path head,
            boolean pluginOnly)
            throws IOException, InterruptedException {
        StringBuilder deps = new StringBuilder();
        for (Artifact a : artifacts) {
            deps.append("<dependency><groupId>")
                    .append(a.groupId())
                    .append("</groupId><artifactId>")
                    .append(a.artifactId())
                    .append("</artifactId><version>")
                    .append(a.version())
                    .append("</version></dependency>");
        }
        Files.writeString(
                project.resolve("pom.xml"),
                "<project xmlns=\"http://maven.apache.org/POM/4.0.0\"><modelVersion>4.0.0</modelVersion>"
                        + "<groupId>bench</groupId><artifactId>resolve</artifactId><version>1</version>"
                        + "<packaging>pom</packaging>"
                        + "<repositories><repository><id>bench</id><url>" + server + "/maven2</url></repository>"
                        + "</repositories><dependencies>" + (pluginOnly ? "" : deps) + "</dependencies></project>");
        List<String> command = new ArrayList<>(List.of(maven.toString(), "-B", "-q", "-ntp"));
        if (head != null) {
            command.addAll(List.of(
                    "-Dmaven.repo.local=" + head,
                    "-Dmaven.repo.local.tail=" + local,
                    "-Dmaven.repo.local.tail.ignoreAvailability=true"));
        }
        command.add(DEPENDENCY_PLUGIN + ":resolve");
        long start = System.nanoTime();
        Process p = new ProcessBuilder(command)
                .directory(project.toFile())
                .redirectErrorStream(true)
                .start();
        String output;
        try (InputStream in = p.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        int code = p.waitFor();
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (code != 0) {
            throw new IllegalStateException("Maven failed against " + server + ":\n" + output);
        }
        return millis;
    }

    static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    /** The Maven the wrapper installed (~/.m2/wrapper), else {@code mvn} on the PATH. */
    private static Path defaultMaven() throws IOException {
        Path wrapper = Path.of(System.getProperty("user.home"), ".m2", "wrapper");
        if (Files.isDirectory(wrapper)) {
            try (Stream<Path> found =
                    Files.find(wrapper, 4, (p, a) -> p.endsWith(Path.of("bin", "mvn")) && Files.isExecutable(p))) {
                Path newest = found.sorted().reduce((a, b) -> b).orElse(null);
                if (newest != null) {
                    return newest;
                }
            }
        }
        return BenchRead.which("mvn").orElse(Path.of("mvn"));
    }
}
