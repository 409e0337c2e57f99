package dev.portcullis.watch;

import dev.portcullis.events.AlertLevel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Monitoring configuration (docs/WATCH.md, docs/CONFIGURATION.md): where signed event-log
 * checkpoints are also written and how often, and where alerts go.
 *
 * @param checkpointFile a JSON-lines file (ideally append-only, outside the server's reach) every
 *     checkpoint is appended to; null: checkpoints stay in the database only
 * @param checkpointInterval how often a checkpoint is signed when there are new events
 * @param checkpointWebhooks URLs each checkpoint is POSTed to as JSON (best effort: a missed one is
 *     superseded by the next, which covers every earlier event)
 * @param webhooks Standard-Webhooks receivers, each with its signing secrets (the first signs; all
 *     are listed during rotation)
 * @param slack Slack-compatible incoming-webhook URLs
 * @param email addresses alerts are mailed to (needs the SMTP settings)
 * @param syslog {@code host:port} that receives CEF lines over UDP; null: none
 * @param minSeverity alerts below this (low, medium, high, critical) are recorded but not sent
 * @param upstreamInterval how often each watched upstream project is polled (with ±10% jitter)
 */
public record WatchSettings(
        Path checkpointFile,
        Duration checkpointInterval,
        List<String> checkpointWebhooks,
        List<Webhook> webhooks,
        List<String> slack,
        List<String> email,
        String syslog,
        String minSeverity,
        Duration upstreamInterval,
        Duration drillInterval) {

    /** A webhook receiver and its secrets ({@code whsec_} + base64, as Standard Webhooks prints them). */
    public record Webhook(String url, List<String> secrets) {
        public Webhook {
            Objects.requireNonNull(url, "url");
            secrets = List.copyOf(secrets);
        }

        @Override
        public String toString() {
            return "Webhook[" + url + ", " + secrets.size() + " secret(s)]";
        }
    }

    public static final WatchSettings DEFAULTS = new WatchSettings(
            null,
            Duration.ofMinutes(5),
            List.of(),
            List.of(),
            List.of(),
            List.of(),
            null,
            "medium",
            Duration.ofMinutes(5),
            null);

    public WatchSettings {
        Objects.requireNonNull(checkpointInterval, "checkpointInterval");
        checkpointWebhooks = List.copyOf(checkpointWebhooks);
        webhooks = List.copyOf(webhooks);
        slack = List.copyOf(slack);
        email = List.copyOf(email);
        AlertLevel.parse(minSeverity);
        Objects.requireNonNull(upstreamInterval, "upstreamInterval");
        if (drillInterval != null && drillInterval.compareTo(Duration.ofMinutes(5)) < 0) {
            throw new IllegalArgumentException("drills run at most every 5 minutes");
        }
    }

    public WatchSettings withCheckpointFile(Path file) {
        return new WatchSettings(
                file,
                checkpointInterval,
                checkpointWebhooks,
                webhooks,
                slack,
                email,
                syslog,
                minSeverity,
                upstreamInterval,
                drillInterval);
    }

    public WatchSettings withCheckpointWebhooks(List<String> urls) {
        return new WatchSettings(
                checkpointFile,
                checkpointInterval,
                urls,
                webhooks,
                slack,
                email,
                syslog,
                minSeverity,
                upstreamInterval,
                drillInterval);
    }

    public WatchSettings withUpstreamInterval(Duration interval) {
        return new WatchSettings(
                checkpointFile,
                checkpointInterval,
                checkpointWebhooks,
                webhooks,
                slack,
                email,
                syslog,
                minSeverity,
                interval,
                drillInterval);
    }

    /** Every detection drill against this server every {@code interval} (docs/DRILLS.md); null: never. */
    public WatchSettings withDrillInterval(Duration interval) {
        return new WatchSettings(
                checkpointFile,
                checkpointInterval,
                checkpointWebhooks,
                webhooks,
                slack,
                email,
                syslog,
                minSeverity,
                upstreamInterval,
                interval);
    }

    public WatchSettings withAlerts(
            List<Webhook> webhooks, List<String> slack, List<String> email, String syslog, String minSeverity) {
        return new WatchSettings(
                checkpointFile,
                checkpointInterval,
                checkpointWebhooks,
                webhooks,
                slack,
                email,
                syslog,
                minSeverity,
                upstreamInterval,
                drillInterval);
    }
}
