package dev.portcullis.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Role;
import dev.portcullis.testing.CliRunner;
import dev.portcullis.testing.PythonClients;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.S3Server;
import dev.portcullis.testing.TestDatabases;
import dev.portcullis.testing.TestServer;
import dev.portcullis.testing.Uploads;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Release files in an S3-compatible bucket (S3Proxy, a real one, in its own process): uploads land
 * in the bucket before their rows commit, installs work from an empty cache and from a second
 * instance, the bucket is not trusted to keep bytes unchanged, an unreachable bucket refuses
 * uploads without recording anything, the cache stays within its size, large files go up in parts,
 * and a backup taken from the bucket restores into another one.
 */
class S3BlobStoreTest {

    private static S3Server s3;

    @TempDir
    static Path shared;

    @TempDir
    Path dir;

    @BeforeAll
    static void startS3() {
        s3 = S3Server.start(shared.resolve("s3"));
    }

    @AfterAll
    static void stopS3() {
        s3.close();
    }

    @Test
    void releasesLiveInTheBucketAndInstallFromAnEmptyCacheAndASecondInstance() throws Exception {
        var database = TestDatabases.create("postgresql", dir.resolve("one"));
        try (TestServer one = TestServer.start(
                database,
                dir.resolve("one"),
                new dev.portcullis.testing.TestClock(),
                null,
                s -> s.withBlobs(s3.settings("shared/", 0)))) {
            String uploader = one.token("ci", Role.MAINTAINER, "bucketed", Permission.UPLOAD);
            Path dist = PythonClients.buildSample("bucketed", "1.0.0");
            Path wheel = PythonClients.wheel(dist);
            var uploaded = PythonClients.twineUpload(one.url(), uploader, wheel);
            assertThat(uploaded.exitCode()).as(uploaded.toString()).isZero();
            assertThat(one.approve("bucketed", "1.0.0").status()).isEqualTo(200);
            String sha256 = Sha256.hex(wheel);
            assertThat(s3.objects("shared/"))
                    .extracting(p -> p.getFileName().toString())
                    .contains(sha256);

            // An instance whose cache was lost fetches the file from the bucket, checked, and keeps it.
            Path cache = dir.resolve("one").resolve("blobs").resolve("sha256");
            deleteTree(cache);
            var installed = PythonClients.pipInstall(one.url(), dir.resolve("site-one"), "bucketed");
            assertThat(installed.exitCode()).as(installed.toString()).isZero();
            assertThat(cache.resolve(sha256.substring(0, 2)).resolve(sha256)).exists();

            // A second instance: same database and bucket, its own (empty) data directory.
            try (TestServer two = TestServer.start(
                    database,
                    dir.resolve("two"),
                    one.clock(),
                    one.admin(),
                    s -> s.withBlobs(s3.settings("shared/", 0)))) {
                var again = PythonClients.pipInstall(two.url(), dir.resolve("site-two"), "bucketed");
                assertThat(again.exitCode()).as(again.toString()).isZero();
                // What one instance stages, the other serves once released.
                assertThat(Uploads.upload(two.url(), uploader, "bucketed", "1.1.0")
                                .status())
                        .isEqualTo(200);
                assertThat(one.approve("bucketed", "1.1.0").status()).isEqualTo(200);
                RawHttp.Response file = RawHttp.send(
                        one.url(),
                        "GET",
                        fileUrl(one, "bucketed", Uploads.wheelName("bucketed", "1.1.0")),
                        Map.of(),
                        null);
                assertThat(file.status()).isEqualTo(200);
                assertThat(Uploads.sha256(file.bytes()))
                        .isEqualTo(linkSha256(one, "bucketed", Uploads.wheelName("bucketed", "1.1.0")));
            }
        }
    }

