package dev.portcullis.watch.alert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.portcullis.core.Origin;
import dev.portcullis.events.AlertLevel;
import dev.portcullis.events.AlertSink;
import dev.portcullis.events.Event;
import dev.portcullis.events.EventLog;
import dev.portcullis.store.Database;
import dev.portcullis.watch.WatchSettings;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * The server's {@link AlertSink}: an alert is an {@code AlertRaised} event, an {@code alerts} row
 * and one delivery row per sink, all in one transaction, so an alert exists exactly when its event
 * does and nothing is sent for work that rolled back. {@link AlertDispatcher} delivers. Raising
 * never sends anything itself, so it never blocks an upload.
 */
public final class AlertOutbox implements AlertSink {

    static final ObjectMapper JSON = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private final Database database;
    private final EventLog events;
    private final Clock clock;
    private final WatchSettings settings;
    private final java.util.function.Function<String, Recipients> projectRecipients;

    private final java.util.function.Predicate<String> drillSandboxes;

    /**
     * {@code drillSandboxes} tells a drill sandbox's project key (the catalog answers).
     * {@code projectRecipients} names who follows a project (its policy's {@code notify}); they get
     * that project's alerts of medium level and above, besides the alert's own recipients.
     */
    public AlertOutbox(
            Database database,
            EventLog events,
            Clock clock,
            WatchSettings settings,
            java.util.function.Function<String, Recipients> projectRecipients,
            java.util.function.Predicate<String> drillSandboxes) {
        this.drillSandboxes = drillSandboxes;
        this.projectRecipients = projectRecipients;
        this.database = database;
        this.events = events;
        this.clock = clock;
        this.settings = settings;
    }

    @Override
    public void raise(Alert raised) {
        // Looked up before the transaction: a write transaction must not wait for a second connection.
        Alert alert = markedIfDrill(withProjectRecipients(raised));
        database.inTransaction(h -> insert(h, alert));
    }

    /** Writes the alert, its event and its deliveries within the caller's transaction; returns the alert's id. */
    private long insert(Handle h, Alert alert) {
        Map<String, Object> eventDetails = new LinkedHashMap<>(alert.details());
        eventDetails.put("level", alert.level().wireName());
        eventDetails.put("title", alert.title());
        eventDetails.put("message", alert.message());
        long seq = events.append(
                h, new Event("AlertRaised", "watch", alert.project(), alert.subject(), Origin.LOCAL, eventDetails));
        long now = clock.millis();
        h.createUpdate(
                        "INSERT INTO alerts (event_seq, raised_at, level, kind, project, subject, title, message, details, recipients)"
                                + " VALUES (:seq, :at, :level, :kind, :project, :subject, :title, :message, :details, :recipients)")
                .bind("recipients", alert.webhooks().isEmpty() ? null : json(alert.webhooks()))
                .bind("seq", seq)
                .bind("at", now)
                .bind("level", alert.level().wireName())
                .bind("kind", alert.kind())
                .bind("project", alert.project())
                .bind("subject", alert.subject())
                .bind("title", clip(alert.title(), 300))
                .bind("message", alert.message())
                .bind("details", json(alert.details()))
                .execute();
        long id = h.createQuery("SELECT id FROM alerts WHERE event_seq = :seq")
                .bind("seq", seq)
                .mapTo(Long.class)
                .one();
        for (String sink : sinks(alert)) {
            h.createUpdate(
                            "INSERT INTO alert_deliveries (alert_id, sink, state, attempts, next_attempt_at) VALUES (:a, :s, 'pending', 0, :t)")
                    .bind("a", id)
                    .bind("s", sink)
                    .bind("t", now)
                    .execute();
        }
        return id;
    }

    /**
     * Alerts about a drill sandbox (docs/DRILLS.md) are delivered like any other — a drill tests
     * that alerts reach people — but their title says it is a drill, so nobody treats it as an attack.
     */
    private Alert markedIfDrill(Alert alert) {
        boolean drill = alert.project() != null && drillSandboxes.test(alert.project());
        if (!drill) {
            return alert;
        }
        Map<String, Object> details = new LinkedHashMap<>(alert.details());
        details.put("drill", true);
        return new Alert(
                alert.kind(),
                alert.level(),
                alert.project(),
                alert.subject(),
                "[drill] " + alert.title(),
                alert.message(),
                details,
                alert.emails(),
                alert.webhooks());
    }

    private Alert withProjectRecipients(Alert alert) {
        if (alert.project() == null || alert.level().compareTo(AlertLevel.MEDIUM) < 0) {
            return alert;
        }
        Recipients followers;
        try {
            followers = projectRecipients.apply(alert.project());
        } catch (RuntimeException e) {
            followers = Recipients.NONE; // an unknown project or policy: the configured sinks still get it
        }
        Set<String> emails = new LinkedHashSet<>(alert.emails());
        emails.addAll(followers.emails());
        Set<String> webhooks = new LinkedHashSet<>(alert.webhooks());
        webhooks.addAll(followers.webhooks());
        return new Alert(
                alert.kind(),
                alert.level(),
                alert.project(),
                alert.subject(),
                alert.title(),
                alert.message(),
                alert.details(),
                List.copyOf(emails),
                List.copyOf(webhooks));
    }

    /** The configured sinks the alert's level reaches, and the alert's own recipients. */
    private Set<String> sinks(Alert alert) {
        Set<String> sinks = new LinkedHashSet<>();
        if (alert.level().compareTo(AlertLevel.parse(settings.minSeverity())) >= 0) {
            settings.webhooks().forEach(w -> sinks.add(Channel.WEBHOOK + Channel.fingerprint(w.url())));
            settings.slack().forEach(url -> sinks.add(Channel.SLACK + Channel.fingerprint(url)));
            settings.email().forEach(address -> sinks.add(Channel.EMAIL + address));
            if (settings.syslog() != null) {
                sinks.add(Channel.SYSLOG + settings.syslog());
            }
        }
        alert.webhooks().forEach(url -> sinks.add(Channel.WEBHOOK + Channel.fingerprint(url)));
        alert.emails().forEach(address -> sinks.add(Channel.EMAIL + address));
        return sinks;
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("alert details must be JSON-serialisable", e);
        }
    }

    private static String clip(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }
}
