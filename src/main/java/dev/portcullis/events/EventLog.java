package dev.portcullis.events;

import dev.portcullis.core.CanonicalJson;
import dev.portcullis.store.Database;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/**
 * Appends events. A state change and its event are written through the same {@link Handle}, so
 * they commit or roll back together; an event about a refused request is written on its own.
 */
public final class EventLog {

    private final Database database;
    private final Clock clock;
    private final CountedEvents counted;

    public EventLog(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
        this.counted = new CountedEvents(clock);
    }

    /**
     * Appends within the caller's transaction, chained to the previous event: the chain head's row
     * is locked first (also across processes sharing PostgreSQL), so sequence numbers have no gaps
     * and every event's {@code prev_hash} is its predecessor's {@code hash} (docs/WATCH.md).
     */
    public long append(Handle handle, Event event) {
        return chain(
                handle,
                clock.millis(),
                event.kind(),
                event.actor(),
                event.project(),
                event.subject(),
                event.origin().ip(),
                event.origin().userAgent(),
                canonicalJson(event),
                null);
    }

    private static long chain(
            Handle handle,
            long at,
            String kind,
            String actor,
            String project,
            String subject,
            String ip,
            String agent,
            String details,
            Long existingId) {
        handle.createUpdate("UPDATE event_chain_head SET seq = seq WHERE id = 1")
                .execute(); // the lock
        ChainHead head = head(handle);
        long seq = head.seq() + 1;
        String previous = head.hash();
        String hash = EventHash.of(previous, seq, at, kind, actor, project, subject, ip, agent, details);
        if (existingId == null) {
            handle.createUpdate(
                            "INSERT INTO events (occurred_at, kind, actor, project, subject, source_ip, user_agent, details, seq,"
                                    + " prev_hash, hash) VALUES (:at, :kind, :actor, :project, :subject, :ip, :agent, :details, :seq, :prev, :hash)")
                    .bind("at", at)
                    .bind("kind", kind)
                    .bind("actor", actor)
                    .bind("project", project)
                    .bind("subject", subject)
                    .bind("ip", ip)
                    .bind("agent", agent)
                    .bind("details", details)
                    .bind("seq", seq)
                    .bind("prev", previous)
                    .bind("hash", hash)
                    .execute();
        } else {
            handle.createUpdate(
                            "UPDATE events SET seq = :seq, prev_hash = :prev, hash = :hash WHERE id = :id AND seq IS NULL")
                    .bind("seq", seq)
                    .bind("prev", previous)
                    .bind("hash", hash)
                    .bind("id", existingId)
                    .execute();
        }
        handle.createUpdate("UPDATE event_chain_head SET seq = :seq, hash = :hash WHERE id = 1")
                .bind("seq", seq)
                .bind("hash", hash)
                .execute();
        return seq;
    }

    /**
     * Chains events written before the chain existed (a database from an earlier version), in id
     * order. Idempotent; returns how many were chained.
     */
    public int chainLegacyEvents() {
        List<Map<String, Object>> rows =
                database.withHandle(h -> h.createQuery("SELECT * FROM events WHERE seq IS NULL ORDER BY id")
                        .mapToMap()
                        .list());
        for (Map<String, Object> r : rows) {
            database.inTransaction(h -> {
                chain(
                        h,
                        ((Number) r.get("occurred_at")).longValue(),
                        (String) r.get("kind"),
                        (String) r.get("actor"),
                        (String) r.get("project"),
                        (String) r.get("subject"),
                        (String) r.get("source_ip"),
                        (String) r.get("user_agent"),
                        (String) r.get("details"),
                        ((Number) r.get("id")).longValue());
                return null;
            });
        }
        return rows.size();
    }

    /**
     * For events a caller can cause at will (refused requests): the first few of its kind, {@code
     * key} (a source address or actor) and minute are appended now; the rest are counted and summed
     * up in one {@code EventsCounted} event by {@link #flushCounted} (docs/WATCH.md).
     */
    public void appendCounted(Event event, String key) {
        counted.count(event, key, this::append);
    }

    /** Writes the summaries of counted events of minutes that are over ({@code all}: every minute, at shutdown). */
    public void flushCounted(boolean all) {
        for (Event summary : counted.drain(all)) {
            append(summary);
        }
    }

    /** Appends in a transaction of its own (for refusals, which change nothing else). */
    public long append(Event event) {
        return database.inTransaction(handle -> append(handle, event));
    }

