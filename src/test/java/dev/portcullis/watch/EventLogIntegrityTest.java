package dev.portcullis.watch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.events.EventHash;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Role;
import dev.portcullis.testing.CliRunner;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestServer;
import dev.portcullis.testing.Uploads;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Tamper evidence: {@code audit verify-log} passes on an untouched log and names the event for an
 * edit, a deletion, a reordering, a truncation, and a rewrite that recomputes every hash (caught
 * by the signed checkpoints, also when the checkpoint rows are deleted, thanks to the external copy).
 */
class EventLogIntegrityTest {

    @TempDir
    Path dir;

    private static CliRunner.Output verify(TestServer server, Path checkpoints) {
        List<String> args = new ArrayList<>(List.of("audit", "verify-log", "--checkpoints", checkpoints.toString()));
        args.addAll(List.of(server.localOptions()));
        return CliRunner.run(args.toArray(String[]::new));
    }

    private static void sql(TestServer server, String statement) {
        server.app().database().inTransaction(h -> h.createUpdate(statement).execute());
    }

    private static Map<String, Object> event(TestServer server, long seq) {
        return server.app()
                .database()
                .withHandle(h -> h.createQuery("SELECT * FROM events WHERE seq = :s")
                        .bind("s", seq)
                        .mapToMap()
                        .one());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void verifyLogNamesEveryKindOfTampering(String database) throws Exception {
        Path checkpoints = dir.resolve("checkpoints.jsonl");
        try (TestServer server = TestServer.start(
                database,
                dir.resolve("data"),
                settings -> settings.withWatch(WatchSettings.DEFAULTS.withCheckpointFile(checkpoints)))) {
            String token = server.token("ci", Role.MAINTAINER, "demo", Permission.UPLOAD);
            for (String version : List.of("1.0", "1.1", "1.2")) {
                RawHttp.Response r = RawHttp.upload(
                        server.url(),
                        token,
                        Uploads.wheelForm(
                                        "demo",
                                        version,
                                        Uploads.wheelName("demo", version),
                                        Uploads.wheel("demo", version))
                                .build());
                assertThat(r.status()).isEqualTo(200);
            }
            assertThat(server.app().integrity().checkpoint()).isPresent();
            long last = server.app()
                    .database()
                    .withHandle(h -> h.createQuery("SELECT MAX(seq) FROM events")
                            .mapTo(Long.class)
                            .one());
            assertThat(last).isGreaterThan(8);
            assertThat(Files.readAllLines(checkpoints)).hasSizeGreaterThanOrEqualTo(1);

            CliRunner.Output intact = verify(server, checkpoints);
            assertThat(intact.code()).as(intact.out() + intact.err()).isZero();
            assertThat(intact.out()).startsWith("intact: " + last + " events in an unbroken chain");

            // An edit: one event's details.
            Map<String, Object> third = event(server, 3);
            sql(server, "UPDATE events SET details = '{\"role\":\"admin\"}' WHERE seq = 3");
            CliRunner.Output edited = verify(server, checkpoints);
            assertThat(edited.code()).isEqualTo(1);
            assertThat(edited.out())
                    .contains("event seq 3 (id " + third.get("id") + ", " + third.get("kind") + ", at ")
                    .contains("was altered: its contents do not match its hash")
                    .contains("the checkpoint at seq " + last);
            server.app()
                    .database()
                    .inTransaction(h -> h.createUpdate("UPDATE events SET details = :d WHERE seq = 3")
                            .bind("d", third.get("details"))
                            .execute());
            assertThat(verify(server, checkpoints).code()).as("restored").isZero();

            // A deletion in the middle.
            sql(server, "DELETE FROM events WHERE seq = 5");
            CliRunner.Output deleted = verify(server, checkpoints);
            assertThat(deleted.code()).isEqualTo(1);
            assertThat(deleted.out()).contains("events seq 5 are missing: deleted before event seq 6");

            // The newest event deleted (after a checkpoint that covers it).
            sql(server, "DELETE FROM events WHERE seq = " + last);
            assertThat(verify(server, checkpoints).out())
                    .contains("the chain head says seq " + last + " but the log ends at seq " + (last - 1))
                    .contains("truncated: a signed checkpoint covers events up to seq " + last
                            + ", but the log ends at seq");
        }
    }

    /**
     * Issue 15, finding 7: deleting the newest events and their checkpoint rows and rewinding the
     * chain head leaves a consistent-looking database. With no option given, checkpoints are also
     * written to the data directory's checkpoint log, which verify-log reads by default: the cut is
     * named.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void aTruncatedLogWithRewoundHeadAndDeletedCheckpointsIsCaughtByDefault(String database) throws Exception {
        try (TestServer server = TestServer.start(database, dir.resolve("data"))) {
            String token = server.token("ci", Role.MAINTAINER, "demo", Permission.UPLOAD);
            for (String version : List.of("1.0", "1.1")) {
                assertThat(RawHttp.upload(
                                        server.url(),
                                        token,
                                        Uploads.wheelForm(
                                                        "demo",
                                                        version,
                                                        Uploads.wheelName("demo", version),
                                                        Uploads.wheel("demo", version))
                                                .build())
                                .status())
                        .isEqualTo(200);
            }
            assertThat(server.app().integrity().checkpoint()).isPresent();
            assertThat(dir.resolve("data").resolve("checkpoints").resolve("checkpoints.jsonl"))
                    .exists();
            long last = server.app()
                    .database()
                    .withHandle(h -> h.createQuery("SELECT MAX(seq) FROM events")
                            .mapTo(Long.class)
                            .one());
            List<String> local = new ArrayList<>(List.of("audit", "verify-log"));
            local.addAll(List.of(server.localOptions()));
            assertThat(CliRunner.run(local.toArray(String[]::new)).code()).isZero();

            // Cut the last four events, every checkpoint row, and rewind the head to the new last event.
            long keep = last - 4;
            server.app().database().inTransaction(h -> {
                String hash = h.createQuery("SELECT hash FROM events WHERE seq = :s")
                        .bind("s", keep)
                        .mapTo(String.class)
                        .one();
                h.createUpdate("DELETE FROM events WHERE seq > :s")
                        .bind("s", keep)
                        .execute();
                h.createUpdate("DELETE FROM event_checkpoints").execute();
                h.createUpdate("UPDATE event_chain_head SET seq = :s, hash = :h WHERE id = 1")
                        .bind("s", keep)
                        .bind("h", hash)
                        .execute();
                return null;
            });
            CliRunner.Output cut = CliRunner.run(local.toArray(String[]::new));
            assertThat(cut.code()).isEqualTo(1);
            assertThat(cut.out())
                    .contains("truncated: a signed checkpoint covers events up to seq " + last
                            + ", but the log ends at seq " + keep);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void aRewrittenChainIsCaughtByTheSignedCheckpointsEvenWithoutTheirRows(String database) throws Exception {
        Path checkpoints = dir.resolve("checkpoints.jsonl");
        List<String> posted = java.util.Collections.synchronizedList(new ArrayList<>());
        com.sun.net.httpserver.HttpServer receiver =
                com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/checkpoints", exchange -> {
            posted.add(new String(exchange.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/checkpoints";
        try (TestServer server = TestServer.start(
                database,
                dir.resolve("data"),
                settings -> settings.withWatch(
                        WatchSettings.DEFAULTS.withCheckpointFile(checkpoints).withCheckpointWebhooks(List.of(url))))) {
            server.token("ci", Role.MAINTAINER, "demo", Permission.UPLOAD);
            server.token("ops", Role.MAINTAINER, "demo", Permission.UPLOAD);
            assertThat(server.app().integrity().checkpoint()).isPresent();
            // The checkpoint also went to the webhook, the same JSON as the file's line.
            assertThat(posted).isNotEmpty();
            assertThat(Files.readAllLines(checkpoints)).contains(posted.getLast());

            // Someone with write access to the database swaps two events and recomputes every hash and the head.
            List<Map<String, Object>> rows = server.app()
                    .database()
                    .withHandle(h -> h.createQuery("SELECT * FROM events ORDER BY seq")
                            .mapToMap()
                            .list());
            Object kind2 = rows.get(1).get("kind");
            Object kind3 = rows.get(2).get("kind");
            server.app().database().inTransaction(h -> {
                String previous = EventHash.GENESIS;
                for (Map<String, Object> r : rows) {
                    long seq = ((Number) r.get("seq")).longValue();
                    Object kind = seq == 2 ? kind3 : seq == 3 ? kind2 : r.get("kind");
                    String hash = EventHash.of(
                            previous,
                            seq,
                            ((Number) r.get("occurred_at")).longValue(),
                            (String) kind,
                            (String) r.get("actor"),
                            (String) r.get("project"),
                            (String) r.get("subject"),
                            (String) r.get("source_ip"),
                            (String) r.get("user_agent"),
                            (String) r.get("details"));
                    h.createUpdate("UPDATE events SET kind = :k, prev_hash = :p, hash = :h WHERE seq = :s")
                            .bind("k", kind)
                            .bind("p", previous)
                            .bind("h", hash)
                            .bind("s", seq)
                            .execute();
                    previous = hash;
                }
                h.createUpdate("UPDATE event_chain_head SET hash = :h WHERE id = 1")
                        .bind("h", previous)
                        .execute();
                h.createUpdate("DELETE FROM event_checkpoints").execute();
                return null;
            });

            CliRunner.Output rewritten = verify(server, checkpoints);
            assertThat(rewritten.code()).isEqualTo(1);
            assertThat(rewritten.out()).contains("does not match the log: events up to seq");
        } finally {
            receiver.stop(0);
        }
    }
}
