package dev.portcullis.gate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Role;
import dev.portcullis.identity.RoleGrant;
import dev.portcullis.publish.PublishSettings;
import dev.portcullis.store.DatabaseSettings;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestClock;
import dev.portcullis.testing.TestDatabases;
import dev.portcullis.testing.TestServer;
import dev.portcullis.testing.TestUser;
import dev.portcullis.testing.Uploads;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Races that the database, not memory, must decide. Two server instances share one database and
 * data directory, as two Portcullis processes would; requests race across both.
 */
class ConcurrencyTest {

    private static final String PROJECT = "contested";
    private static final int ROUNDS = 5;

    @TempDir
    Path dir;

    private record Pair(TestServer a, TestServer b, String token) implements AutoCloseable {
        @Override
        public void close() {
            a.close();
            b.close();
        }
    }

    private Pair start(String database) {
        Path data = dir.resolve("data");
        DatabaseSettings settings = TestDatabases.create(database, data);
        TestClock clock = new TestClock();
        TestServer a = TestServer.start(settings, data, PublishSettings.DEFAULT_MAX_FILE_BYTES, clock, null);
        TestServer b = TestServer.start(settings, data, PublishSettings.DEFAULT_MAX_FILE_BYTES, clock, a.admin());
        return new Pair(a, b, a.adminToken());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void twoUploadsOfOneFileNameWithDifferentBytesExactlyOneWins(String database) throws Exception {
        try (Pair servers = start(database)) {
            String token = servers.a().token("ci", Role.MAINTAINER, PROJECT, Permission.UPLOAD);
            for (int round = 0; round < ROUNDS; round++) {
                String version = "1.0." + round;
                String filename = Uploads.wheelName(PROJECT, version);
                byte[] first = Uploads.wheel(PROJECT, version);
                byte[] second = Uploads.wheel(PROJECT, version, PROJECT, version + ".0"); // same release, other bytes
                List<RawHttp.Response> responses = race(
                        () -> RawHttp.upload(
                                servers.a().url(),
                                token,
                                Uploads.wheelForm(PROJECT, version, filename, first)
                                        .build()),
                        () -> RawHttp.upload(
                                servers.b().url(),
                                token,
                                Uploads.wheelForm(PROJECT, version, filename, second)
                                        .build()));

                assertThat(responses).extracting(RawHttp.Response::status).containsExactlyInAnyOrder(200, 400);
                RawHttp.Response loser = responses.stream()
                        .filter(r -> r.status() == 400)
                        .findFirst()
                        .orElseThrow();
                assertThat(loser.reason()).startsWith("File already exists");
                assertThat(servers.a()
                                .app()
                                .catalog()
                                .findRelease(
                                        PROJECT,
                                        new dev.portcullis.registry.pypi.PypiEcosystem()
                                                .version(version)
                                                .canonical())
                                .map(r -> servers.a()
                                        .app()
                                        .catalog()
                                        .artifactsOf(r.id())
                                        .size()))
                        .hasValue(1);
            }
            assertThat(servers.a().events("UploadStaged")).isEqualTo(ROUNDS);
            assertThat(servers.a().snapshot().temporaryFiles()).isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void concurrentApprovalsPublishOnceWithOneEvent(String database) throws Exception {
        try (Pair servers = start(database)) {
            String token = servers.a().token("ci", Role.MAINTAINER, PROJECT, Permission.UPLOAD);
            List<TestUser> approvers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                approvers.add(
                        servers.a().user("approver" + i, new RoleGrant(PROJECT, Role.APPROVER), Permission.APPROVE));
            }
            for (int round = 0; round < ROUNDS; round++) {
                String version = "2.0." + round;
                RawHttp.Response staged = RawHttp.upload(
                        servers.a().url(),
                        token,
                        Uploads.wheelForm(
                                        PROJECT,
                                        version,
                                        Uploads.wheelName(PROJECT, version),
                                        Uploads.wheel(PROJECT, version))
                                .build());
                assertThat(staged.status()).isEqualTo(200);
                // Eight different approvers, each with a valid fresh second factor (one new time step for
                // all), on two servers.
                servers.a().clock().advance(java.time.Duration.ofSeconds(30));
                List<Callable<RawHttp.Response>> approvals = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    TestServer target = i % 2 == 0 ? servers.a() : servers.b();
                    TestUser approver = approvers.get(i);
                    String body =
                            "{\"otp\": \"" + approver.currentOtp(servers.a().clock()) + "\"}";
                    approvals.add(() -> RawHttp.send(
                            target.url(),
                            "POST",
                            "/api/v1/projects/" + PROJECT + "/releases/" + version + "/approve",
                            Map.of("Authorization", "Bearer " + approver.token(), "Content-Type", "application/json"),
                            body.getBytes(StandardCharsets.UTF_8)));
                }
                List<RawHttp.Response> responses = race(approvals);
                assertThat(responses)
                        .extracting(RawHttp.Response::status)
                        .filteredOn(s -> s == 200)
                        .hasSize(1);
                assertThat(responses)
                        .extracting(RawHttp.Response::status)
                        .filteredOn(s -> s == 409)
                        .hasSize(7);
            }
            assertThat(servers.a().events("ReleaseApproved")).isEqualTo(ROUNDS);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void racingApproversAreCountedOnceEachAndTheReleaseIsPublishedOnce(String database) throws Exception {
        try (Pair servers = start(database)) {
            TestServer a = servers.a();
            String policy = "{\"document\": \"approval:\\n  required: 3\\n\", \"otp\": \""
                    + a.admin().otp() + "\"}";
            RawHttp.Response set = RawHttp.send(
                    a.url(),
                    "POST",
                    "/api/v1/projects/" + PROJECT + "/policy",
                    Map.of("Authorization", "Bearer " + a.adminToken(), "Content-Type", "application/json"),
                    policy.getBytes(StandardCharsets.UTF_8));
            assertThat(set.status()).as(set.body()).isEqualTo(201);
            String token = a.token("ci", Role.MAINTAINER, PROJECT, Permission.UPLOAD);
            List<TestUser> approvers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                approvers.add(a.user("quorum" + i, new RoleGrant(PROJECT, Role.APPROVER), Permission.APPROVE));
            }
            assertThat(RawHttp.upload(
                                    a.url(),
                                    token,
                                    Uploads.wheelForm(
                                                    PROJECT,
                                                    "9.0.0",
                                                    Uploads.wheelName(PROJECT, "9.0.0"),
                                                    Uploads.wheel(PROJECT, "9.0.0"))
                                            .build())
                            .status())
                    .isEqualTo(200);
            a.clock().advance(java.time.Duration.ofSeconds(30));
            List<Callable<RawHttp.Response>> approvals = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                TestServer target = i % 2 == 0 ? a : servers.b();
                TestUser approver = approvers.get(i);
                byte[] body =
                        ("{\"otp\": \"" + approver.currentOtp(a.clock()) + "\"}").getBytes(StandardCharsets.UTF_8);
                approvals.add(() -> RawHttp.send(
                        target.url(),
                        "POST",
                        "/api/v1/projects/" + PROJECT + "/releases/9.0.0/approve",
                        Map.of("Authorization", "Bearer " + approver.token(), "Content-Type", "application/json"),
                        body));
            }
            List<RawHttp.Response> responses = race(approvals);
            assertThat(responses)
                    .extracting(RawHttp.Response::status)
                    .containsExactlyInAnyOrder(202, 202, 200, 409, 409, 409, 409, 409);
            assertThat(a.events("ReleaseApproved")).isEqualTo(1);
            assertThat(a.events("ApprovalRecorded")).isEqualTo(2);
            long counted = a.app()
                    .database()
                    .withHandle(h -> h.createQuery("SELECT COUNT(*) FROM approvals")
                            .mapTo(Long.class)
                            .one());
            assertThat(counted).isEqualTo(3);
        }
    }

    @SafeVarargs
    private static List<RawHttp.Response> race(Callable<RawHttp.Response>... calls) throws Exception {
        return race(List.of(calls));
    }

    /** Starts every call at the same moment on its own thread and collects the answers. */
    private static List<RawHttp.Response> race(List<Callable<RawHttp.Response>> calls) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newFixedThreadPool(calls.size())) {
            List<Future<RawHttp.Response>> futures = new ArrayList<>();
            for (Callable<RawHttp.Response> call : calls) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return call.call();
                }));
            }
            start.countDown();
            List<RawHttp.Response> responses = new ArrayList<>();
            for (Future<RawHttp.Response> f : futures) {
                responses.add(f.get());
            }
            return responses;
        }
    }
}