    /** How many events of {@code kind} (about {@code subject}, when not null) occurred after {@code since}; counted summaries not included. */
    public long count(String kind, String subject, Instant since) {
        return database.withHandle(
                h -> h.createQuery("SELECT COUNT(*) FROM events WHERE kind = :k AND occurred_at > :since"
                                + (subject == null ? "" : " AND subject = :s"))
                        .bind("k", kind)
                        .bind("since", since.toEpochMilli())
                        .bindMap(subject == null ? Map.of() : Map.of("s", subject))
                        .mapTo(Long.class)
                        .one());
    }

    /** What the log reports on {@code /metrics}: refused uploads (written and counted), and events in the chain. */
    public List<dev.portcullis.core.Metric> metrics() {
        return database.withHandle(h -> {
            long refusals = h.createQuery("SELECT COUNT(*) FROM events WHERE kind = 'UploadRejected'")
                    .mapTo(Long.class)
                    .one();
            long events = h.createQuery("SELECT COALESCE(MAX(seq), 0) FROM events")
                    .mapTo(Long.class)
                    .one();
            return List.of(
                    dev.portcullis.core.Metric.counter(
                            "portcullis_upload_refusals_total", "Uploads refused.", refusals),
                    dev.portcullis.core.Metric.counter("portcullis_events_total", "Events in the log.", events));
        });
    }

    /**
     * How many events of {@code kinds} occurred at {@code since} or later, leaving out those about a
     * project in {@code excluded} (drill sandboxes); events about no project count.
     */
    public long count(java.util.Collection<String> kinds, Instant since, java.util.Set<String> excluded) {
        return database.withHandle(h -> h
                .createQuery("SELECT project, COUNT(*) FROM events WHERE kind IN (<kinds>) AND occurred_at >= :s"
                        + " GROUP BY project")
                .bindList("kinds", List.copyOf(kinds))
                .bind("s", since.toEpochMilli())
                .map((rs, ctx) -> rs.getString(1) != null && excluded.contains(rs.getString(1)) ? 0L : rs.getLong(2))
                .list()
                .stream()
                .mapToLong(Long::longValue)
                .sum());
    }

    /** The sequence numbers of the newest {@code limit} events of {@code kind} not about a project in {@code excluded}, newest first. */
    public List<Long> newestSeqs(String kind, int limit, java.util.Set<String> excluded) {
        List<Long> out = new java.util.ArrayList<>();
        long before = Long.MAX_VALUE;
        while (out.size() < limit) {
            long bound = before;
            List<Map<String, Object>> page = database.withHandle(
                    h -> h.createQuery("SELECT seq, project FROM events WHERE kind = :k AND seq < :b"
                                    + " ORDER BY seq DESC LIMIT 200")
                            .bind("k", kind)
                            .bind("b", bound)
                            .mapToMap()
                            .list());
            if (page.isEmpty()) {
                break;
            }
            for (Map<String, Object> row : page) {
                before = ((Number) row.get("seq")).longValue();
                String project = (String) row.get("project");
                if ((project == null || !excluded.contains(project)) && out.size() < limit) {
                    out.add(before);
                }
            }
        }
        return out;
    }

    /** The newest event of {@code kind}, if any. */
    public java.util.Optional<RecordedEvent> newest(String kind) {
        return database.withHandle(h -> h.createQuery("SELECT MAX(seq) FROM events WHERE kind = :k")
                        .bind("k", kind)
                        .mapTo(Long.class)
                        .findOne())
                .flatMap(seq -> query(new Query(null, kind, null, null, null, seq - 1, 1)).stream()
                        .findFirst());
    }

    /** How many events' details match {@code pattern} (a secret that must never be there). */
    public long countDetailsMatching(java.util.regex.Pattern pattern) {
        return database.withHandle(
                h -> h.createQuery("SELECT details FROM events").setFetchSize(10_000).mapTo(String.class).stream()
                        .filter(d -> d != null && pattern.matcher(d).find())
                        .count());
    }

    /** Events, oldest first, optionally of one project and/or kind. */
    public List<RecordedEvent> list(String project, String kind, long afterId, int limit) {
        return query(new Query(project, kind, null, null, null, afterId, limit));
    }

    /**
     * A filter over the log: each field null for "any". {@code afterSeq} pages (and follows): events
     * with a greater sequence number, oldest first, at most {@code limit}.
     */
    public record Query(
            String project, String kind, String actor, Instant since, Instant until, long afterSeq, int limit) {}

