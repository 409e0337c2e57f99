package dev.portcullis.watch;

import java.time.Instant;

/** An event as stored, with its sequence number and time. */
public record RecordedEvent(
    long id,
    Instant occurredAt,
    String kind,
    String actor,
    String project,
    String subject,
    String sourceIp,
    String userAgent,
    String details) {}
