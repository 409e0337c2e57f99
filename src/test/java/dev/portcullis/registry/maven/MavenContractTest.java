package dev.portcullis.registry.maven;

import dev.portcullis.registry.RegistryContract;
import dev.portcullis.testing.Archives;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The registry contract over Maven's repository layout: {@code PUT} and {@code GET} under {@code /maven2/}. */
class MavenContractTest extends RegistryContract {

    private static final String GROUP = "org.example";

    @Override
    protected TestServer start(String database, Path dataDir) {
        return TestServer.start(database, dataDir);
    }

    @Override
    protected String reference(String project) {
        return "maven:" + GROUP + ":" + project;
    }

    @Override
    protected byte[] packageFile(String project, String version, String variant) {
        return MavenArtifacts.jar(GROUP, project, version, "variant " + variant);
    }

    @Override
    protected byte[] lyingFile(String project, String version) {
        return MavenArtifacts.jar(GROUP, project, "9.9.9", "lie");
    }

    @Override
    protected Outcome upload(TestServer server, String token, String project, String version, byte[] file) {
        RawHttp.Response response = RawHttp.send(
                server.url(),
                "PUT",
                MavenArtifacts.path(GROUP, project, version, project + "-" + version + ".jar"),
                Map.of("Authorization", RawHttp.basic(token)),
                file);
        if (response.status() == 201 || response.status() == 200) {
            MavenArtifacts.endDeployment(server, token, GROUP, project);
        }
        return switch (response.status()) {
            case 201 -> Outcome.STAGED;
            case 200 -> Outcome.UNCHANGED;
            default -> Outcome.REFUSED;
        };
    }

    @Override
    protected List<String> installable(TestServer server, String project) {
        RawHttp.Response response = RawHttp.send(
                server.url(), "GET", MavenArtifacts.path(GROUP, project, null, "maven-metadata.xml"), Map.of(), null);
        List<String> versions = new ArrayList<>();
        if (response.status() == 200) {
            Matcher m = Pattern.compile("<version>([^<]+)</version>").matcher(response.body());
            while (m.find()) {
                versions.add(m.group(1));
            }
        }
        return versions;
    }

    @Override
    protected Optional<byte[]> download(TestServer server, String project, String version) {
        RawHttp.Response response = RawHttp.send(
                server.url(),
                "GET",
                MavenArtifacts.path(GROUP, project, version, project + "-" + version + ".jar"),
                Map.of(),
                null);
        return response.status() == 200 ? Optional.of(response.bytes()) : Optional.empty();
    }

    /** Jars and poms as Maven builds them, for requests made by hand. */
    static final class MavenArtifacts {

        static String path(String group, String artifact, String version, String filename) {
            return "/maven2/" + group.replace('.', '/') + "/" + artifact + "/" + (version == null ? "" : version + "/")
                    + filename;
        }

        static String pom(String group, String artifact, String version, String extra) {
            return String.format(java.util.Locale.ROOT, """
                    <project xmlns="http://maven.apache.org/POM/4.0.0">
                      <modelVersion>4.0.0</modelVersion>
                      <groupId>%s</groupId>
                      <artifactId>%s</artifactId>
                      <version>%s</version>
                      %s
                    </project>
                    """, group, artifact, version, extra);
        }

        static byte[] jar(String group, String artifact, String version, String content) {
            return Archives.zip(List.of(
                    Archives.Entry.file("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n"),
                    Archives.Entry.file(
                            "META-INF/maven/" + group + "/" + artifact + "/pom.xml", pom(group, artifact, version, "")),
                    Archives.Entry.file("hello.txt", content)));
        }

        /**
         * Ends a deployment of {@code group:artifact} as Maven does, with its {@code maven-metadata.xml}
         * PUT: the gate decides the deployed release then. Returns the status.
         */
        static int endDeployment(TestServer server, String token, String group, String artifact) {
            return RawHttp.send(
                            server.url(),
                            "PUT",
                            path(group, artifact, null, "maven-metadata.xml"),
                            Map.of("Authorization", RawHttp.basic(token)),
                            utf8("<metadata><groupId>" + group + "</groupId><artifactId>" + artifact
                                    + "</artifactId></metadata>"))
                    .status();
        }

        static byte[] utf8(String s) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
    }
}
