package dev.portcullis.watch.alert;

import dev.portcullis.events.AlertLevel;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** An alert as the outbox holds it, with its own recipients' webhook URLs. */
record StoredAlert(
        long id,
        long eventSeq,
        Instant raisedAt,
        AlertLevel level,
        String kind,
        String project,
        String subject,
        String title,
        String message,
        Map<String, Object> details,
        List<String> webhooks) {

    /** The Standard Webhooks message id: stable across retries, so receivers can drop duplicates. */
    String messageId() {
        return "alert_" + id;
    }
}
