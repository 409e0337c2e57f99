package dev.portcullis.registry.pypi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.registry.RegistryContract;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestServer;
import dev.portcullis.testing.Uploads;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The registry contract over PyPI's protocols: the legacy upload, the Simple API (PEP 691 JSON) and file downloads. */
class PypiContractTest extends RegistryContract {

    @Override
    protected TestServer start(String database, Path dataDir) {
        return TestServer.start(database, dataDir);
    }

    @Override
    protected String reference(String project) {
        return project;
    }

    @Override
    protected byte[] packageFile(String project, String version, String variant) {
        return Uploads.wheel(
                project,
                version,
                project,
                version,
                Map.of(project + "/variant.txt", variant.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                List.of());
    }

    @Override
    protected byte[] lyingFile(String project, String version) {
        return Uploads.wheel(project, version, project, "9.9.9");
    }

    @Override
    protected Outcome upload(TestServer server, String token, String project, String version, byte[] file) {
        RawHttp.Response response = RawHttp.upload(
                server.url(),
                token,
                Uploads.wheelForm(project, version, Uploads.wheelName(project, version), file)
                        .build());
        return switch (response.status()) {
            case 200 ->
                response.reason().startsWith("OK, held") || response.body().contains("staged")
                        ? Outcome.STAGED
                        : Outcome.UNCHANGED;
            default -> Outcome.REFUSED;
        };
    }

    private JsonNode simple(TestServer server, String project) {
        RawHttp.Response response = RawHttp.send(
                server.url(),
                "GET",
                "/simple/" + project + "/",
                Map.of("Accept", "application/vnd.pypi.simple.v1+json"),
                null);
        if (response.status() == 404) {
            return null;
        }
        try {
            return new ObjectMapper().readTree(response.bytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected List<String> installable(TestServer server, String project) {
        JsonNode index = simple(server, project);
        List<String> versions = new ArrayList<>();
        if (index != null) {
            index.path("versions").forEach(v -> versions.add(v.asText()));
        }
        return versions;
    }

    @Override
    protected Optional<byte[]> download(TestServer server, String project, String version) {
        RawHttp.Response response = RawHttp.send(
                server.url(), "GET", "/files/" + project + "/" + Uploads.wheelName(project, version), Map.of(), null);
        return response.status() == 200 ? Optional.of(response.bytes()) : Optional.empty();
    }
}
