package dev.portcullis.watch.alert;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.portcullis.core.Origin;
import dev.portcullis.events.AlertLevel;
import dev.portcullis.events.Event;
import dev.portcullis.events.EventLog;
import dev.portcullis.net.GuardedHttp;
import dev.portcullis.store.Database;
import dev.portcullis.watch.WatchSettings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Works off the outbox: claims each due delivery (a guarded update, so several server processes
 * sharing PostgreSQL never send one twice), sends it, and records the result. A failed attempt is
 * retried after 1 s, 2 s, 4 s … (at most 10 minutes apart) until {@link #MAX_ATTEMPTS}; then the
 * delivery is failed and an {@code AlertDeliveryFailed} event says so. State lives in the database,
 * so pending deliveries survive a restart.
 */
public final class AlertDispatcher {

    static final int MAX_ATTEMPTS = 20;
    static final Duration LEASE = Duration.ofMinutes(2);
    static final dev.portcullis.core.Backoff BACKOFF =
            new dev.portcullis.core.Backoff(Duration.ofSeconds(1), Duration.ofMinutes(10));
    private static final Logger LOG = LoggerFactory.getLogger(AlertDispatcher.class);

    private final Database database;
    private final EventLog events;
    private final Clock clock;
    private final WatchSettings settings;
    private final Smtp smtp;
    private final GuardedHttp http;

    /** Alerts raised at {@code since} or later and how their deliveries went; {@code stuck}: pending, raised over an hour before {@code now}. */
    public record Evidence(long raised, long delivered, long failed, long stuck) {}

    public Evidence evidence(Instant since, Instant now) {
        long s = since.toEpochMilli();
        String deliveries = "SELECT COUNT(*) FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id WHERE ";
        return database.withHandle(h -> new Evidence(
                h.createQuery("SELECT COUNT(*) FROM alerts WHERE raised_at >= " + s)
                        .mapTo(Long.class)
                        .one(),
                h.createQuery(deliveries + "d.state = 'delivered' AND a.raised_at >= " + s)
                        .mapTo(Long.class)
                        .one(),
                h.createQuery(deliveries + "d.state = 'failed' AND a.raised_at >= " + s)
                        .mapTo(Long.class)
                        .one(),
                h.createQuery(deliveries + "d.state = 'pending' AND a.raised_at < "
                                + now.minus(java.time.Duration.ofHours(1)).toEpochMilli())
                        .mapTo(Long.class)
                        .one()));
    }

    /**
     * An alert as people read it: never its recipients (webhook URLs carry secrets) nor its sinks'
     * addresses, only how many deliveries went, failed or wait.
     */
    public record Raised(
            long id,
            Instant raisedAt,
            String level,
            String kind,
            String project,
            String subject,
            String title,
            String message,
            int delivered,
            int failed,
            int pending) {}

    /** The newest {@code limit} alerts, newest first. */
    public java.util.List<Raised> recent(int limit) {
        return database.withHandle(h -> h.createQuery("SELECT a.id, a.raised_at, a.level, a.kind, a.project, a.subject,"
                        + " a.title, a.message,"
                        + " (SELECT COUNT(*) FROM alert_deliveries d WHERE d.alert_id = a.id AND d.state = 'delivered'),"
                        + " (SELECT COUNT(*) FROM alert_deliveries d WHERE d.alert_id = a.id AND d.state = 'failed'),"
                        + " (SELECT COUNT(*) FROM alert_deliveries d WHERE d.alert_id = a.id AND d.state = 'pending')"
                        + " FROM alerts a ORDER BY a.id DESC LIMIT :n")
                .bind("n", Math.max(1, Math.min(limit, 1000)))
                .map((rs, ctx) -> new Raised(
                        rs.getLong(1),
                        Instant.ofEpochMilli(rs.getLong(2)),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getString(6),
                        rs.getString(7),
                        rs.getString(8),
                        rs.getInt(9),
                        rs.getInt(10),
                        rs.getInt(11)))
                .list());
    }

    public AlertDispatcher(
            Database database, EventLog events, Clock clock, WatchSettings settings, Smtp smtp, GuardedHttp http) {
        this.http = http;
        this.database = database;
        this.events = events;
        this.clock = clock;
        this.settings = settings;
        this.smtp = smtp;
    }

    /** One pass over the due deliveries; returns how many were attempted. */
    public int deliverDue() {
        long now = clock.millis();
        List<Map<String, Object>> due = database.withHandle(h -> h.createQuery(
                        "SELECT id, alert_id, sink, attempts, next_attempt_at FROM alert_deliveries WHERE state = 'pending' AND next_attempt_at <= :now"
                                + " ORDER BY next_attempt_at, id LIMIT 100")
                .bind("now", now)
                .mapToMap()
                .list());
        int attempted = 0;
        for (Map<String, Object> row : due) {
            long id = ((Number) row.get("id")).longValue();
            int claimed = database.inTransaction(h -> h.createUpdate(
                            "UPDATE alert_deliveries SET next_attempt_at = :lease WHERE id = :id AND state = 'pending' AND next_attempt_at = :seen")
                    .bind("lease", now + LEASE.toMillis())
                    .bind("id", id)
                    .bind("seen", ((Number) row.get("next_attempt_at")).longValue())
                    .execute());
            if (claimed == 1) {
                attempted++;
                deliver(
                        id,
                        ((Number) row.get("alert_id")).longValue(),
                        (String) row.get("sink"),
                        ((Number) row.get("attempts")).intValue() + 1);
            }
        }
        return attempted;
    }

    private void deliver(long deliveryId, long alertId, String sink, int attempt) {
        StoredAlert alert = load(alertId);
        Optional<Channel> channel = Channel.resolve(sink, alert, settings, smtp, http, clock);
        String error;
        if (channel.isEmpty()) {
            error = "the sink " + sink + " is no longer configured";
        } else {
            try {
                channel.get().send(alert);
                database.inTransaction(h -> {
                    h.createUpdate(
                                    "UPDATE alert_deliveries SET state = 'delivered', attempts = :n, delivered_at = :t, last_error = NULL WHERE id = :id")
                            .bind("n", attempt)
                            .bind("t", clock.millis())
                            .bind("id", deliveryId)
                            .execute();
                    events.append(
                            h,
                            new Event(
                                    "AlertDelivered",
                                    "watch",
                                    alert.project(),
                                    alert.subject(),
                                    Origin.LOCAL,
                                    Map.of(
                                            "alert",
                                            alert.messageId(),
                                            "to",
                                            channel.get().describe(),
                                            "attempts",
                                            attempt,
                                            "type",
                                            alert.kind())));
                    return null;
                });
                return;
            } catch (Exception e) {
                error = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            }
        }
        String reason = error.length() > 900 ? error.substring(0, 900) : error;
        boolean last = attempt >= MAX_ATTEMPTS || channel.isEmpty();
        long next = clock.millis() + BACKOFF.after(attempt).toMillis();
        database.inTransaction(h -> {
            h.createUpdate(
                            "UPDATE alert_deliveries SET state = :state, attempts = :n, next_attempt_at = :next, last_error = :e WHERE id = :id")
                    .bind("state", last ? "failed" : "pending")
                    .bind("n", attempt)
                    .bind("next", next)
                    .bind("e", reason)
                    .bind("id", deliveryId)
                    .execute();
            if (last) {
                events.append(
                        h,
                        new Event(
                                "AlertDeliveryFailed",
                                "watch",
                                alert.project(),
                                alert.subject(),
                                Origin.LOCAL,
                                Map.of(
                                        "alert",
                                        alert.messageId(),
                                        "to",
                                        channel.map(Channel::describe).orElse(sink),
                                        "attempts",
                                        attempt,
                                        "error",
                                        reason)));
            }
            return null;
        });
        LOG.warn(
                "alert {} to {}: attempt {} failed ({}){}",
                alert.messageId(),
                channel.map(Channel::describe).orElse(sink),
                attempt,
                reason,
                last ? "; giving up" : "; retrying");
    }

    private StoredAlert load(long id) {
        return database.withHandle(h -> h.createQuery("SELECT * FROM alerts WHERE id = :id")
                .bind("id", id)
                .map((rs, ctx) -> {
                    Map<String, Object> details;
                    List<String> webhooks;
                    try {
                        details = AlertOutbox.JSON.readValue(
                                rs.getString("details"), new TypeReference<Map<String, Object>>() {});
                        String recipients = rs.getString("recipients");
                        webhooks = recipients == null
                                ? List.of()
                                : AlertOutbox.JSON.readValue(recipients, new TypeReference<List<String>>() {});
                    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                        details = Map.of();
                        webhooks = List.of();
                    }
                    return new StoredAlert(
                            rs.getLong("id"),
                            rs.getLong("event_seq"),
                            Instant.ofEpochMilli(rs.getLong("raised_at")),
                            AlertLevel.parse(rs.getString("level")),
                            rs.getString("kind"),
                            rs.getString("project"),
                            rs.getString("subject"),
                            rs.getString("title"),
                            rs.getString("message"),
                            details,
                            webhooks);
                })
                .one());
    }

    /** Pending deliveries (for /metrics). */
    public long queueDepth() {
        return database.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM alert_deliveries WHERE state = 'pending'")
                .mapTo(Long.class)
                .one());
    }
}
