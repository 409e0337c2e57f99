package dev.portcullis.watch;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.events.EventHash;
import dev.portcullis.events.EventLog;
import dev.portcullis.store.Database;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.PublicKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Tamper evidence for the event log (docs/WATCH.md): signed checkpoints over the hash chain, and
 * the verification that re-reads every event, recomputes every hash and checks every checkpoint.
 *
 * <p>An edit changes an event's hash; a deletion leaves a gap in the sequence numbers or breaks a
 * successor's {@code prev_hash}; a reordering breaks {@code prev_hash}; deleting the newest events
 * is caught by the chain head and by any checkpoint past them; rewriting the whole chain is caught
 * by the checkpoints' signatures, made with a key that is not in the database, and by checkpoints
 * copied to a sink the server cannot rewrite ({@code --checkpoint-file}).
 */
public final class EventLogIntegrity {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EventLogIntegrity.class);

    private final Database database;
    private final EventLog events;
    private final Clock clock;
    private final CheckpointKey key;
    private final Path sink;
    private final List<String> webhooks;
    private final dev.portcullis.net.GuardedHttp http;

    public EventLogIntegrity(
            Database database,
            EventLog events,
            Clock clock,
            CheckpointKey key,
            Path sink,
            List<String> webhooks,
            dev.portcullis.net.GuardedHttp http) {
        this.http = http;
        this.database = database;
        this.events = events;
        this.clock = clock;
        this.key = key;
        this.sink = sink;
        this.webhooks = List.copyOf(webhooks);
    }

    /** When the newest checkpoint was signed, if there is one. */
    public java.util.Optional<java.time.Instant> lastCheckpoint() {
        return database.withHandle(h -> h.createQuery("SELECT MAX(signed_at) FROM event_checkpoints")
                        .mapTo(Long.class)
                        .findOne())
                .map(java.time.Instant::ofEpochMilli);
    }

    /** Re-verifies the whole log now, against this server's key and its checkpoint log. */
    public Report verifyNow() throws IOException {
        return verify(database, events, key.publicKey(), sink);
    }

    /** Signs a checkpoint over every event so far, if there are events since the last one. */
    /**
     * Empty, or why this process's checkpoint key is not the one that signed the latest checkpoint:
     * processes sharing a database must share {@code keys/}, or the checkpoints one signs fail the
     * others' verification (docs/OPERATIONS.md). Not an error by itself — a restore without keys
     * starts a new key on purpose — so it is said, not enforced.
     */
    public Optional<String> foreignKey() {
        String latest =
                database.withHandle(h -> h.createQuery("SELECT key_id FROM event_checkpoints ORDER BY seq DESC LIMIT 1")
                        .mapTo(String.class)
                        .findOne()
                        .orElse(null));
        String mine = CheckpointKey.keyId(key.publicKey());
        return latest == null || latest.equals(mine)
                ? Optional.empty()
                : Optional.of("the event log's latest checkpoint was signed by key " + latest
                        + ", this process's checkpoint key is " + mine
                        + ": processes sharing a database must share the data directory's keys/ (docs/OPERATIONS.md)");
    }

    public Optional<Checkpoint> checkpoint() {
        EventLog.ChainHead head = events.head();
        long seq = head.seq();
        Long last = database.withHandle(h -> h.createQuery("SELECT MAX(seq) FROM event_checkpoints")
                .mapTo(Long.class)
                .findOne()
                .orElse(null));
        if (seq == 0 || (last != null && last >= seq)) {
            return Optional.empty();
        }
        Merkle tree = new Merkle();
        events.forEachHash(seq, hash -> tree.add(HexFormat.of().parseHex(hash)));
        long signedAt = clock.millis();
        String root = HexFormat.of().formatHex(tree.root());
        Checkpoint unsigned =
                new Checkpoint(seq, root, head.hash(), signedAt, CheckpointKey.keyId(key.publicKey()), "");
        Checkpoint checkpoint = new Checkpoint(
                seq, root, unsigned.headHash(), signedAt, unsigned.keyId(), key.sign(unsigned.payload()));
        database.inTransaction(
                h -> h.createUpdate("INSERT INTO event_checkpoints (seq, root, head_hash, signed_at, key_id, signature)"
                                + " VALUES (:seq, :root, :head, :at, :key, :sig) ON CONFLICT (seq) DO NOTHING")
                        .bind("seq", checkpoint.seq())
                        .bind("root", checkpoint.root())
                        .bind("head", checkpoint.headHash())
                        .bind("at", signedAt)
                        .bind("key", checkpoint.keyId())
                        .bind("sig", checkpoint.signature())
                        .execute());
        if (sink != null) {
            try {
                if (sink.getParent() != null) {
                    Files.createDirectories(sink.getParent());
                }
                Files.writeString(
                        sink,
                        JSON.writeValueAsString(checkpoint) + "\n",
                        StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND,
                        StandardOpenOption.WRITE,
                        StandardOpenOption.SYNC);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot append the checkpoint to " + sink, e);
            }
        }
        for (String url : webhooks) {
            post(url, checkpoint);
        }
        return Optional.of(checkpoint);
    }

    /** Best effort: a checkpoint that does not arrive is superseded by the next one, which covers every earlier event. */
    private void post(String url, Checkpoint checkpoint) {
        try {
            var response = http.post(
                    java.net.URI.create(url),
                    Map.of("Content-Type", "application/json"),
                    new dev.portcullis.net.GuardedHttp.Bytes(JSON.writeValueAsBytes(checkpoint), "application/json"),
                    java.time.Duration.ofSeconds(10),
                    dev.portcullis.net.GuardedHttp.DISCARD);
            if (response.status() / 100 != 2) {
                LOG.warn(
                        "checkpoint {} was refused by {}: HTTP {}",
                        checkpoint.seq(),
                        java.net.URI.create(url).getHost(),
                        response.status());
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn(
                    "checkpoint {} could not be sent to {}: {}",
                    checkpoint.seq(),
                    java.net.URI.create(url).getHost(),
                    e.toString());
        }
    }

    /** What verification found: how much was checked, and every problem, naming the event. */
    public record Report(long events, int checkpoints, List<String> problems) {
        public boolean intact() {
            return problems.isEmpty();
        }
    }

    /**
     * Re-checks the whole log: the chain (sequence, predecessor, hash of every event), the head, and
     * every checkpoint in the database and in {@code externalCheckpoints} (JSON lines; may be null or
     * not yet written) against {@code key}.
     */
    public static Report verify(Database database, EventLog events, PublicKey key, Path externalCheckpoints)
            throws IOException {
        TreeMap<Long, List<Checkpoint>> checkpoints = new TreeMap<>();
        database.withHandle(h -> h.createQuery("SELECT * FROM event_checkpoints ORDER BY seq")
                        .map((rs, ctx) -> new Checkpoint(
                                rs.getLong("seq"),
                                rs.getString("root"),
                                rs.getString("head_hash"),
                                rs.getLong("signed_at"),
                                rs.getString("key_id"),
                                rs.getString("signature")))
                        .list())
                .forEach(c -> checkpoints
                        .computeIfAbsent(c.seq(), k -> new ArrayList<>())
                        .add(c));
        int total = checkpoints.values().stream().mapToInt(List::size).sum();
        if (externalCheckpoints != null && Files.exists(externalCheckpoints)) {
            for (String line : Files.readAllLines(externalCheckpoints)) {
                if (!line.isBlank()) {
                    Checkpoint c = JSON.readValue(line, Checkpoint.class);
                    checkpoints.computeIfAbsent(c.seq(), k -> new ArrayList<>()).add(c);
                    total++;
                }
            }
        }
        List<String> problems = new ArrayList<>();
        Merkle tree = new Merkle();
        long[] expected = {1};
        String[] previous = {EventHash.GENESIS};
        EventLog.ChainHead head = events.readChain(
                u -> problems.add("event id " + u.id() + " (" + u.kind() + ") is not in the chain: inserted around it"),
                r -> {
                    long seq = r.seq();
                    String name = "event seq " + seq + " (id " + r.id() + ", " + r.kind() + ", at "
                            + java.time.Instant.ofEpochMilli(r.occurredAt()) + ")";
                    if (seq != expected[0]) {
                        problems.add("events seq " + expected[0] + (seq - 1 > expected[0] ? ".." + (seq - 1) : "")
                                + " are missing: deleted before " + name);
                    }
                    if (!previous[0].equals(r.prevHash())) {
                        problems.add(
                                name + " does not follow its predecessor: events were reordered or removed before it");
                    }
                    String actual = EventHash.of(
                            String.valueOf(r.prevHash()),
                            seq,
                            r.occurredAt(),
                            r.kind(),
                            r.actor(),
                            r.project(),
                            r.subject(),
                            r.ip(),
                            r.agent(),
                            r.details());
                    if (!actual.equals(r.hash())) {
                        String legacy = EventHash.legacy(
                                String.valueOf(r.prevHash()),
                                seq,
                                r.occurredAt(),
                                r.kind(),
                                r.actor(),
                                r.project(),
                                r.subject(),
                                r.ip(),
                                r.agent(),
                                r.details());
                        if (legacy.equals(r.hash())) {
                            actual = legacy; // chained before RFC 8785: the same columns, Jackson's escapes
                        } else {
                            problems.add(name + " was altered: its contents do not match its hash");
                        }
                    }
                    tree.add(HexFormat.of().parseHex(actual));
                    for (Checkpoint c : checkpoints.getOrDefault(tree.size(), List.of())) {
                        checkCheckpoint(c, HexFormat.of().formatHex(tree.root()), actual, key, problems);
                    }
                    previous[0] = String.valueOf(r.hash());
                    expected[0] = seq + 1;
                });
        if (head.seq() != expected[0] - 1 || !head.hash().equals(previous[0])) {
            problems.add("the chain head says seq " + head.seq() + " but the log ends at seq " + (expected[0] - 1)
                    + ": the newest events were deleted or the head was changed");
        }
        checkpoints
                .tailMap(tree.size(), false)
                .forEach((seq, list) -> problems.add("truncated: a signed checkpoint covers events up to seq " + seq
                        + ", but the log ends at seq " + tree.size() + ": the newest events were deleted"));
        return new Report(tree.size(), total, problems);
    }

    private static void checkCheckpoint(
            Checkpoint c, String root, String headHash, PublicKey key, List<String> problems) {
        if (!CheckpointKey.verify(key, c.payload(), c.signature())) {
            problems.add(
                    "the checkpoint at seq " + c.seq() + " has no valid signature by key " + CheckpointKey.keyId(key));
        } else if (!c.root().equals(root) || !c.headHash().equals(headHash)) {
            problems.add("the checkpoint at seq " + c.seq() + " (signed " + java.time.Instant.ofEpochMilli(c.signedAt())
                    + ") does not match the log: events up to seq " + c.seq() + " were changed");
        }
    }
}
