package dev.portcullis.registry.maven;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.inspect.Finding;
import dev.portcullis.inspect.Inspection;
import dev.portcullis.inspect.Inspector;
import dev.portcullis.inspect.Limits;
import dev.portcullis.inspect.ReleaseDiff;
import dev.portcullis.inspect.Severity;
import dev.portcullis.testing.Archives;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jar diffs: what a new version of a real jar adds that runs in its consumers without being called
 * is named (an annotation processor: high; a service provider, a new package tree, another
 * artifact shaded in: medium), and real upgrade pairs from the local Maven repository raise none of
 * it high.
 */
class MavenJarDiffTest {

    private static final MavenFormat FORMAT = new MavenFormat(new MavenEcosystem());
    private static final Path REPOSITORY = Path.of(System.getProperty("user.home"), ".m2", "repository");

    @TempDir
    Path dir;

    @Test
    void whatANewVersionRegistersOrBundlesIsNamed() throws Exception {
        Path real = REPOSITORY.resolve("org/apache/commons/commons-compress/1.28.0/commons-compress-1.28.0.jar");
        List<Archives.Entry> entries = new ArrayList<>();
        try (ZipFile zip = new ZipFile(real.toFile())) {
            for (ZipEntry e : java.util.Collections.list(zip.entries())) {
                if (!e.isDirectory()) {
                    entries.add(Archives.Entry.file(
                            e.getName(), zip.getInputStream(e).readAllBytes()));
                }
            }
        }
        Map<String, byte[]> added = MavenInspectionTest.compile(dir, Map.of("org/evil/Processor.java", """
                package org.evil;
                public final class Processor { public static int version() { return 1; } }
                """));
        added.forEach((name, bytes) -> entries.add(Archives.Entry.file(name, bytes)));
        entries.add(
                Archives.Entry.file("META-INF/services/javax.annotation.processing.Processor", "org.evil.Processor\n"));
        entries.add(Archives.Entry.file("META-INF/services/java.sql.Driver", "org.evil.Processor\n"));
        entries.add(Archives.Entry.file(
                "META-INF/maven/com.example/evil/pom.xml",
                "<project><groupId>com.example</groupId><artifactId>evil</artifactId><version>1</version></project>"));
        Inspector inspector = new Inspector(Limits.DEFAULT, Clock.systemUTC());
        Inspection before = inspector.inspect(real, "commons-compress-1.28.0.jar", FORMAT);
        Inspection after = inspector.inspect(
                Archives.write(dir, "commons-compress-1.28.1.jar", Archives.zip(entries)),
                "commons-compress-1.28.1.jar",
                FORMAT);

        List<Finding> found = jarFindings(before, after);
        assertThat(found)
                .anySatisfy(f -> {
                    assertThat(f.severity()).isEqualTo(Severity.HIGH);
                    assertThat(f.message()).startsWith("registers an annotation processor");
                    assertThat(f.path()).isEqualTo("META-INF/services/javax.annotation.processing.Processor");
                })
                .anySatisfy(f -> {
                    assertThat(f.severity()).isEqualTo(Severity.MEDIUM);
                    assertThat(f.message())
                            .isEqualTo("registers a provider of java.sql.Driver, loaded wherever an"
                                    + " application uses java.sql.Driver");
                })
                .anySatisfy(
                        f -> assertThat(f.message())
                                .isEqualTo(
                                        "adds classes in package trees the previous release did not have: org/evil (1 classes)"))
                .anySatisfy(f -> assertThat(f.message())
                        .isEqualTo("bundles (shades) classes of other artifacts: com.example:evil"));
        assertThat(found).hasSize(4);
        assertThat(jarFindings(before, before)).as("a jar against itself").isEmpty();
    }

