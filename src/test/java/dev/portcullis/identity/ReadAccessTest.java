package dev.portcullis.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.http.HttpSettings;
import dev.portcullis.net.AddressBlock;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestServer;
import dev.portcullis.testing.TestUser;
import dev.portcullis.testing.Uploads;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 15, findings 5 and 6: who reads what. A project's policy and publishers are for its
 * readers, approvers and owners (webhook secrets for owners only); approve-only tokens see what
 * they decide; token ids are not shown to project readers; behind a trusted proxy the client
 * address comes from the forwarding headers, and only from a trusted proxy.
 */
class ReadAccessTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROJECT = "acme";
    private static final String HOOK = "https://hooks.slack.com/services/T000/B000/XXXXSECRETXXXX";

    @TempDir
    Path dir;

    private static RawHttp.Response get(TestServer server, String token, String path) {
        return RawHttp.send(server.url(), "GET", path, Map.of("Authorization", "Bearer " + token), null);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void policiesPublishersReleasesAndEventsAreForTheProjectsPeople(String database) throws Exception {
        try (TestServer server = TestServer.start(database, dir.resolve("data"))) {
            TestUser owner = server.user("olga", new RoleGrant(PROJECT, Role.OWNER), Permission.ADMIN);
            RawHttp.Response proposed = RawHttp.send(
                    server.url(),
                    "POST",
                    "/api/v1/projects/" + PROJECT + "/policy",
                    Map.of("Authorization", "Bearer " + owner.token(), "Content-Type", "application/json"),
                    JSON.writeValueAsBytes(
                            Map.of("document", "notify:\n  webhooks: [\"" + HOOK + "\"]\n", "otp", owner.otp())));
            assertThat(proposed.status()).as(proposed.body()).isEqualTo(201);
            String ci = server.token("ci", Role.MAINTAINER, PROJECT, Permission.UPLOAD);
            assertThat(RawHttp.upload(
                                    server.url(),
                                    ci,
                                    Uploads.wheelForm(
                                                    PROJECT,
                                                    "1.0",
                                                    Uploads.wheelName(PROJECT, "1.0"),
                                                    Uploads.wheel(PROJECT, "1.0"))
                                            .build())
                            .status())
                    .isEqualTo(200);
            String stranger = server.token("stranger", Role.MAINTAINER, "other", Permission.READ, Permission.UPLOAD);
            server.app().identity().addUser("reader", new RoleGrant(PROJECT, Role.AUDITOR), "test");
            String reader = server.app()
                    .identity()
                    .createToken(
                            new TokenRequest("reader", null, PROJECT, java.util.Set.of(Permission.READ), null), "test")
                    .secret();
            server.app().identity().addUser("ann", new RoleGrant(PROJECT, Role.APPROVER), "test");
            String approveOnly = server.app()
                    .identity()
                    .createToken(
                            new TokenRequest("ann", null, PROJECT, java.util.Set.of(Permission.APPROVE), null), "test")
                    .secret();

            String policyPath = "/api/v1/projects/" + PROJECT + "/policy";
            assertThat(get(server, stranger, policyPath).status()).isEqualTo(404);
            assertThat(get(server, stranger, "/api/v1/projects/" + PROJECT + "/publishers")
                            .status())
                    .isEqualTo(404);
            RawHttp.Response redacted = get(server, reader, policyPath);
            assertThat(redacted.status()).isEqualTo(200);
            assertThat(redacted.body())
                    .contains("https://hooks.slack.com/(redacted)")
                    .doesNotContain("XXXXSECRETXXXX");
            assertThat(get(server, owner.token(), policyPath).body()).contains(HOOK);
            assertThat(get(server, reader, "/api/v1/projects/" + PROJECT + "/publishers")
                            .status())
                    .isEqualTo(200);

            // The approver sees the release and its inspection, which it is to decide on.
            assertThat(get(server, approveOnly, "/api/v1/projects/" + PROJECT + "/releases/1.0")
                            .status())
                    .isEqualTo(200);
            assertThat(get(server, approveOnly, "/api/v1/projects/" + PROJECT + "/releases/1.0/inspection")
                            .status())
                    .isEqualTo(200);
            assertThat(get(server, stranger, "/api/v1/projects/" + PROJECT + "/releases/1.0")
                            .status())
                    .isEqualTo(404);

            // Token ids in events: whole for global readers, cut for the project's readers.
            String ciId = TokenFormat.parse(ci).orElseThrow().id();
            String asReader =
                    get(server, reader, "/api/v1/events?project=" + PROJECT).body();
            assertThat(asReader)
                    .contains("UploadStaged")
                    .contains("token " + ciId.substring(0, 4) + "…")
                    .doesNotContain(ciId);
            assertThat(get(server, server.adminToken(), "/api/v1/events?project=" + PROJECT)
                            .body())
                    .contains(ciId);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void behindATrustedProxyTheForwardedClientIsTheSource(String database) throws Exception {
        try (TestServer server = TestServer.start(
                database,
                dir.resolve("data"),
                settings -> settings.withHttp(
                        HttpSettings.DEFAULTS.withTrustedProxies(List.of(AddressBlock.parse("127.0.0.1")))))) {
            List<String> sources = new java.util.ArrayList<>();
            record Probe(String from, Map<String, String> headers, String expected) {}
            List<Probe> probes = List.of(
                    new Probe("127.0.0.1", Map.of("X-Forwarded-For", "203.0.113.9"), "203.0.113.9"),
                    new Probe("127.0.0.1", Map.of("X-Forwarded-For", "1.2.3.4, 203.0.113.10"), "203.0.113.10"),
                    new Probe(
                            "127.0.0.1",
                            Map.of("Forwarded", "for=\"[2001:db8::7]:4711\";proto=https"),
                            "2001:db8:0:0:0:0:0:7"),
                    new Probe("127.0.0.1", Map.of("X-Forwarded-For", "not-an-address"), "127.0.0.1"),
                    new Probe("127.0.11.1", Map.of("X-Forwarded-For", "198.51.100.1"), "127.0.11.1"));
            for (Probe probe : probes) {
                java.util.Map<String, String> headers = new java.util.HashMap<>(probe.headers());
                headers.put("Authorization", "Bearer pcl_u_bogus" + sources.size());
                assertThat(RawHttp.sendFrom(probe.from(), server.url(), "GET", "/api/v1/releases", headers, null)
                                .status())
                        .isEqualTo(401);
                sources.add(probe.expected());
            }
            JsonNode events = JSON.readTree(get(server, server.adminToken(), "/api/v1/events?kind=AuthenticationFailed")
                            .body())
                    .path("events");
            assertThat(events.findValuesAsText("source_ip")).containsExactlyElementsOf(sources);
        }
    }
}
