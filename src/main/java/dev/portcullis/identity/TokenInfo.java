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

    /** The token as the API and the audit show it (never a secret: there is none to show). */
    public java.util.Map<String, Object> asMap(Instant now) {
        TokenInfo t = this;
        java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("id", t.id());
        out.put("kind", t.kind().name().toLowerCase(java.util.Locale.ROOT));
        out.put("owner", t.owner());
        out.put("name", t.name());
        out.put("project", t.project());
        out.put("permissions", Permission.format(t.permissions()));
        out.put("status", t.status(now).name().toLowerCase(java.util.Locale.ROOT));
        out.put("created_at", t.createdAt().toString());
        out.put("expires_at", t.expiresAt().toString());
        out.put("last_used_at", t.lastUsedAt() == null ? null : t.lastUsedAt().toString());
        out.put("last_used_ip", t.lastUsedIp());
        out.put("last_used_agent", t.lastUsedAgent());
        out.put("rotated_from", t.rotatedFrom());
        out.put("revoked_at", t.revokedAt() == null ? null : t.revokedAt().toString());
        out.put("revoked_by", t.revokedBy());
        out.put("revoked_reason", t.revokedReason());
        return out;
    }
}
