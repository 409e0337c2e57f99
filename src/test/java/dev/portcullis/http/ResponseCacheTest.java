package dev.portcullis.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Role;
import dev.portcullis.identity.RoleGrant;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestServer;
import dev.portcullis.testing.TestUser;
import dev.portcullis.testing.Uploads;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The read path's cache (http/ResponseCache) never serves what a decision took back: after a
 * decision's response, every read shows it, while other clients read the same pages all the time
 * (so the cache is filled concurrently with the decision's transaction); and a second process
 * sharing the database sees the first one's decisions once it has looked at the event log's head.
 */
class ResponseCacheTest {

    private static final String PROJECT = "cached";
    private static final String JSON_V1 = "application/vnd.pypi.simple.v1+json";

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void aDecisionIsSeenByEveryReadAfterItWhileOthersReadAllTheTime(String database) throws Exception {
        try (TestServer server = TestServer.start(database, dir.resolve("data"))) {
            TestUser ann =
                    server.user("ann", new RoleGrant(PROJECT, Role.APPROVER), Permission.APPROVE, Permission.READ);
            String token = server.token("ci", Role.MAINTAINER, PROJECT, Permission.UPLOAD);
            String index = "/simple/" + PROJECT + "/";
            AtomicBoolean reading = new AtomicBoolean(true);
            List<String> versions = List.of("1.0.0", "1.0.1", "1.0.2", "1.0.3", "1.0.4");
            try (ExecutorService readers = Executors.newFixedThreadPool(4)) {
                List<Future<Integer>> counts = new ArrayList<>();
                for (int r = 0; r < 4; r++) {
                    int reader = r;
                    counts.add(readers.submit(() -> {
                        int n = 0;
                        while (reading.get()) {
                            String v = versions.get((n + reader) % versions.size());
                            get(server, n % 2 == 0 ? index : file(v), JSON_V1);
                            n++;
                        }
                        return n;
                    }));
                }
                for (String version : versions) {
                    assertThat(Uploads.upload(server.url(), token, PROJECT, version)
                                    .status())
                            .isEqualTo(200);
                    assertThat(get(server, file(version), "*/*").status())
                            .as("held")
                            .isEqualTo(404);
                    assertThat(server.decide(ann, PROJECT, version, "approve").status())
                            .isEqualTo(200);
                    assertThat(get(server, index, JSON_V1).body()).contains(Uploads.wheelName(PROJECT, version));
                    assertThat(get(server, file(version), "*/*").status()).isEqualTo(200);
                    assertThat(get(server, file(version), "*/*").status())
                            .as("from the cache")
                            .isEqualTo(200);

                    assertThat(server.decide(ann, PROJECT, version, "quarantine")
                                    .status())
                            .isEqualTo(200);
                    assertThat(get(server, index, JSON_V1).body())
                            .as("quarantined: gone from the index at once")
                            .doesNotContain(Uploads.wheelName(PROJECT, version));
                    assertThat(get(server, file(version), "*/*").status())
                            .as("quarantined: never downloadable")
                            .isEqualTo(403);
                    assertThat(get(server, "/pypi/" + PROJECT + "/" + version + "/json", "*/*")
                                    .status())
                            .isEqualTo(404);
                }
                reading.set(false);
                long reads = 0;
                for (Future<Integer> c : counts) {
                    reads += c.get();
                }
                assertThat(reads).as("the readers kept reading").isGreaterThan(versions.size() * 4L);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void cachedPagesAnswerConditionalAndCompressedRequests(String database) throws Exception {
        // No background work: its writes (alert deliveries) would start the cache over between two reads.
        try (TestServer server = TestServer.start(database, dir.resolve("data"), s -> s.withScheduledWork(false))) {
            TestUser ann =
                    server.user("ann", new RoleGrant(PROJECT, Role.APPROVER), Permission.APPROVE, Permission.READ);
            String token = server.token("ci", Role.MAINTAINER, PROJECT, Permission.UPLOAD);
            for (int i = 0; i < 12; i++) { // enough files for an index page worth compressing
                String version = "2.0." + i;
                assertThat(Uploads.upload(server.url(), token, PROJECT, version).status())
                        .isEqualTo(200);
                assertThat(server.decide(ann, PROJECT, version, "approve").status())
                        .isEqualTo(200);
            }
            String index = "/simple/" + PROJECT + "/";
            RawHttp.Response first = get(server, index, JSON_V1);
            assertThat(first.headers().get("etag"))
                    .as("tagged from the first answer")
                    .startsWith("\"");
            RawHttp.Response cached = get(server, index, JSON_V1);
            assertThat(cached.body()).isEqualTo(first.body());
            assertThat(cached.headers().get("content-type")).isEqualTo(JSON_V1);
            assertThat(cached.headers().get("vary"))
                    .as(cached.headers().toString())
                    .contains("Accept");
            String etag = cached.headers().get("etag");
            assertThat(etag).startsWith("\"");

            RawHttp.Response notModified = send(server, index, Map.of("Accept", JSON_V1, "If-None-Match", etag));
            assertThat(notModified.status()).isEqualTo(304);
            assertThat(notModified.bytes()).isEmpty();

            RawHttp.Response gzip = send(server, index, Map.of("Accept", JSON_V1, "Accept-Encoding", "gzip"));
            assertThat(gzip.headers().get("content-encoding")).isEqualTo("gzip");
            assertThat(gzip.headers().get("etag")).isNotEqualTo(etag);
            assertThat(gunzip(gzip.bytes())).isEqualTo(first.body());

            RawHttp.Response html = get(server, index, "text/html");
            assertThat(html.headers().get("content-type")).startsWith("text/html");
            assertThat(html.body()).contains("<a href=");

            String file = file("2.0.3");
            RawHttp.Response whole = get(server, file, "*/*");
            RawHttp.Response again = get(server, file, "*/*");
            assertThat(whole.status()).isEqualTo(200);
            assertThat(again.bytes()).isEqualTo(whole.bytes());
            assertThat(first.body()).contains(dev.portcullis.store.Sha256.hex(whole.bytes()));
            RawHttp.Response range = send(server, file, Map.of("Range", "bytes=0-9"));
            assertThat(range.status()).isEqualTo(206);
            assertThat(range.bytes()).hasSize(10);
            RawHttp.Response head = RawHttp.send(server.url(), "HEAD", file, Map.of(), null);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.headers().get("content-length")).isEqualTo(String.valueOf(whole.bytes().length));
            assertThat(send(
                                    server,
                                    file,
                                    Map.of("If-None-Match", whole.headers().get("etag")))
                            .status())
                    .isEqualTo(304);

            long changes = server.app().database().changes();
            for (int i = 0; i < 20; i++) {
                get(server, i % 2 == 0 ? index : file, JSON_V1);
                get(server, "/simple/no-such-project/", JSON_V1);
            }
            assertThat(server.app().database().changes())
                    .as("anonymous reads, found or not, write nothing")
                    .isEqualTo(changes);

            assertThat(server.decide(ann, PROJECT, "2.0.3", "yank").status()).isEqualTo(200);
            assertThat(get(server, index, JSON_V1).body())
                    .as("a yank is a change like any other")
                    .contains("\"yanked\":\"test\"");
            String afterYank = get(server, index, JSON_V1).headers().get("etag");
            assertThat(afterYank).isNotEqualTo(etag);
            server.app().database().changedElsewhere(); // the next answer is computed again, not cached
            RawHttp.Response recomputed = send(server, index, Map.of("Accept", JSON_V1, "If-None-Match", afterYank));
            assertThat(recomputed.status())
                    .as("the first answer honours If-None-Match too")
                    .isEqualTo(304);
            assertThat(recomputed.bytes()).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void aSecondProcessSeesTheFirstOnesDecisionOnceItLooksAtTheEventLog(String database) throws Exception {
        Path data = dir.resolve("shared");
        try (TestServer a = TestServer.start(database, data, s -> s.withScheduledWork(false))) {
            // Re-open on a's database: the same file or PostgreSQL database.
            try (TestServer b = TestServer.start(
                    a.app().settings().database(), data, a.clock(), a.admin(), s -> s.withScheduledWork(false))) {
                TestUser ann =
                        a.user("ann", new RoleGrant(PROJECT, Role.APPROVER), Permission.APPROVE, Permission.READ);
                String token = a.token("ci", Role.MAINTAINER, PROJECT, Permission.UPLOAD);
                assertThat(Uploads.upload(a.url(), token, PROJECT, "3.0.0").status())
                        .isEqualTo(200);
                assertThat(a.decide(ann, PROJECT, "3.0.0", "approve").status()).isEqualTo(200);
                b.tick();
                String file = file("3.0.0");
                assertThat(get(b, file, "*/*").status()).isEqualTo(200);
                assertThat(get(b, file, "*/*").status()).as("cached on b").isEqualTo(200);

                assertThat(a.decide(ann, PROJECT, "3.0.0", "quarantine").status())
                        .isEqualTo(200);
                b.tick(); // what b's 200 ms clock does
                assertThat(get(b, file, "*/*").status()).isEqualTo(403);
                assertThat(get(b, "/simple/" + PROJECT + "/", JSON_V1).status()).isEqualTo(404);
            }
        }
    }

    private static String file(String version) {
        return "/files/" + PROJECT + "/" + Uploads.wheelName(PROJECT, version);
    }

    private static RawHttp.Response get(TestServer server, String path, String accept) {
        return send(server, path, Map.of("Accept", accept));
    }

    private static RawHttp.Response send(TestServer server, String path, Map<String, String> headers) {
        return RawHttp.send(server.url(), "GET", path, headers, null);
    }

    private static String gunzip(byte[] bytes) throws java.io.IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
