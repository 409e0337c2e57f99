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
    String lastUsedIp,
    String lastUsedAgent,
    String rotatedFrom,
    Instant revokedAt,
    String revokedBy,
    String revokedReason) {

  public enum Status {
    ACTIVE,
    EXPIRED,
    REVOKED
  }

  public Status status(Instant now) {
    if (revokedAt != null) {
      return Status.REVOKED;
    }
    return now.isBefore(expiresAt) ? Status.ACTIVE : Status.EXPIRED;
  }
}
