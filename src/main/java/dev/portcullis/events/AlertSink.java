package dev.portcullis.events;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where alarms go. The server's sink is the alert outbox ({@code watch/alert/AlertOutbox}): every
 * alert is an {@code AlertRaised} event and is delivered, with retries, to the configured webhook,
 * Slack, e-mail and syslog sinks and to the alert's own recipients (docs/WATCH.md).
 */
public interface AlertSink {

    /**
     * An alarm: its type ({@code kind}), level, what it is about, a title and a message a person
     * reads, structured details, and recipients of its own (a project's policy `notify`) that get it
     * whatever the level.
     */
    record Alert(
            String kind,
            AlertLevel level,
            String project,
            String subject,
            String title,
            String message,
            Map<String, Object> details,
            List<String> emails,
            List<String> webhooks) {

        public Alert {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(level, "level");
            details = details == null ? Map.of() : details;
            emails = emails == null ? List.of() : List.copyOf(emails);
            webhooks = webhooks == null ? List.of() : List.copyOf(webhooks);
            title = title == null ? kind : title;
            message = message == null ? "" : message;
        }

        /** A high-level alert about {@code subject} with one sentence of evidence. */
        public Alert(String kind, String subject, String message) {
            this(kind, AlertLevel.HIGH, null, subject, kind + ": " + subject, message, Map.of(), List.of(), List.of());
        }
    }

    /** Who else hears about a project: its policy's {@code notify} e-mail addresses and webhooks. */
    record Recipients(List<String> emails, List<String> webhooks) {
        public static final Recipients NONE = new Recipients(List.of(), List.of());

        public Recipients {
            emails = List.copyOf(emails);
            webhooks = List.copyOf(webhooks);
        }
    }

    void raise(Alert alert);

    /** Raises every alert in {@code first}, then in {@code second}. */
    static AlertSink both(AlertSink first, AlertSink second) {
        return alert -> {
            first.raise(alert);
            second.raise(alert);
        };
    }

    /** Logs every alert (tools and tests without a server). */
    static AlertSink logging() {
        org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(AlertSink.class);
        return alert -> log.warn(
                "ALERT {} {} {}: {}", alert.level().wireName(), alert.kind(), alert.subject(), alert.message());
    }
}
