package dev.portcullis.watch;

import java.util.Map;
import java.util.Objects;

/**
 * One recorded fact. {@code kind} is a past-tense name ({@code UploadStaged}, {@code
 * ReleaseApproved}); {@code details} must never contain a secret.
 */
public record Event(
    String kind,
    String actor,
    String project,
    String subject,
    Origin origin,
    Map<String, Object> details) {

  public Event {
    Objects.requireNonNull(kind, "kind");
    origin = origin == null ? Origin.LOCAL : origin;
    details = details == null ? Map.of() : details;
  }
}