    /** Real upgrades on Maven Central (group, artifact, from, to), for a local repository with too few of its own. */
    private static final String[][] CENTRAL_PAIRS = {
        {"commons-io", "commons-io", "2.15.1", "2.16.1"},
        {"org.apache.commons", "commons-lang3", "3.14.0", "3.17.0"},
        {"com.google.code.gson", "gson", "2.10.1", "2.11.0"},
        {"org.slf4j", "slf4j-api", "2.0.13", "2.0.16"},
        {"com.fasterxml.jackson.core", "jackson-core", "2.17.2", "2.18.2"},
        {"org.yaml", "snakeyaml", "2.2", "2.3"}
    };

    /** At most this many pairs (a developer's repository holds thousands of jars; CI's holds what the build fetched). */
    private static final int MAX_PAIRS = 300;

    /** Consecutive versions of every artifact in the local repository with two or more: real upgrades. */
    @Test
    void realUpgradePairsRaiseNothingHigh() throws Exception {
        Map<Path, List<Path>> byArtifact = new HashMap<>();
        try (Stream<Path> all = Files.walk(REPOSITORY)) {
            all.filter(p -> {
                        String name = p.getFileName().toString();
                        String version = p.getParent().getFileName().toString();
                        String artifact =
                                p.getParent().getParent().getFileName().toString();
                        return name.equals(artifact + "-" + version + ".jar")
                                && !p.toString().contains("/test/portcullis/");
                    })
                    .forEach(jar -> byArtifact
                            .computeIfAbsent(jar.getParent().getParent(), a -> new ArrayList<>())
                            .add(jar));
        }
        if (byArtifact.values().stream().filter(v -> v.size() >= 2).count() < 5) {
            // A fresh machine's repository holds what one build fetched: add known upgrades from Maven Central.
            for (String[] pair : CENTRAL_PAIRS) {
                for (String version : new String[] {pair[2], pair[3]}) {
                    Path jar = dir.resolve("central")
                            .resolve(pair[0].replace('.', '/'))
                            .resolve(pair[1])
                            .resolve(version)
                            .resolve(pair[1] + "-" + version + ".jar");
                    Files.createDirectories(jar.getParent());
                    java.net.http.HttpResponse<Path> got = java.net.http.HttpClient.newBuilder()
                            .followRedirects(java.net.http.HttpClient.Redirect.NORMAL)
                            .build()
                            .send(
                                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                                                    "https://repo.maven.apache.org/maven2/" + pair[0].replace('.', '/')
                                                            + "/" + pair[1] + "/" + version + "/" + pair[1] + "-"
                                                            + version + ".jar"))
                                            .build(),
                                    java.net.http.HttpResponse.BodyHandlers.ofFile(jar));
                    assertThat(got.statusCode()).as(jar.toString()).isEqualTo(200);
                    byArtifact
                            .computeIfAbsent(jar.getParent().getParent(), x -> new ArrayList<>())
                            .add(jar);
                }
            }
        }
        Inspector inspector = new Inspector(Limits.DEFAULT, Clock.systemUTC());
        List<String> high = new ArrayList<>();
        int pairs = 0;
        int medium = 0;
        List<Path> artifacts = byArtifact.keySet().stream().sorted().toList();
        for (Path artifact : artifacts) {
            List<Path> versions = byArtifact.get(artifact);
            if (versions.size() < 2 || pairs >= MAX_PAIRS) {
                continue;
            }
            versions.sort(
                    Comparator.comparing(p -> p.getParent().getFileName().toString(), MavenJarDiffTest::byVersion));
            Inspection previous = null;
            for (Path jar : versions) {
                Inspection now = inspector.inspect(jar, jar.getFileName().toString(), FORMAT);
                if (previous != null) {
                    pairs++;
                    for (Finding f : jarFindings(previous, now)) {
                        if (f.severity().compareTo(Severity.HIGH) >= 0) {
                            high.add(previous.filename() + " -> " + now.filename() + ": " + f.message());
                        } else {
                            medium++;
                        }
                    }
                }
                previous = now;
            }
        }
        System.out.println("MavenJarDiffTest: " + pairs + " real upgrade pairs, " + medium + " medium jar findings");
        assertThat(pairs).as("upgrade pairs in the local repository").isGreaterThanOrEqualTo(5);
        assertThat(high).as("%d real upgrade pairs", pairs).isEmpty();
    }

    @Test
    void aPomNamingAPluginTwiceIsCompared() {
        dev.portcullis.inspect.PackageMetadata before = new dev.portcullis.inspect.PackageMetadata(
                "g:a", "1", null, List.of(), Map.of(), null, Map.of("build plugins", "x:y x:y"));
        dev.portcullis.inspect.PackageMetadata after = new dev.portcullis.inspect.PackageMetadata(
                "g:a", "2", null, List.of(), Map.of(), null, Map.of("build plugins", "x:y x:y x:z"));
        assertThat(FORMAT.compare(before, after))
                .singleElement()
                .satisfies(f -> assertThat(f.message()).isEqualTo("adds build plugins: x:z"));
    }

    @Test
    void anExecutionAddedToAPluginTheBuildAlreadyHadIsNamed() {
        String pom = "<project><groupId>g</groupId><artifactId>a</artifactId><version>%s</version><build><plugins>"
                + "<plugin><groupId>org.codehaus.mojo</groupId><artifactId>exec-maven-plugin</artifactId>%s</plugin>"
                + "</plugins></build></project>";
        String execution = "<executions><execution><id>fetch</id><phase>generate-sources</phase>"
                + "<goals><goal>exec</goal></goals></execution></executions>";
        String before = String.format(java.util.Locale.ROOT, pom, "1", "");
        assertThat(comparePoms(before, String.format(java.util.Locale.ROOT, pom, "2", execution)))
                .singleElement()
                .satisfies(f -> {
                    assertThat(f.severity()).isEqualTo(dev.portcullis.inspect.Severity.MEDIUM);
                    assertThat(f.message())
                            .isEqualTo(
                                    "adds executions of build plugins that run commands or scripts"
                                            + " (plugin:goals@phase): org.codehaus.mojo:exec-maven-plugin:exec@generate-sources");
                });
        String jacoco = String.format(java.util.Locale.ROOT, pom, "2", "")
                .replace("org.codehaus.mojo", "org.jacoco")
                .replace("exec-maven-plugin", "jacoco-maven-plugin");
        assertThat(comparePoms(before, jacoco))
                .as("a plugin that does not exist to run commands: for the reviewer, not a hold")
                .singleElement()
                .satisfies(f -> assertThat(f.severity()).isEqualTo(dev.portcullis.inspect.Severity.LOW));
    }

    /** The pom findings between two poms as written, read as a deploy reads them. */
    private static List<Finding> comparePoms(String before, String after) {
        return FORMAT.compare(metadata(before), metadata(after));
    }

    private static dev.portcullis.inspect.PackageMetadata metadata(String pom) {
        Pom read =
                Pom.read(pom.getBytes(java.nio.charset.StandardCharsets.UTF_8)).orElseThrow();
        return new dev.portcullis.inspect.PackageMetadata(
                "g:a", read.version(), null, List.of(), Map.of(), null, read.facts());
    }

    private static List<Finding> jarFindings(Inspection before, Inspection after) {
        return ReleaseDiff.between(before, null, after, null, FORMAT, Limits.DEFAULT, Clock.systemUTC())
                .findings()
                .stream()
                .filter(f -> f.rule().equals(MavenFormat.JAR))
                .toList();
    }

    /** Versions in order enough for upgrade pairs: numeric parts by number, the rest by text. */
    static int byVersion(String a, String b) {
        String[] x = a.split("[.-]");
        String[] y = b.split("[.-]");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            int c = x[i].matches("[0-9]{1,9}") && y[i].matches("[0-9]{1,9}")
                    ? Integer.compare(Integer.parseInt(x[i]), Integer.parseInt(y[i]))
                    : x[i].compareTo(y[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(x.length, y.length);
    }
}
