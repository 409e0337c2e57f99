package dev.portcullis.identity;

import java.time.Duration;

/**
 * Which active tokens a bulk revocation takes: all criteria given must hold. At least one is
 * required, so a bulk revocation never takes every token by accident.
 */
public record RevocationCriteria(Duration olderThan, Duration unusedFor, String project) {
    public RevocationCriteria {
        if (olderThan == null && unusedFor == null && project == null) {
            throw new dev.portcullis.core.Refusal.Invalid("give --older-than, --unused-for or --project");
        }
    }
}
