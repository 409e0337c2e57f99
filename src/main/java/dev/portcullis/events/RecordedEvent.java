package dev.portcullis.events;

import java.time.Instant;
import java.util.Locale;

/** An event as stored: its sequence number in the chain, time, fields, details (JSON) and hash. */
public record RecordedEvent(
        long seq,
        Instant occurredAt,
        String kind,
        String actor,
        String project,
        String subject,
        String sourceIp,
        String userAgent,
        String details,
        String hash) {

    private static final java.util.regex.Pattern TOKEN_ID = java.util.regex.Pattern.compile(
            "(token |\\\"[a-z_]*(?:token|successor|rotated_from|ticket)[a-z_]*\\\":\\\")([0-9A-Za-z]{4})[0-9A-Za-z]{8}\\b");

    /**
     * This event with token ids cut to their first four characters, for readers who do not manage
     * the tokens: an id names a token to its managers and is nobody else's business.
     */
    public RecordedEvent withTokenIdsMasked() {
        return new RecordedEvent(
                seq, occurredAt, kind, mask(actor), project, mask(subject), sourceIp, userAgent, mask(details), hash);
    }

    private static String mask(String text) {
        return text == null ? null : TOKEN_ID.matcher(text).replaceAll("$1$2…");
    }

    /** {@code failure} for refusals and failures, {@code alert} for alerts, else {@code success}. */
    public String outcome() {
        String k = kind.toLowerCase(Locale.ROOT);
        if (k.contains("rejected")
                || k.contains("refused")
                || k.contains("failed")
                || k.contains("missing")
                || k.contains("burst")) {
            return "failure";
        }
        return k.startsWith("alert") && !k.equals("alertdelivered") ? "alert" : "success";
    }

    /** One CEF line (for syslog and SIEM import). */
    public String cef() {
        int severity = switch (outcome()) {
            case "failure" -> 5;
            case "alert" -> 8;
            default -> 2;
        };
        return Cef.line(
                kind,
                kind + (subject == null ? "" : " " + subject),
                severity,
                occurredAt.toEpochMilli(),
                project,
                subject,
                "actor=" + actor + " src=" + sourceIp + " " + details,
                "seq-" + seq);
    }
}
