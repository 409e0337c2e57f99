package dev.portcullis.gate.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.gate.ReleaseNotifier;
import dev.portcullis.watch.Event;
import dev.portcullis.watch.EventLog;
import dev.portcullis.watch.Origin;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers release notices by e-mail (SMTP) and webhook (HTTP POST of JSON), each on its own
 * virtual thread, with three attempts and growing pauses. Each delivery and each final failure is
 * an event. (A persistent outbox with signed webhooks is the watch feature's next step.)
 */
public final class DeliveringNotifier implements ReleaseNotifier {

  /** SMTP settings; {@code host} null means no e-mail. */
  public record Smtp(String host, int port, String from, String user, String password) {
    @Override
    public String toString() {
      return "Smtp[" + host + ":" + port + " from " + from + (user == null ? "" : " as " + user) + "]";
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(DeliveringNotifier.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int ATTEMPTS = 3;

  private final Smtp smtp;
  private final EventLog events;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
  private final Duration pause;

  public DeliveringNotifier(Smtp smtp, EventLog events, Duration pause) {
    this.smtp = smtp;
    this.events = events;
    this.pause = pause;
  }

  @Override
  public void notify(Notice notice) {
    for (String address : notice.recipients().email()) {
      workers.submit(() -> deliver(notice, "email", address, () -> email(notice, address)));
    }
    for (String url : notice.recipients().webhooks()) {
      workers.submit(() -> deliver(notice, "webhook", url, () -> webhook(notice, url)));
    }
  }

  private interface Attempt {
    void run() throws Exception;
  }

  private void deliver(Notice notice, String channel, String target, Attempt attempt) {
    Exception last = null;
    for (int i = 1; i <= ATTEMPTS; i++) {
      try {
        attempt.run();
        events.append(new Event("NotificationSent", "gate", notice.project(), notice.version(), Origin.LOCAL,
            Map.of("channel", channel, "to", target, "outcome", notice.outcome().name().toLowerCase())));
        return;
      } catch (Exception e) {
        last = e;
        try {
          Thread.sleep(pause.multipliedBy(i));
        } catch (InterruptedException stop) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    LOG.warn("could not notify {} about {} {}: {}", target, notice.project(), notice.version(), String.valueOf(last));
    events.append(new Event("NotificationFailed", "gate", notice.project(), notice.version(), Origin.LOCAL,
        Map.of("channel", channel, "to", target, "error", String.valueOf(last))));
  }

  private void email(Notice notice, String address) throws Exception {
    if (smtp == null || smtp.host() == null) {
      throw new IllegalStateException("no SMTP server is configured (serve --smtp-host)");
    }
    Properties properties = new Properties();
    properties.put("mail.smtp.host", smtp.host());
    properties.put("mail.smtp.port", String.valueOf(smtp.port()));
    properties.put("mail.smtp.connectiontimeout", "10000");
    properties.put("mail.smtp.timeout", "10000");
    Session session = Session.getInstance(properties);
    MimeMessage message = new MimeMessage(session);
    message.setFrom(new InternetAddress(smtp.from()));
    message.setRecipient(Message.RecipientType.TO, new InternetAddress(address));
    message.setSubject("[Portcullis] " + notice.project() + " " + notice.version() + " " + verb(notice), "UTF-8");
    message.setText(text(notice), "UTF-8");
    if (smtp.user() != null) {
      Transport.send(message, smtp.user(), smtp.password());
    } else {
      Transport.send(message);
    }
  }

  private void webhook(Notice notice, String url) throws Exception {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", "release." + notice.outcome().name().toLowerCase());
    body.put("project", notice.project());
    body.put("version", notice.version());
    body.put("reasons", notice.reasons());
    body.put("approvals_required", notice.approvalsRequired());
    HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(), HttpResponse.BodyHandlers.discarding());
    if (response.statusCode() / 100 != 2) {
      throw new IllegalStateException(url + " answered HTTP " + response.statusCode());
    }
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
    text.append(notice.project()).append(' ').append(notice.version()).append(' ').append(verb(notice)).append(".\n\nWhy:\n");
    List<String> reasons = notice.reasons();
    reasons.forEach(r -> text.append("  - ").append(r).append('\n'));
    if (notice.outcome() == dev.portcullis.gate.Outcome.HOLD) {
      text.append("\nIt needs ").append(notice.approvalsRequired()).append(" approval(s) by people other than the uploader:\n")
          .append("  portcullis release show ").append(notice.project()).append(' ').append(notice.version()).append('\n')
          .append("  portcullis release approve ").append(notice.project()).append(' ').append(notice.version()).append(" --otp CODE\n")
          .append("  portcullis release reject ").append(notice.project()).append(' ').append(notice.version())
          .append(" --reason WHY --otp CODE\n");
    }
    return text.toString();
  }
}