    @Test
    void anObjectChangedInTheBucketIsNeverServed() throws Exception {
        try (TestServer server =
                TestServer.start("sqlite", dir.resolve("data"), s -> s.withBlobs(s3.settings("changed/", 0)))) {
            String uploader = server.token("ci", Role.MAINTAINER, "changed", Permission.UPLOAD);
            assertThat(Uploads.upload(server.url(), uploader, "changed", "1.0.0")
                            .status())
                    .isEqualTo(200);
            assertThat(server.approve("changed", "1.0.0").status()).isEqualTo(200);
            String sha256 = Uploads.sha256(Uploads.wheel("changed", "1.0.0"));
            Path object = s3.objects("changed/").stream()
                    .filter(p -> p.getFileName().toString().equals(sha256))
                    .findFirst()
                    .orElseThrow();
            byte[] evil = Uploads.wheel("changed", "1.0.0", "changed", "1.0.0");
            evil[evil.length / 2] ^= 1;
            Files.write(object, evil);
            deleteTree(dir.resolve("data").resolve("blobs").resolve("sha256"));

            RawHttp.Response file = RawHttp.send(
                    server.url(),
                    "GET",
                    fileUrl(server, "changed", Uploads.wheelName("changed", "1.0.0")),
                    Map.of(),
                    null);
            assertThat(file.status()).isEqualTo(500);
            assertThat(new String(file.bytes(), java.nio.charset.StandardCharsets.UTF_8))
                    .doesNotContain("PK");
            assertThat(dir.resolve("data")
                            .resolve("blobs")
                            .resolve("sha256")
                            .resolve(sha256.substring(0, 2))
                            .resolve(sha256))
                    .as("the changed bytes are not kept")
                    .doesNotExist();
            assertThat(server.snapshot().temporaryFiles()).isZero();
            // Asked again (anyone can): refused at once, without another download or another alert.
            for (int i = 0; i < 3; i++) {
                assertThat(RawHttp.send(
                                        server.url(),
                                        "GET",
                                        fileUrl(server, "changed", Uploads.wheelName("changed", "1.0.0")),
                                        Map.of(),
                                        null)
                                .status())
                        .isEqualTo(500);
            }
            assertThat(server.events("BlobDamaged")).isEqualTo(1);
        }
    }

    @Test
    void anUnreachableBucketRefusesUploadsAndRecordsNothing() throws Exception {
        try (TestServer server =
                TestServer.start("sqlite", dir.resolve("data"), s -> s.withBlobs(s3.settings("down/", 0)))) {
            String uploader = server.token("ci", Role.MAINTAINER, "down", Permission.UPLOAD);
            TestServer.Snapshot before = server.snapshot();
            s3.stop();
            try {
                RawHttp.Response refused = Uploads.upload(server.url(), uploader, "down", "1.0.0");
                assertThat(refused.status()).isEqualTo(503);
                assertThat(refused.reason()).contains("nothing was stored");
                TestServer.Snapshot after = server.snapshot();
                assertThat(after.releases()).isEqualTo(before.releases());
                assertThat(after.files()).isEqualTo(before.files());
                assertThat(after.temporaryFiles()).isZero();
                RawHttp.Response ready = RawHttp.send(server.url(), "GET", "/readyz", Map.of(), null);
                assertThat(ready.status()).isEqualTo(503);
                assertThat(new String(ready.bytes(), java.nio.charset.StandardCharsets.UTF_8))
                        .contains("portcullis-blobs")
                        .doesNotContain(S3Server.SECRET_KEY);
            } finally {
                s3.restart();
            }
            assertThat(Uploads.upload(server.url(), uploader, "down", "1.0.0").status())
                    .isEqualTo(200);
        }
    }

