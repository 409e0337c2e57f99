package dev.portcullis.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Real Maven against a server: the Maven the project's own wrapper installed (it built this
 * project, so it is there), with a {@code settings.xml} whose server {@code portcullis} carries
 * {@code __token__} and an API token, in batch mode. Plugins come from the user's local repository
 * (or Maven Central once); what is deployed or resolved uses a group id of the test's own, which
 * {@link #forget} removes from the local repository afterwards.
 */
public final class MavenClient {

    private final Path settings;
    private final String repository;

    public MavenClient(Path dir, String serverUrl, String token) {
        this.repository = serverUrl + "/maven2/";
        this.settings = dir.resolve("settings.xml");
        try {
            Files.createDirectories(dir);
            Files.writeString(
                    settings,
                    String.format(java.util.Locale.ROOT, """
                    <settings>
                      <servers>
                        <server><id>portcullis</id><username>__token__</username><password>%s</password></server>
                      </servers>
                    </settings>
                    """, token == null ? "" : token),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String repository() {
        return repository;
    }

    /** Runs {@code mvn ARGS} in {@code dir}. */
    public Processes.Result run(Path dir, String... args) {
        List<String> command = new ArrayList<>(List.of(mvn().toString(), "-B", "-ntp", "-s", settings.toString()));
        command.addAll(List.of(args));
        return Processes.run(
                dir,
                Map.of("JAVA_HOME", System.getProperty("java.home"), "MAVEN_OPTS", "-Xmx256m"),
                Duration.ofMinutes(5),
                command);
    }

    /** The wrapper's Maven ({@code ~/.m2/wrapper/…/bin/mvn}), else {@code mvn} on the path. */
    static Path mvn() {
        Path wrapper = Path.of(System.getProperty("user.home"), ".m2", "wrapper");
        if (Files.isDirectory(wrapper)) {
            try (Stream<Path> found =
                    Files.find(wrapper, 4, (p, a) -> p.endsWith(Path.of("bin", "mvn")) && Files.isExecutable(p))) {
                return found.sorted().reduce((a, b) -> b).orElse(Path.of("mvn"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return Path.of("mvn");
    }

    /** Removes group {@code groupId} from the user's local repository (what a test deployed or resolved). */
    public static void forget(String groupId) {
        Path dir = Path.of(System.getProperty("user.home"), ".m2", "repository").resolve(groupId.replace('.', '/'));
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A jar project with one resource, deploying to Portcullis, on the plugin versions this project builds with. */
    public static Path jarProject(Path dir, String group, String version, String repository) throws IOException {
        Files.createDirectories(dir.resolve("src/main/resources"));
        Files.writeString(dir.resolve("src/main/resources/hello.txt"), "hello from " + group + "\n");
        Files.writeString(
                dir.resolve("pom.xml"),
                String.format(java.util.Locale.ROOT, """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>%s</groupId>
                  <artifactId>demo</artifactId>
                  <version>%s</version>
                  <properties>
                    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                    <maven.compiler.release>17</maven.compiler.release>
                    <project.build.outputTimestamp>2026-01-01T00:00:00Z</project.build.outputTimestamp>
                  </properties>
                  <distributionManagement>
                    <repository><id>portcullis</id><url>%s</url></repository>
                  </distributionManagement>
                  <build>
                    <pluginManagement>
                      <plugins>
                        <plugin><artifactId>maven-resources-plugin</artifactId><version>3.5.0</version></plugin>
                        <plugin><artifactId>maven-compiler-plugin</artifactId><version>3.14.1</version></plugin>
                        <plugin><artifactId>maven-surefire-plugin</artifactId><version>3.5.4</version></plugin>
                        <plugin><artifactId>maven-jar-plugin</artifactId><version>3.5.1</version></plugin>
                        <plugin><artifactId>maven-install-plugin</artifactId><version>3.2.0</version></plugin>
                        <plugin><artifactId>maven-deploy-plugin</artifactId><version>3.2.0</version></plugin>
                      </plugins>
                    </pluginManagement>
                  </build>
                </project>
                """, group, version, repository),
                StandardCharsets.UTF_8);
        return dir;
    }
}
