package dev.portcullis.publish;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.identity.Totp;
import dev.portcullis.testing.Await;
import dev.portcullis.testing.CliRunner;
import dev.portcullis.testing.Multipart;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.ServerProcess;
import dev.portcullis.testing.TestDatabases;
import dev.portcullis.testing.Uploads;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Uploads stream: a wheel larger than 2 GiB goes through a server with a 256 MiB heap, and a
 * server killed (SIGKILL) in the middle of a large upload restarts with no partial file or release
 * and everything published before intact.
 */
class LargeUploadTest {

    private static final String PROJECT = "big";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void twoGigabyteWheelUploadsThroughA256MegabyteHeap() throws Exception {
        Path data = dir.resolve("data");
        Admin admin = adminToken(data, null);
        String uploader = uploaderToken(data, null);
        long payload = (2L << 30) + 4096; // just over 2 GiB
        Path wheel = bigWheel(dir.resolve(Uploads.wheelName(PROJECT, "1.0.0")), payload);
        String sha256 = sha256(wheel);
        try (ServerProcess server = ServerProcess.start(data, null, "256m", "--max-file-size", "3G")) {
            HttpResponse<String> upload =
                    streamUpload(server.url(), uploader, "1.0.0", wheel, sha256, Files.newInputStream(wheel));
            assertThat(upload.statusCode()).as(upload.body() + server.log()).isEqualTo(200);
            approve(server.url(), admin, "1.0.0");

            HttpResponse<InputStream> download = HTTP.send(
                    HttpRequest.newBuilder(URI.create(server.url() + "/files/big/" + wheel.getFileName()))
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(download.statusCode()).isEqualTo(200);
            assertThat(download.headers().firstValueAsLong("Content-Length")).hasValue(Files.size(wheel));
            assertThat(sha256(download.body())).isEqualTo(sha256);
        } finally {
            Files.deleteIfExists(wheel);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void serverKilledMidUploadRestartsWithNoPartialFileOrRelease(String database) throws Exception {
        Path data = dir.resolve("data");
        String databaseUrl = database.equals("postgresql") ? TestDatabases.postgresUrlWithFreshSchema() : null;
        Admin admin = adminToken(data, databaseUrl);
        String uploader = uploaderToken(data, databaseUrl);
        byte[] published = Uploads.wheel(PROJECT, "1.0.0");
        try (ServerProcess server = ServerProcess.start(data, databaseUrl, "256m")) {
            RawHttp.Response ok = RawHttp.upload(
                    server.url(),
                    uploader,
                    Uploads.wheelForm(PROJECT, "1.0.0", Uploads.wheelName(PROJECT, "1.0.0"), published)
                            .build());
            assertThat(ok.status()).isEqualTo(200);
            approve(server.url(), admin, "1.0.0");

            // An endless upload: 32 MiB arrive, then the client keeps the request open, one byte every 100 ms
            // (a stalled client: its writes fail once the server is gone).
            InputStream endless = new InputStream() {
                long sent;

                @Override
                public int read() {
                    throw new UnsupportedOperationException();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    if (sent >= 32L << 20) {
                        try {
                            Thread.sleep(100);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return -1;
                        }
                        return 0 == len ? 0 : fill(b, off, 1);
                    }
                    return fill(b, off, (int) Math.min(len, (32L << 20) - sent + 1));
                }

                private int fill(byte[] b, int off, int n) {
                    java.util.Arrays.fill(b, off, off + n, (byte) 'x');
                    sent += n;
                    return n;
                }
            };
            CompletableFuture<HttpResponse<String>> inFlight = CompletableFuture.supplyAsync(() -> {
                try {
                    return streamUpload(server.url(), uploader, "2.0.0", null, "0".repeat(64), endless);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Path tmp = data.resolve("blobs").resolve("tmp");
            Await.until(
                    "the upload's first 16 MiB on the server's disk",
                    java.time.Duration.ofSeconds(60),
                    () -> partialBytes(tmp) >= (16L << 20));
            server.kill();
            assertThat(inFlight).failsWithin(java.time.Duration.ofSeconds(30));
        }
        assertThat(partialBytes(data.resolve("blobs").resolve("tmp")))
                .as("the crash left a partial file")
                .isPositive();

        try (ServerProcess restarted = ServerProcess.start(data, databaseUrl, "256m")) {
            try (Stream<Path> leftovers = Files.list(data.resolve("blobs").resolve("tmp"))) {
                assertThat(leftovers).as("partial uploads are removed at start").isEmpty();
            }
            RawHttp.Response releases = RawHttp.send(
                    restarted.url(),
                    "GET",
                    "/api/v1/releases?state=held",
                    Map.of("Authorization", "Bearer " + admin.token()),
                    null);
            assertThat(new ObjectMapper()
                            .readTree(releases.body())
                            .path("releases")
                            .isEmpty())
                    .as(releases.body())
                    .isTrue();
            RawHttp.Response download = RawHttp.send(
                    restarted.url(), "GET", "/files/big/" + Uploads.wheelName(PROJECT, "1.0.0"), Map.of(), null);
            assertThat(download.status()).isEqualTo(200);
            assertThat(download.bytes()).isEqualTo(published);
            // The interrupted version can be uploaded afresh.
            RawHttp.Response retry = RawHttp.upload(
                    restarted.url(),
                    uploader,
                    Uploads.wheelForm(
                                    PROJECT,
                                    "2.0.0",
                                    Uploads.wheelName(PROJECT, "2.0.0"),
                                    Uploads.wheel(PROJECT, "2.0.0"))
                            .build());
            assertThat(retry.status()).as(retry.body()).isEqualTo(200);
            assertThat(restarted.stop()).as("graceful shutdown on SIGTERM").isIn(0, 143);
        }
    }

    /** The first admin's token and the enrolment ticket `admin init` prints for its second factor. */
    private record Admin(String token, String ticket) {}

    private static Admin adminToken(Path data, String database) {
        CliRunner.Output out = localOutput(data, database, "admin", "init");
        java.util.regex.Matcher ticket =
                java.util.regex.Pattern.compile("pcl_e_\\S+").matcher(out.err());
        assertThat(ticket.find()).as(out.err()).isTrue();
        return new Admin(out.out().trim(), ticket.group());
    }

    /** An upload token of a separate CI user: the uploader of a release can never approve it. */
    private static String uploaderToken(Path data, String database) {
        local(data, database, "admin", "add-user", "ci", "--role", "maintainer");
        return local(data, database, "admin", "create-token", "--user", "ci", "--scope", "upload");
    }

    private static String local(Path data, String database, String... command) {
        return localOutput(data, database, command).out().trim();
    }

    private static CliRunner.Output localOutput(Path data, String database, String... command) {
        List<String> args = new java.util.ArrayList<>(List.of(command));
        args.addAll(List.of("--data", data.toString()));
        if (database != null) {
            args.addAll(List.of("--database", database));
        }
        CliRunner.Output out = CliRunner.run(args.toArray(String[]::new));
        assertThat(out.code()).as(out.err()).isZero();
        return out;
    }

    /** Enrols the admin in TOTP over the API with its ticket (real clock), then approves with the next step's code. */
    private static void approve(String url, Admin admin, String version) throws Exception {
        Map<String, String> headers =
                Map.of("Authorization", "Bearer " + admin.token(), "Content-Type", "application/json");
        RawHttp.Response enrolled = RawHttp.send(
                url,
                "POST",
                "/api/v1/mfa/enroll",
                headers,
                ("{\"ticket\": \"" + admin.ticket() + "\"}").getBytes(StandardCharsets.UTF_8));
        assertThat(enrolled.status()).as(enrolled.body()).isEqualTo(200);
        byte[] secret = Totp.fromBase32(
                new ObjectMapper().readTree(enrolled.body()).path("secret").asText());
        long step = Totp.step(java.time.Instant.now().getEpochSecond());
        RawHttp.Response confirmed = RawHttp.send(
                url,
                "POST",
                "/api/v1/mfa/confirm",
                headers,
                ("{\"ticket\": \"" + admin.ticket() + "\", \"otp\": \"" + Totp.code(secret, step) + "\"}")
                        .getBytes(StandardCharsets.UTF_8));
        assertThat(confirmed.status()).as(confirmed.body()).isEqualTo(200);
        RawHttp.Response approved = RawHttp.send(
                url,
                "POST",
                "/api/v1/projects/" + PROJECT + "/releases/" + version + "/approve",
                headers,
                ("{\"otp\": \"" + Totp.code(secret, step + 1) + "\"}").getBytes(StandardCharsets.UTF_8));
        assertThat(approved.status()).as(approved.body()).isEqualTo(200);
    }

    /** POSTs a twine-shaped form whose file part is streamed from {@code content}. */
    private static HttpResponse<String> streamUpload(
            String url, String token, String version, Path file, String sha256, InputStream content) throws Exception {
        Multipart fields = new Multipart()
                .field(":action", "file_upload")
                .field("protocol_version", "1")
                .field("metadata_version", "2.1")
                .field("name", PROJECT)
                .field("version", version)
                .field("filetype", "bdist_wheel")
                .field("pyversion", "py3")
                .field("sha256_digest", sha256);
        byte[] head = fields.build();
        head = java.util.Arrays.copyOf(head, head.length - (Multipart.BOUNDARY.length() + 6)); // drop the closing line
        InputStream body = new SequenceInputStream(java.util.Collections.enumeration(List.of(
                new ByteArrayInputStream(head),
                new ByteArrayInputStream(Multipart.fileHeader("content", Uploads.wheelName(PROJECT, version))),
                content,
                new ByteArrayInputStream(Multipart.closing()))));
        HttpRequest.BodyPublisher publisher = HttpRequest.BodyPublishers.ofInputStream(() -> body);
        if (file != null) {
            long length = head.length
                    + Multipart.fileHeader("content", Uploads.wheelName(PROJECT, version)).length
                    + Files.size(file)
                    + Multipart.closing().length;
            publisher = HttpRequest.BodyPublishers.fromPublisher(publisher, length);
        }
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(url + "/legacy/"))
                        .header("Content-Type", Multipart.contentType())
                        .header("Authorization", RawHttp.basic(token))
                        .POST(publisher)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A valid wheel with one stored (uncompressed) entry of {@code size} zero bytes. */
    private static Path bigWheel(Path target, long size) throws IOException {
        byte[] chunk = new byte[1 << 20];
        CRC32 crc = new CRC32();
        for (long left = size; left > 0; left -= chunk.length) {
            crc.update(chunk, 0, (int) Math.min(chunk.length, left));
        }
        try (OutputStream file = Files.newOutputStream(target);
                ZipOutputStream zip = new ZipOutputStream(new java.io.BufferedOutputStream(file, 1 << 20))) {
            zip.putNextEntry(new ZipEntry("big-1.0.0.dist-info/METADATA"));
            zip.write("Metadata-Version: 2.1\nName: big\nVersion: 1.0.0\n\n".getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
            ZipEntry blob = new ZipEntry("big/data.bin");
            blob.setMethod(ZipEntry.STORED);
            blob.setSize(size);
            blob.setCompressedSize(size);
            blob.setCrc(crc.getValue());
            zip.putNextEntry(blob);
            for (long left = size; left > 0; left -= chunk.length) {
                zip.write(chunk, 0, (int) Math.min(chunk.length, left));
            }
            zip.closeEntry();
        }
        // On disk before the server starts: two gigabytes of dirty pages make every fsync of the
        // server's SQLite commits wait behind their write-back, past the database's busy timeout.
        try (java.nio.channels.FileChannel channel =
                java.nio.channels.FileChannel.open(target, java.nio.file.StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        return target;
    }

    /** Bytes in the blob store's temporary files (a file may vanish while counted). */
    private static long partialBytes(Path tmp) {
        if (!Files.isDirectory(tmp)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(tmp)) {
            long total = 0;
            for (Path f : files.toList()) {
                try {
                    total += Files.size(f);
                } catch (IOException gone) {
                    // committed or discarded meanwhile
                }
            }
            return total;
        } catch (IOException e) {
            return 0; // the directory is being emptied
        }
    }

    private static String sha256(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return sha256(in);
        }
    }

    private static String sha256(InputStream in) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (DigestInputStream stream = new DigestInputStream(in, digest)) {
            stream.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
