package dev.portcullis.publish;

import java.time.Instant;

/** A version of a project and where it stands; {@code decidedAt} is when it left {@code HELD}. */
public record Release(
        long id,
        String project,
        String version,
        ReleaseState state,
        Instant createdAt,
        Instant decidedAt,
        String decidedBy,
        String decisionReason) {}
