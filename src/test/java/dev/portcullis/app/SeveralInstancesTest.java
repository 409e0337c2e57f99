package dev.portcullis.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.store.Database;
import dev.portcullis.store.DatabaseSettings;
import dev.portcullis.store.Sha256;
import dev.portcullis.testing.Await;
import dev.portcullis.testing.CliRunner;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.S3Server;
import dev.portcullis.testing.ServerProcess;
import dev.portcullis.testing.TestDatabases;
import dev.portcullis.testing.Uploads;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two `serve` processes on one PostgreSQL database and one bucket, uploads spread over both, and
 * one killed (SIGKILL) in the middle: clients retry on the survivor, and afterwards every version
 * is there exactly once — one file row, one UploadStaged event, its bytes in the bucket — and the
 * survivor takes over the leader's duties when the dead one's lease runs out.
 */
class SeveralInstancesTest {

    private static final String PROJECT = "spread";
    private static final int VERSIONS = 24;

    @TempDir
    Path dir;

    @Test
    void anInstanceKilledUnderLoadLosesAndDoublesNothing() throws Exception {
        String database = TestDatabases.postgresUrlWithFreshSchema();
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        try (S3Server s3 = S3Server.start(dir.resolve("s3"))) {
            List<String> bucket = s3.options("spread/", dir.resolve("s3-secret"));
            cli(a, database, "admin", "init");
            cli(a, database, "admin", "add-user", "ci", "--role", "maintainer");
            String uploader = cli(a, database, "admin", "create-token", "--user", "ci", "--scope", "upload")
                    .out()
                    .trim();
            // The second instance shares the first one's keys (docs/OPERATIONS.md, "Several instances").
            copyTree(a.resolve("keys"), b.resolve("keys"));

            Map<String, byte[]> wheels = new ConcurrentHashMap<>();
            for (int i = 0; i < VERSIONS; i++) {
                wheels.put("1.0." + i, Uploads.wheel(PROJECT, "1.0." + i));
            }
            try (ServerProcess one = ServerProcess.start(a, database, "256m", bucket.toArray(String[]::new));
                    ServerProcess two = ServerProcess.start(b, database, "256m", bucket.toArray(String[]::new))) {
                Await.until("one instance leads", Duration.ofSeconds(30), () -> leads(one) != leads(two));
                ServerProcess leader = leads(one) ? one : two;
                ServerProcess survivor = leader == one ? two : one;

                AtomicInteger next = new AtomicInteger();
                AtomicInteger acknowledged = new AtomicInteger();
                CountDownLatch halfway = new CountDownLatch(VERSIONS / 3);
                List<Thread> clients = new ArrayList<>();
                for (int c = 0; c < 4; c++) {
                    clients.add(Thread.ofVirtual().start(() -> {
                        int i;
                        while ((i = next.getAndIncrement()) < VERSIONS) {
                            String version = "1.0." + i;
                            byte[] body = Uploads.wheelForm(
                                            PROJECT, version, Uploads.wheelName(PROJECT, version), wheels.get(version))
                                    .build();
                            // Round-robin, and on a failure retry on the other instance (as a load balancer would).
                            ServerProcess first = i % 2 == 0 ? leader : survivor;
                            if (!uploaded(first, uploader, body) && !uploaded(survivor, uploader, body)) {
                                throw new AssertionError(version + " could not be uploaded\n" + survivor.log());
                            }
                            acknowledged.incrementAndGet();
                            halfway.countDown();
                        }
                    }));
                }
                halfway.await();
                leader.kill(); // mid-load: no shutdown hook, no lease handed back
                for (Thread client : clients) {
                    client.join();
                }
                assertThat(acknowledged.get()).isEqualTo(VERSIONS);

                // Exactly once: one file and one UploadStaged event per version, its bytes in the bucket.
                try (Database db = Database.open(DatabaseSettings.parse(database, dir))) {
                    long files = db.withHandle(h -> h.createQuery(
                                    "SELECT COUNT(*) FROM release_files f JOIN releases r ON r.id = f.release_id")
                            .mapTo(Long.class)
                            .one());
                    long staged =
                            db.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM events WHERE kind = 'UploadStaged'")
                                    .mapTo(Long.class)
                                    .one());
                    assertThat(files).isEqualTo(VERSIONS);
                    assertThat(staged).isEqualTo(VERSIONS);
                }
                List<String> objects = s3.objects("spread/").stream()
                        .map(p -> p.getFileName().toString())
                        .toList();
                for (byte[] wheel : wheels.values()) {
                    assertThat(objects).contains(Sha256.hex(wheel));
                }

                // The survivor takes over the leader's duties once the dead one's lease runs out (30 s).
                Await.until("the survivor leads", Duration.ofSeconds(60), () -> leads(survivor));
            }
        }
    }

    private static boolean uploaded(ServerProcess server, String token, byte[] body) {
        try {
            RawHttp.Response response = RawHttp.upload(server.url(), token, body);
            return response.status() == 200;
        } catch (RuntimeException gone) {
            return false; // connection refused or reset: the instance died
        }
    }

    private static boolean leads(ServerProcess server) {
        try {
            RawHttp.Response ready = RawHttp.send(server.url(), "GET", "/readyz", Map.of(), null);
            return new String(ready.bytes(), java.nio.charset.StandardCharsets.UTF_8).contains("\"this_process\":true");
        } catch (RuntimeException gone) {
            return false;
        }
    }

    private static CliRunner.Output cli(Path data, String database, String... command) {
        List<String> args = new ArrayList<>(List.of(command));
        args.addAll(List.of("--data", data.toString(), "--database", database));
        CliRunner.Output out = CliRunner.run(args.toArray(String[]::new));
        assertThat(out.code()).as(out.err()).isZero();
        return out;
    }

    private static void copyTree(Path from, Path to) throws java.io.IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
    }
}
