package dev.portcullis.gate.notify;

import dev.portcullis.events.AlertLevel;
import dev.portcullis.events.AlertSink;
import dev.portcullis.gate.Outcome;
import dev.portcullis.gate.ReleaseNotifier;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Release notices as alerts: a held, rejected or quarantined release becomes an alert for the
 * project's policy recipients ({@code notify.email}, {@code notify.webhooks}, always) and for the
 * server's alert sinks (by level). Delivery is the outbox's work (watch/alert), with retries that
 * survive restarts; this never blocks the decision.
 */
public final class AlertingNotifier implements ReleaseNotifier {

    private final AlertSink alerts;

    public AlertingNotifier(AlertSink alerts) {
        this.alerts = alerts;
    }

    @Override
    public void notify(Notice notice) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("version", notice.version());
        details.put("outcome", notice.outcome().name().toLowerCase(java.util.Locale.ROOT));
        details.put("reasons", notice.reasons());
        details.put("approvals_required", notice.approvalsRequired());
        AlertLevel level = switch (notice.outcome()) {
            case QUARANTINE -> AlertLevel.CRITICAL;
            case REJECT -> AlertLevel.HIGH;
            case HOLD ->
                notice.reasons().stream().anyMatch(r -> r.startsWith("high signal") || r.startsWith("critical signal"))
                        ? AlertLevel.HIGH
                        : AlertLevel.MEDIUM;
            case AUTO_RELEASE -> AlertLevel.INFO;
        };
        alerts.raise(new AlertSink.Alert(
                "release." + notice.outcome().name().toLowerCase(java.util.Locale.ROOT),
                level,
                notice.project(),
                notice.version(),
                notice.project() + " " + notice.version() + " " + verb(notice),
                text(notice),
                details,
                notice.recipients().email(),
                notice.recipients().webhooks()));
    }

    private static String verb(Notice notice) {
        return switch (notice.outcome()) {
            case HOLD -> "is held for approval";
            case QUARANTINE -> "was quarantined by policy";
            case REJECT -> "was rejected by policy";
            case AUTO_RELEASE -> "will be released by policy";
        };
    }

    static String text(Notice notice) {
        StringBuilder text = new StringBuilder();
        text.append(notice.project())
                .append(' ')
                .append(notice.version())
                .append(' ')
                .append(verb(notice))
                .append(".\n\nWhy:\n");
        List<String> reasons = notice.reasons();
        reasons.forEach(r -> text.append("  - ").append(r).append('\n'));
        if (notice.outcome() == Outcome.HOLD) {
            text.append("\nIt needs ")
                    .append(notice.approvalsRequired())
                    .append(" approval(s) by people other than the uploader:\n")
                    .append("  portcullis release inspect ")
                    .append(notice.project())
                    .append(' ')
                    .append(notice.version())
                    .append(" --diff\n")
                    .append("  portcullis release approve ")
                    .append(notice.project())
                    .append(' ')
                    .append(notice.version())
                    .append(" --otp CODE\n")
                    .append("  portcullis release reject ")
                    .append(notice.project())
                    .append(' ')
                    .append(notice.version())
                    .append(" --reason WHY --otp CODE\n");
        }
        return text.toString();
    }
}
