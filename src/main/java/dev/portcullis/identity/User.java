package dev.portcullis.identity;

import java.time.Instant;
import java.util.List;

public record User(
        long id,
        String name,
        List<RoleGrant> grants,
        Instant createdAt,
        Instant lastActiveAt,
        Instant disabledAt,
        String disabledReason,
        boolean mfaEnabled) {

    public boolean disabled() {
        return disabledAt != null;
    }
}
