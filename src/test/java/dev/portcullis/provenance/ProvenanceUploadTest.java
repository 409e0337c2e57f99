package dev.portcullis.provenance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Role;
import dev.portcullis.testing.CliRunner;
import dev.portcullis.testing.Multipart;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestData;
import dev.portcullis.testing.TestServer;
import dev.portcullis.testing.Uploads;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real pypi_attestations 0.0.19 sdist uploaded with its PEP 740 publish attestation in the
 * {@code attestations} form field, exactly as twine 6 sends it (Debian's twine 4 predates the
 * option, so this test builds the same request): verified against the project's trusted
 * publisher, recorded, served by the Integrity API; by another publisher: held with the reason;
 * tampered: refused.
 */
class ProvenanceUploadTest {

    private static final Path TESTDATA = TestData.path("");
    private static final String FILE = "pypi_attestations-0.0.19.tar.gz";
    private static final String PROJECT = "pypi-attestations";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private TestServer start(String database) {
        return TestServer.start(
                database,
                dir.resolve("data"),
                settings ->
                        settings.withSigstoreTrustedRoot(TESTDATA.resolve("sigstore-trust-roots/trusted_root.json")));
    }

    private static void publisher(TestServer server, String repository, String... rules) {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of(
                "publisher",
                "add",
                PROJECT,
                "--github",
                repository,
                "--owner-id",
                rules.length > 0 && rules[0].equals("--owner-id") ? rules[1] : "2314423",
                "--workflow",
                "release.yml",
                "--otp",
                server.admin().otp(),
                "--server",
                server.url(),
                "--token",
                server.adminToken()));
        args.addAll(java.util.Arrays.asList(rules)
                .subList(rules.length > 0 && rules[0].equals("--owner-id") ? 2 : 0, rules.length));
        CliRunner.Output added = CliRunner.run(args.toArray(String[]::new));
        assertThat(added.code()).as(added.err()).isZero();
    }

    /**
     * The same genuine attestation (built from tag v0.0.19, started by a {@code release} event, on a
     * GitHub-hosted runner, repository owner id 2314423) against publishers whose build rules it
     * meets or breaks: met, the file is verified; broken, it is kept unverified and the release held
     * with a high provenance signal naming the field.
     */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource(
            delimiter = '|',
            value = {
                "--ref=refs/tags/v* --trigger=release,push --runner=github-hosted | ",
                "--trigger=push | trigger: started by release, the publisher allows push",
                "--ref=refs/heads/main | ref: built refs/tags/v0.0.19, the publisher allows refs/heads/main",
                "--runner=self-hosted | runner: ran on github-hosted, the publisher requires self-hosted",
                "--owner-id 99 | owner id: the repository's owner has id 2314423, the publisher's 99"
            })
    void theBuildMustBeOneThePublisherAllows(String rules, String broken) throws Exception {
        try (TestServer server = start("sqlite")) {
            publisher(server, "trailofbits/pypi-attestations", rules.split(" "));
            String token = server.token("ci", Role.MAINTAINER, PROJECT, Permission.UPLOAD);
            RawHttp.Response uploaded = upload(server, token, attestation());
            assertThat(uploaded.status()).as(uploaded.body()).isEqualTo(200);
            JsonNode release = server.release(PROJECT, "0.0.19");
            String reasons = release.path("decision").path("reasons").toString();
            JsonNode file = release.path("files").get(0);
            if (broken == null) {
                assertThat(file.path("provenance").path("status").asText()).isEqualTo("verified");
                assertThat(reasons).doesNotContain("provenance of");
            } else {
                assertThat(file.path("provenance").path("status").asText()).isEqualTo("unverified");
                assertThat(reasons)
                        .contains("the provenance of " + FILE + " is not a trusted publisher's release build: signed by"
                                + " https://github.com/trailofbits/pypi-attestations/.github/workflows/release.yml@refs/tags/v0.0.19,"
                                + " the trusted publisher GitHub trailofbits/pypi-attestations release.yml")
                        .contains("but from a build it does not allow: " + broken)
                        .contains("high signal from provenance");
                assertThat(release.path("state").asText()).isEqualTo("held");
            }
        }
    }

    private static RawHttp.Response upload(TestServer server, String token, String attestation) throws Exception {
        byte[] sdist = Files.readAllBytes(TESTDATA.resolve("pep740").resolve(FILE));
        return RawHttp.upload(
                server.url(),
                token,
                new Multipart()
                        .field(":action", "file_upload")
                        .field("protocol_version", "1")
                        .field("metadata_version", "2.1")
                        .field("name", PROJECT)
                        .field("version", "0.0.19")
                        .field("filetype", "sdist")
                        .field("pyversion", "source")
                        .field("sha256_digest", Uploads.sha256(sdist))
                        .field("attestations", "[" + attestation + "]")
                        .file("content", FILE, sdist)
                        .build());
    }

    private static String attestation() throws Exception {
        return Files.readString(TESTDATA.resolve("pep740").resolve(FILE + ".publish.attestation"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void anAttestationFromTheTrustedPublisherIsVerifiedRecordedAndServed(String database) throws Exception {
        try (TestServer server = start(database)) {
            publisher(server, "trailofbits/pypi-attestations");
            String token = server.token("ci", Role.MAINTAINER, PROJECT, Permission.UPLOAD);
            RawHttp.Response uploaded = upload(server, token, attestation());
            assertThat(uploaded.status()).as(uploaded.body()).isEqualTo(200);
            assertThat(server.app()
                            .events()
                            .list(PROJECT, "UploadStaged", 0, 5)
                            .getFirst()
                            .details())
                    .contains("\"provenance\":\"verified\"")
                    .contains("08802efe1f8e5fec4ad842d6b8ce97656092ee72");

            CliRunner.Output show = CliRunner.run(
                    "release", "show", PROJECT, "0.0.19", "--server", server.url(), "--token", server.adminToken());
            assertThat(show.out())
                    .contains(
                            "provenance verified: signed by https://github.com/trailofbits/pypi-attestations/.github/workflows/release.yml@refs/tags/v0.0.19, source refs/tags/v0.0.19 at commit 08802efe1f8e5fec4ad842d6b8ce97656092ee72");

            RawHttp.Response before = RawHttp.send(
                    server.url(), "GET", "/integrity/" + PROJECT + "/0.0.19/" + FILE + "/provenance", Map.of(), null);
            assertThat(before.status()).as("nothing is served while held").isEqualTo(404);
            assertThat(server.approve(PROJECT, "0.0.19").status()).isEqualTo(200);

            RawHttp.Response served = RawHttp.send(
                    server.url(),
                    "GET",
                    "/integrity/" + PROJECT + "/0.0.19/" + FILE + "/provenance",
                    Map.of("Accept", "application/vnd.pypi.integrity.v1+json"),
                    null);
            assertThat(served.status()).isEqualTo(200);
            JsonNode provenance = JSON.readTree(served.body());
            assertThat(provenance
                            .path("attestation_bundles")
                            .get(0)
                            .path("publisher")
                            .path("repository")
                            .asText())
                    .isEqualTo("trailofbits/pypi-attestations");
            assertThat(provenance
                            .path("attestation_bundles")
                            .get(0)
                            .path("attestations")
                            .get(0))
                    .isEqualTo(JSON.readTree(attestation()));
            assertThat(RawHttp.send(
                                    server.url(),
                                    "GET",
                                    "/integrity/" + PROJECT + "/0.0.19/" + FILE + "/provenance",
                                    Map.of("Accept", "text/html"),
                                    null)
                            .status())
                    .isEqualTo(406);
            JsonNode index = JSON.readTree(RawHttp.send(
                            server.url(),
                            "GET",
                            "/simple/" + PROJECT + "/",
                            Map.of("Accept", "application/vnd.pypi.simple.v1+json"),
                            null)
                    .body());
            assertThat(index.path("files").get(0).path("provenance").asText())
                    .isEqualTo("/integrity/" + PROJECT + "/0.0.19/" + FILE + "/provenance");

            // The next version arrives without attestations: the downgrade is a high-severity signal that holds it.
            String next = Uploads.wheelName(PROJECT, "0.0.20");
            assertThat(RawHttp.upload(
                                    server.url(),
                                    token,
                                    Uploads.wheelForm(PROJECT, "0.0.20", next, Uploads.wheel(PROJECT, "0.0.20"))
                                            .build())
                            .status())
                    .isEqualTo(200);
            JsonNode release = server.release(PROJECT, "0.0.20");
            assertThat(release.path("decision").path("reasons").toString())
                    .contains(
                            "high signal from provenance: provenance downgrade: 0.0.19 had verified attestations from the trusted publisher for every file, 0.0.20 does not");
            assertThat(release.path("decision").path("risk").asInt()).isGreaterThanOrEqualTo(30);

            // With provenance required, a file without it is held for that reason too.
            Path policy = Files.writeString(dir.resolve("policy.yaml"), "provenance: required\n");
            assertThat(CliRunner.run(
                                    "policy",
                                    "import",
                                    PROJECT,
                                    policy.toString(),
                                    "--otp",
                                    server.admin().otp(),
                                    "--server",
                                    server.url(),
                                    "--token",
                                    server.adminToken())
                            .code())
                    .isZero();
            String third = Uploads.wheelName(PROJECT, "0.0.21");
            assertThat(RawHttp.upload(
                                    server.url(),
                                    token,
                                    Uploads.wheelForm(PROJECT, "0.0.21", third, Uploads.wheel(PROJECT, "0.0.21"))
                                            .build())
                            .status())
                    .isEqualTo(200);
            assertThat(RawHttp.send(
                                    server.url(),
                                    "GET",
                                    "/api/v1/projects/" + PROJECT + "/releases/0.0.21",
                                    Map.of("Authorization", "Bearer " + server.adminToken()),
                                    null)
                            .body())
                    .contains("policy requires verified provenance, and " + third
                            + " has no attestation from a trusted publisher");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void anotherSignerIsHeldWithTheReasonAndATamperedAttestationIsRefused(String database) throws Exception {
        try (TestServer server = start(database)) {
            publisher(server, "acme/pypi-attestations");
            String token = server.token("ci", Role.MAINTAINER, PROJECT, Permission.UPLOAD);

            JsonNode tampered = JSON.readTree(attestation());
            byte[] signature = Base64.getDecoder()
                    .decode(tampered.path("envelope").path("signature").asText());
            signature[10] ^= 1;
            ((com.fasterxml.jackson.databind.node.ObjectNode) tampered.path("envelope"))
                    .put("signature", Base64.getEncoder().encodeToString(signature));
            TestServer.Snapshot before = server.snapshot();
            RawHttp.Response refused = upload(server, token, tampered.toString());
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.reason())
                    .startsWith("Invalid attestations supplied during upload: the DSSE signature is not valid");
            assertThat(server.snapshot()).isEqualTo(before);

            RawHttp.Response uploaded = upload(server, token, attestation());
            assertThat(uploaded.status()).isEqualTo(200);
            JsonNode release = server.release(PROJECT, "0.0.19");
            assertThat(release.path("decision").path("reasons").toString())
                    .contains(
                            "attested by https://github.com/trailofbits/pypi-attestations/.github/workflows/release.yml@refs/tags/v0.0.19")
                    .contains("which is not a trusted publisher of pypi-attestations");
        }
    }

    /**
     * With {@code --check-source-commits}, the forge is asked whether the attested commit is on the
     * attested ref (here a stand-in for GitHub's compare API, which this machine cannot reach,
     * answering as GitHub does): reachable, verified; diverged or an error, held with the reason.
     */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource(
            delimiter = '|',
            value = {
                "identical | ",
                "diverged | commit: " + COMMIT + " is not on refs/tags/v0.0.19 of trailofbits/pypi-attestations"
                        + " (127.0.0.1 compares them as diverged)",
                "503 | commit: could not confirm that " + COMMIT + " is on refs/tags/v0.0.19 (127.0.0.1 answered"
                        + " HTTP 503)"
            })
    void withSourceCommitChecksTheCommitMustBeOnTheRef(String answer, String broken) throws Exception {
        java.util.List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        com.sun.net.httpserver.HttpServer forge =
                com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        forge.createContext("/api/v3/", exchange -> {
            asked.add(exchange.getRequestURI().toString());
            byte[] body = answer.matches("[0-9]+")
                    ? "{\"message\": \"unavailable\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8)
                    : ("{\"status\": \"" + answer + "\", \"ahead_by\": 0, \"behind_by\": 0}")
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(answer.matches("[0-9]+") ? Integer.parseInt(answer) : 200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        forge.start();
        try (TestServer server = TestServer.start(
                "sqlite",
                dir.resolve("data"),
                settings -> settings.withSigstoreTrustedRoot(TESTDATA.resolve("sigstore-trust-roots/trusted_root.json"))
                        .withSourceCommitsApi(java.net.URI.create(
                                "http://127.0.0.1:" + forge.getAddress().getPort() + "/api/v3")))) {
            publisher(server, "trailofbits/pypi-attestations");
            String token = server.token("ci", Role.MAINTAINER, PROJECT, Permission.UPLOAD);
            RawHttp.Response uploaded = upload(server, token, attestation());
            assertThat(uploaded.status()).as(uploaded.body()).isEqualTo(200);
            assertThat(asked)
                    .containsExactly(
                            "/api/v3/repos/trailofbits/pypi-attestations/compare/" + COMMIT + "...v0.0.19?per_page=1");
            JsonNode release = server.release(PROJECT, "0.0.19");
            JsonNode file = release.path("files").get(0);
            if (broken == null) {
                assertThat(file.path("provenance").path("status").asText()).isEqualTo("verified");
            } else {
                assertThat(file.path("provenance").path("status").asText()).isEqualTo("unverified");
                assertThat(release.path("decision").path("reasons").toString())
                        .contains("but from a build it does not allow: " + broken)
                        .contains("high signal from provenance");
            }
        } finally {
            forge.stop(0);
        }
    }

    private static final String COMMIT = "08802efe1f8e5fec4ad842d6b8ce97656092ee72";
}
