package dev.portcullis.registry.npm;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.registry.RegistryContract;
import dev.portcullis.testing.NpmPackages;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The registry contract over npm's protocol: {@code PUT /npm/<name>}, packuments and tarballs. */
class NpmContractTest extends RegistryContract {

    @Override
    protected TestServer start(String database, Path dataDir) {
        return TestServer.start(database, dataDir);
    }

    @Override
    protected String reference(String project) {
        return "npm:" + project;
    }

    @Override
    protected byte[] packageFile(String project, String version, String variant) {
        return NpmPackages.tarball(project, version, "'" + variant + "'");
    }

    @Override
    protected byte[] lyingFile(String project, String version) {
        return NpmPackages.tarball(project, "9.9.9", "'lie'");
    }

    @Override
    protected Outcome upload(TestServer server, String token, String project, String version, byte[] file) {
        byte[] body = NpmPackages.publishBody(NpmPackages.manifest(project, version), file, "latest");
        RawHttp.Response response = RawHttp.send(
                server.url(),
                "PUT",
                "/npm/" + project,
                Map.of("Authorization", "Bearer " + token, "Content-Type", "application/json"),
                body);
        if (response.status() != 200) {
            return Outcome.REFUSED;
        }
        return response.headers().keySet().stream().anyMatch(h -> h.equalsIgnoreCase("npm-notice"))
                ? Outcome.STAGED
                : Outcome.UNCHANGED;
    }

    @Override
    protected List<String> installable(TestServer server, String project) {
        RawHttp.Response response =
                RawHttp.send(server.url(), "GET", "/npm/" + project, Map.of("Accept", NpmRoutes.ABBREVIATED), null);
        List<String> versions = new ArrayList<>();
        if (response.status() == 200) {
            try {
                new ObjectMapper()
                        .readTree(response.bytes())
                        .path("versions")
                        .fieldNames()
                        .forEachRemaining(versions::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return versions;
    }

    @Override
    protected Optional<byte[]> download(TestServer server, String project, String version) {
        RawHttp.Response response = RawHttp.send(
                server.url(), "GET", "/npm/" + project + "/-/" + project + "-" + version + ".tgz", Map.of(), null);
        return response.status() == 200 ? Optional.of(response.bytes()) : Optional.empty();
    }
}