    public List<RecordedEvent> query(Query q) {
        StringBuilder sql = new StringBuilder("SELECT * FROM events WHERE seq > :after");
        Map<String, Object> binds = new java.util.HashMap<>();
        binds.put("after", q.afterSeq());
        binds.put("limit", Math.max(1, Math.min(q.limit(), 10_000)));
        if (q.project() != null) {
            sql.append(" AND project = :project");
            binds.put("project", q.project());
        }
        if (q.kind() != null) {
            sql.append(" AND kind = :kind");
            binds.put("kind", q.kind());
        }
        if (q.actor() != null) {
            sql.append(" AND actor = :actor");
            binds.put("actor", q.actor());
        }
        if (q.since() != null) {
            sql.append(" AND occurred_at >= :since");
            binds.put("since", q.since().toEpochMilli());
        }
        if (q.until() != null) {
            sql.append(" AND occurred_at < :until");
            binds.put("until", q.until().toEpochMilli());
        }
        sql.append(" ORDER BY seq LIMIT :limit");
        return database.withHandle(h -> h.createQuery(sql.toString())
                .bindMap(binds)
                .map((rs, ctx) -> new RecordedEvent(
                        rs.getLong("seq"),
                        Instant.ofEpochMilli(rs.getLong("occurred_at")),
                        rs.getString("kind"),
                        rs.getString("actor"),
                        rs.getString("project"),
                        rs.getString("subject"),
                        rs.getString("source_ip"),
                        rs.getString("user_agent"),
                        rs.getString("details"),
                        rs.getString("hash")))
                .list());
    }

    /** The details as stored (and hashed): RFC 8785 canonical JSON, members sorted at every depth. */
    private static String canonicalJson(Event event) {
        try {
            return CanonicalJson.of(event.details());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("event details must be JSON-serialisable", e);
        }
    }

    // ------------------------------------------------------------------ the chain, for its verifier

    /** The newest chained event's sequence number and hash (0 and the genesis hash for an empty log). */
    public record ChainHead(long seq, String hash) {}

    /** One stored event with its place in the chain, every column as stored. */
    public record Chained(
            long id,
            long seq,
            long occurredAt,
            String kind,
            String actor,
            String project,
            String subject,
            String ip,
            String agent,
            String details,
            String prevHash,
            String hash) {}

    /** An event stored outside the chain (inserted around it). */
    public record Unchained(long id, String kind, long occurredAt) {}

    public ChainHead head() {
        return database.withHandle(EventLog::head);
    }

    private static ChainHead head(Handle h) {
        Map<String, Object> head = h.createQuery("SELECT seq, hash FROM event_chain_head WHERE id = 1")
                .mapToMap()
                .one();
        return new ChainHead(((Number) head.get("seq")).longValue(), (String) head.get("hash"));
    }

    /** Streams the hashes of the chained events up to {@code seq}, in order. */
    public void forEachHash(long seq, java.util.function.Consumer<String> hashes) {
        database.withHandle(h -> {
            h.createQuery("SELECT hash FROM events WHERE seq IS NOT NULL AND seq <= :seq ORDER BY seq")
                    .bind("seq", seq)
                    .setFetchSize(10_000)
                    .mapTo(String.class)
                    .useStream(s -> s.forEach(hashes));
            return null;
        });
    }

    /**
     * Reads the whole log for verification, in one snapshot: the events outside the chain, every
     * chained event in sequence order (streamed), then the head as stored.
     */
    public ChainHead readChain(
            java.util.function.Consumer<Unchained> unchained, java.util.function.Consumer<Chained> chained) {
        return database.withHandle(h -> {
            h.createQuery("SELECT id, kind, occurred_at FROM events WHERE seq IS NULL ORDER BY id")
                    .map((rs, ctx) -> new Unchained(rs.getLong("id"), rs.getString("kind"), rs.getLong("occurred_at")))
                    .forEach(unchained);
            h.createQuery("SELECT * FROM events WHERE seq IS NOT NULL ORDER BY seq")
                    .setFetchSize(10_000)
                    .map((rs, ctx) -> new Chained(
                            rs.getLong("id"),
                            rs.getLong("seq"),
                            rs.getLong("occurred_at"),
                            rs.getString("kind"),
                            rs.getString("actor"),
                            rs.getString("project"),
                            rs.getString("subject"),
                            rs.getString("source_ip"),
                            rs.getString("user_agent"),
                            rs.getString("details"),
                            rs.getString("prev_hash"),
                            rs.getString("hash")))
                    .useStream(rows -> rows.forEach(chained));
            return head(h);
        });
    }
}