    @Test
    void largeFilesGoUpInPartsAndTheCacheStaysWithinItsSize() throws Exception {
        long part = 5L * 1024 * 1024;
        try (S3Blobs bucket = new S3Blobs(s3.settings("parts/", 0), part);
                BlobStore store = new BlobStore(dir.resolve("cache"), bucket, 3 * part)) {
            Random random = new Random(42);
            List<String> stored = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                byte[] bytes = new byte[(int) (2 * part + 12345 + i)];
                random.nextBytes(bytes);
                StagedBlob staged = store.stage(new ByteArrayInputStream(bytes), bytes.length);
                store.commit(staged);
                stored.add(staged.digests().sha256());
                assertThat(store.cachedBytes()).isLessThanOrEqualTo(3 * part);
            }
            assertThat(s3.objects("parts/")).hasSize(3);
            for (String sha256 : stored) {
                Path file = store.find(sha256).orElseThrow();
                assertThat(Sha256.hex(file)).isEqualTo(sha256);
            }
            assertThat(store.cachedBytes()).isLessThanOrEqualTo(3 * part);
            assertThatThrownBy(() -> store.find("0".repeat(63) + "1").orElseThrow())
                    .isInstanceOf(java.util.NoSuchElementException.class);
        }
    }

    @Test
    void aBackupFromTheBucketRestoresIntoAnotherOne() throws Exception {
        Path passphrase = dir.resolve("passphrase");
        Files.writeString(passphrase, "correct horse battery staple\n");
        String backup = "s3://" + S3Server.BUCKET + "/backups/first"; // a backup into a bucket, too
        Path secret = dir.resolve("s3-secret");
        dev.portcullis.testing.TestUser admin;
        try (TestServer server =
                TestServer.start("sqlite", dir.resolve("original"), s -> s.withBlobs(s3.settings("before/", 0)))) {
            admin = server.admin();
            String uploader = server.token("ci", Role.MAINTAINER, "moved", Permission.UPLOAD);
            assertThat(Uploads.upload(server.url(), uploader, "moved", "1.0.0").status())
                    .isEqualTo(200);
            assertThat(server.approve("moved", "1.0.0").status()).isEqualTo(200);
            deleteTree(dir.resolve("original").resolve("blobs").resolve("sha256")); // the bucket is the store

            List<String> args = new ArrayList<>(List.of("backup"));
            args.addAll(List.of(server.localOptions()));
            args.addAll(s3.options("before/", secret));
            args.addAll(List.of("--to", backup, "--passphrase-file", passphrase.toString()));
            CliRunner.Output written = CliRunner.run(args.toArray(String[]::new));
            assertThat(written.code()).as(written.err()).isZero();
            CliRunner.Output again = CliRunner.run(args.toArray(String[]::new));
            assertThat(again.code()).isNotZero();
            assertThat(again.err()).contains("is not empty");
        }
        assertThat(s3.files("backups/first/"))
                .extracting(p -> p.getFileName().toString())
                .contains("manifest.json", "keys.enc", "events.jsonl");

        Path restored = dir.resolve("restored");
        List<String> args = new ArrayList<>(List.of("restore", "--from", backup, "--data", restored.toString()));
        args.addAll(s3.options("after/", secret));
        args.addAll(List.of("--passphrase-file", passphrase.toString()));
        CliRunner.Output done = CliRunner.run(args.toArray(String[]::new));
        assertThat(done.code()).as(done.err()).isZero();
        assertThat(s3.objects("after/")).isNotEmpty();
        deleteTree(restored.resolve("blobs").resolve("sha256"));
        try (TestServer again = TestServer.start(
                DatabaseSettings.sqlite(restored.resolve("portcullis.db")),
                restored,
                new dev.portcullis.testing.TestClock(),
                admin,
                s -> s.withBlobs(s3.settings("after/", 0)))) {
            var installed = PythonClients.pipInstall(again.url(), dir.resolve("site"), "moved");
            assertThat(installed.exitCode()).as(installed.toString()).isZero();
        }
    }

    private static String fileUrl(TestServer server, String project, String filename) throws IOException {
        return java.net
                .URI
                .create(server.url() + "/simple/" + project + "/")
                .resolve(href(server, project, filename))
                .getRawPath();
    }

    /** The SHA-256 the index gives for the file (its link's fragment). */
    private static String linkSha256(TestServer server, String project, String filename) throws IOException {
        String href = href(server, project, filename);
        return href.substring(href.indexOf("#sha256=") + "#sha256=".length());
    }

    private static String href(TestServer server, String project, String filename) throws IOException {
        RawHttp.Response page = RawHttp.send(server.url(), "GET", "/simple/" + project + "/", Map.of(), null);
        String html = new String(page.bytes(), java.nio.charset.StandardCharsets.UTF_8);
        int at = html.indexOf(filename);
        assertThat(at).as(html).isPositive();
        int start = html.lastIndexOf("href=\"", at) + "href=\"".length();
        return html.substring(start, html.indexOf('"', start));
    }

    /** Empties a directory (a lost cache). */
    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (!p.equals(root)) {
                    Files.delete(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
