package dev.portcullis.watch.alert;

import dev.portcullis.events.Cef;
import dev.portcullis.net.GuardedHttp;
import dev.portcullis.store.Sha256;
import dev.portcullis.watch.WatchSettings;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Where one delivery goes. Stored as a sink key in the outbox: {@code webhook:<fingerprint>} and
 * {@code slack:<fingerprint>} (URLs can carry tokens, so the database holds only a SHA-256
 * fingerprint; the URL comes from the settings or the alert's own recipients), {@code email:<address>},
 * {@code syslog:<host:port>}.
 */
sealed interface Channel {

    String WEBHOOK = "webhook:";
    String SLACK = "slack:";
    String EMAIL = "email:";
    String SYSLOG = "syslog:";

    void send(StoredAlert alert) throws Exception;

    /** A short description for events and logs, without secrets. */
    String describe();

    static String fingerprint(String url) {
        return Sha256.hex(url).substring(0, 16);
    }

    static Optional<Channel> resolve(
            String sink, StoredAlert alert, WatchSettings settings, Smtp smtp, GuardedHttp http, Clock clock) {
        if (sink.startsWith(WEBHOOK)) {
            String id = sink.substring(WEBHOOK.length());
            for (WatchSettings.Webhook w : settings.webhooks()) {
                if (fingerprint(w.url()).equals(id)) {
                    return Optional.of(new Webhook(w.url(), w.secrets(), http, clock));
                }
            }
            return alert.webhooks().stream()
                    .filter(url -> fingerprint(url).equals(id))
                    .findFirst()
                    .map(url -> new Webhook(url, List.of(), http, clock));
        }
        if (sink.startsWith(SLACK)) {
            String id = sink.substring(SLACK.length());
            return settings.slack().stream()
                    .filter(url -> fingerprint(url).equals(id))
                    .findFirst()
                    .map(url -> new Slack(url, http));
        }
        if (sink.startsWith(EMAIL)) {
            return Optional.of(new Email(sink.substring(EMAIL.length()), smtp));
        }
        if (sink.startsWith(SYSLOG)) {
            return Optional.of(new Syslog(sink.substring(SYSLOG.length()), clock));
        }
        return Optional.empty();
    }

    /** The JSON body webhooks receive: the alert's fields, then its details (release notices keep their keys). */
    static Map<String, Object> body(StoredAlert alert) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", alert.kind());
        body.put("id", alert.messageId());
        body.put("level", alert.level().wireName());
        body.put("title", alert.title());
        body.put("message", alert.message());
        body.put("project", alert.project());
        body.put("subject", alert.subject());
        body.put("raised_at", alert.raisedAt().toString());
        body.put("event_seq", alert.eventSeq());
        alert.details().forEach(body::putIfAbsent);
        return body;
    }

    private static String host(String url) {
        try {
            return URI.create(url).getHost();
        } catch (IllegalArgumentException e) {
            return "?";
        }
    }

    /** Through the guarded client: the outbound policy applies, and nothing the receiver answers is kept but its status. */
    private static void post(GuardedHttp http, Map<String, String> headers, String url, String body) throws Exception {
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.put("Content-Type", "application/json");
        GuardedHttp.Response response = http.post(
                URI.create(url),
                all,
                new GuardedHttp.Bytes(body.getBytes(StandardCharsets.UTF_8), "application/json"),
                Duration.ofSeconds(10),
                GuardedHttp.DISCARD);
        if (response.status() / 100 != 2) {
            throw new IllegalStateException(host(url) + " answered HTTP " + response.status());
        }
    }

    /**
     * A Standard Webhooks delivery: {@code webhook-id}, {@code webhook-timestamp} (seconds) and
     * {@code webhook-signature}, one {@code v1,<base64 HMAC-SHA256(id.timestamp.body)>} per secret
     * (all of them while secrets rotate). A receiver without a secret gets the same body unsigned.
     */
    record Webhook(String url, List<String> secrets, GuardedHttp http, Clock clock) implements Channel {
        @Override
        public void send(StoredAlert alert) throws Exception {
            String body = AlertOutbox.JSON.writeValueAsString(body(alert));
            String timestamp = String.valueOf(clock.instant().getEpochSecond());
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("webhook-id", alert.messageId());
            headers.put("webhook-timestamp", timestamp);
            if (!secrets.isEmpty()) {
                headers.put("webhook-signature", signature(secrets, alert.messageId(), timestamp, body));
            }
            post(http, headers, url, body);
        }

        static String signature(List<String> secrets, String id, String timestamp, String body) throws Exception {
            List<String> signatures = new ArrayList<>();
            for (String secret : secrets) {
                byte[] key = Base64.getDecoder().decode(secret.startsWith("whsec_") ? secret.substring(6) : secret);
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(key, "HmacSHA256"));
                signatures.add("v1,"
                        + Base64.getEncoder()
                                .encodeToString(mac.doFinal(
                                        (id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8))));
            }
            return String.join(" ", signatures);
        }

        @Override
        public String describe() {
            return "webhook " + host(url) + " (" + fingerprint(url) + ")";
        }

        @Override
        public String toString() {
            return describe();
        }
    }

    /** A Slack-compatible incoming webhook: {@code {"text": ...}}. */
    record Slack(String url, GuardedHttp http) implements Channel {
        @Override
        public void send(StoredAlert alert) throws Exception {
            String text = "*[" + alert.level().wireName().toUpperCase(java.util.Locale.ROOT) + "] " + alert.title()
                    + "*\n" + alert.message();
            post(http, Map.of(), url, AlertOutbox.JSON.writeValueAsString(Map.of("text", text)));
        }

        @Override
        public String describe() {
            return "slack " + host(url) + " (" + fingerprint(url) + ")";
        }

        @Override
        public String toString() {
            return describe();
        }
    }

    /** E-mail over SMTP: subject {@code [Portcullis] <title>}, the message as the body. */
    record Email(String address, Smtp smtp) implements Channel {
        @Override
        public void send(StoredAlert alert) throws Exception {
            if (smtp == null || smtp.host() == null) {
                throw new IllegalStateException("no SMTP server is configured (serve --smtp-host)");
            }
            Properties properties = new Properties();
            properties.put("mail.smtp.host", smtp.host());
            properties.put("mail.smtp.port", String.valueOf(smtp.port()));
            properties.put("mail.smtp.connectiontimeout", "10000");
            properties.put("mail.smtp.timeout", "10000");
            MimeMessage message = new MimeMessage(Session.getInstance(properties));
            message.setFrom(new InternetAddress(smtp.from()));
            message.setRecipient(Message.RecipientType.TO, new InternetAddress(address));
            message.setHeader("X-Portcullis-Alert", alert.messageId());
            message.setSubject("[Portcullis] " + alert.title(), "UTF-8");
            message.setText(
                    alert.message() + "\n\n(" + alert.level().wireName() + " alert " + alert.messageId() + ", event "
                            + alert.eventSeq() + ", " + alert.raisedAt() + ")\n",
                    "UTF-8");
            if (smtp.user() != null) {
                Transport.send(message, smtp.user(), smtp.password());
            } else {
                Transport.send(message);
            }
        }

        @Override
        public String describe() {
            return "email " + address;
        }
    }

    /** One CEF line per alert in an RFC 5424 syslog datagram over UDP. */
    record Syslog(String target, Clock clock) implements Channel {
        @Override
        public void send(StoredAlert alert) throws Exception {
            int colon = target.lastIndexOf(':');
            byte[] line = line(alert, clock).getBytes(StandardCharsets.UTF_8);
            try (DatagramSocket socket = new DatagramSocket()) {
                socket.send(new DatagramPacket(
                        line,
                        line.length,
                        InetAddress.getByName(target.substring(0, colon)),
                        Integer.parseInt(target.substring(colon + 1))));
            }
        }

        /** {@code <PRI>1 TIMESTAMP portcullis portcullis - alert - CEF:0|Portcullis|Portcullis|1|kind|title|severity|extensions}. */
        static String line(StoredAlert alert, Clock clock) {
            int severity = alert.level().cef();
            int priority =
                    8 * 13 + (severity >= 8 ? 2 : severity >= 5 ? 4 : 6); // facility log audit; crit / warning / info
            return "<" + priority + ">1 " + DateTimeFormatter.ISO_INSTANT.format(clock.instant())
                    + " portcullis portcullis - alert - "
                    + Cef.line(
                            alert.kind(),
                            alert.title(),
                            severity,
                            alert.raisedAt().toEpochMilli(),
                            alert.project(),
                            alert.subject(),
                            alert.message(),
                            alert.messageId());
        }

        @Override
        public String describe() {
            return "syslog " + target;
        }
    }
}
