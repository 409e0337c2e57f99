package dev.portcullis.events;

import dev.portcullis.core.Origin;
import dev.portcullis.core.Printable;
import java.util.Map;
import java.util.Objects;

/**
 * One recorded fact. {@code kind} is a past-tense name ({@code UploadStaged}, {@code
 * ReleaseApproved}); {@code details} must never contain a secret. Text fields come from requests
 * and are made printable and cut to their column's size here; details are stored as JSON, which
 * escapes control characters itself.
 */
public record Event(
        String kind, String actor, String project, String subject, Origin origin, Map<String, Object> details) {

    public Event {
        Objects.requireNonNull(kind, "kind");
        actor = Printable.of(actor, 200);
        project = Printable.of(project, 200);
        subject = Printable.of(subject, 300);
        origin = origin == null ? Origin.LOCAL : origin;
        details = details == null ? Map.of() : details;
    }
}
