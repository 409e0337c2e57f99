package dev.portcullis.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Role;
import dev.portcullis.testing.FakeRegistry;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestServer;
import dev.portcullis.testing.Uploads;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The registry contract over a second, test-only ecosystem ({@link FakeRegistry}): the gate,
 * inspection, detectors and storage serve it with no change; and a project of it can have the very
 * name of a PyPI project, each one its own project with its own releases and approvals.
 */
class FakeContractTest extends RegistryContract {

    @Override
    protected TestServer start(String database, Path dataDir) {
        return TestServer.startWith(database, dataDir, List.of(new FakeRegistry()));
    }

    @Override
    protected String reference(String project) {
        return FakeRegistry.ID + ":" + project;
    }

    @Override
    protected byte[] packageFile(String project, String version, String variant) {
        return FakeRegistry.packageFile(project, version, List.of("left-pad@^1"), Map.of("index.txt", variant));
    }

    @Override
    protected byte[] lyingFile(String project, String version) {
        return FakeRegistry.packageFile(project, "9.9.9", List.of(), Map.of());
    }

    @Override
    protected Outcome upload(TestServer server, String token, String project, String version, byte[] file) {
        RawHttp.Response response = RawHttp.send(
                server.url(),
                "PUT",
                "/fake/" + project + "/" + version + "/" + project + "-" + version + ".zip",
                Map.of("Authorization", "Bearer " + token),
                file);
        return switch (response.status()) {
            case 201 -> Outcome.STAGED;
            case 200 -> Outcome.UNCHANGED;
            default -> Outcome.REFUSED;
        };
    }

    @Override
    protected List<String> installable(TestServer server, String project) {
        RawHttp.Response response = RawHttp.send(server.url(), "GET", "/fake/" + project, Map.of(), null);
        try {
            List<String> versions = new ArrayList<>();
            new ObjectMapper()
                    .readTree(response.bytes())
                    .path("files")
                    .forEach(f -> versions.add(f.path("version").asText()));
            return versions;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected Optional<byte[]> download(TestServer server, String project, String version) {
        RawHttp.Response response = RawHttp.send(
                server.url(), "GET", "/fake/" + project + "/" + project + "-" + version + ".zip", Map.of(), null);
        return response.status() == 200 ? Optional.of(response.bytes()) : Optional.empty();
    }

    @ParameterizedTest
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void aPypiProjectAndAFakeProjectOfTheSameNameAreTwoProjects(String database) throws IOException {
        try (TestServer server = start(database, dir.resolve("data"))) {
            String pypiToken = server.token("ci-pypi", Role.MAINTAINER, "demo", Permission.UPLOAD);
            String fakeToken = server.token("ci-fake", Role.MAINTAINER, "fake:demo", Permission.UPLOAD);
            byte[] wheel = Uploads.wheel("demo", "1.0.0");
            assertThat(RawHttp.upload(
                                    server.url(),
                                    pypiToken,
                                    Uploads.wheelForm("demo", "1.0.0", Uploads.wheelName("demo", "1.0.0"), wheel)
                                            .build())
                            .status())
                    .isEqualTo(200);
            assertThat(upload(server, fakeToken, "demo", "1.0.0", packageFile("demo", "1.0.0", "a")))
                    .isEqualTo(Outcome.STAGED);

            // A token for one is no token for the other.
            assertThat(upload(server, pypiToken, "demo", "2.0.0", packageFile("demo", "2.0.0", "a")))
                    .isEqualTo(Outcome.REFUSED);
            assertThat(RawHttp.upload(
                                    server.url(),
                                    fakeToken,
                                    Uploads.wheelForm(
                                                    "demo",
                                                    "2.0.0",
                                                    Uploads.wheelName("demo", "2.0.0"),
                                                    Uploads.wheel("demo", "2.0.0"))
                                            .build())
                            .status())
                    .isEqualTo(403);

            // Approving the fake one releases it alone.
            assertThat(server.approve("fake:demo", "1.0.0").status()).isEqualTo(200);
            assertThat(installable(server, "demo")).containsExactly("1.0.0");
            RawHttp.Response pypiIndex = RawHttp.send(
                    server.url(),
                    "GET",
                    "/simple/demo/",
                    Map.of("Accept", "application/vnd.pypi.simple.v1+json"),
                    null);
            assertThat(pypiIndex.status()).isEqualTo(404);
            RawHttp.Response projects = RawHttp.send(
                    server.url(), "GET", "/simple/", Map.of("Accept", "application/vnd.pypi.simple.v1+json"), null);
            assertThat(projects.body()).doesNotContain("demo");

            // Each has its own release record, named by its reference.
            RawHttp.Response fakeRelease = RawHttp.send(
                    server.url(),
                    "GET",
                    "/api/v1/projects/fake:demo/releases/1.0.0",
                    Map.of("Authorization", "Bearer " + server.adminToken()),
                    null);
            RawHttp.Response pypiRelease = RawHttp.send(
                    server.url(),
                    "GET",
                    "/api/v1/projects/demo/releases/1.0.0",
                    Map.of("Authorization", "Bearer " + server.adminToken()),
                    null);
            JsonNode fake = new ObjectMapper().readTree(fakeRelease.bytes());
            JsonNode pypi = new ObjectMapper().readTree(pypiRelease.bytes());
            assertThat(fake.path("state").asText()).as(fakeRelease.body()).isEqualTo("released");
            assertThat(pypi.path("state").asText()).as(pypiRelease.body()).isEqualTo("held");
            assertThat(new String(fakeRelease.bytes(), StandardCharsets.UTF_8))
                    .contains("demo-1.0.0.zip")
                    .doesNotContain(".whl");
        }
    }
}
