package dev.portcullis.watch;

/**
 * Where alarms go. The watch feature will route these to webhooks, chat and e-mail; until then
 * the server logs them at WARN.
 */
public interface AlertSink {

  /** An alarm about {@code subject}: a short title and one sentence of evidence. */
  record Alert(String kind, String subject, String message) {}

  void raise(Alert alert);

  /** Logs every alert. */
  static AlertSink logging() {
    org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(AlertSink.class);
    return alert -> log.warn("ALERT {} {}: {}", alert.kind(), alert.subject(), alert.message());
  }
}
