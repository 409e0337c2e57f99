package dev.portcullis.identity;

import java.time.Instant;
import java.util.Set;

/** Everything known about a token except its secret, which is never stored. */
public record TokenInfo(
    String id,
    TokenFormat.Kind kind,
    String owner,
    String name,
    String project,
    Set<Permission> permissions,
    Instant createdAt,
    Instant expiresAt,
    Instant lastUsedAt,
    Instant revokedAt) {}
