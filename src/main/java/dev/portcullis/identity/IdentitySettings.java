package dev.portcullis.identity;

import java.time.Duration;

/**
 * Credential policy, server-wide, with safe defaults (docs/TOKENS.md). Every token expires; a
 * request beyond {@code maxTokenLifetime} is refused naming the limit.
 *
 * @param tokenIdleLimit tokens unused this long are disabled (revoked) by housekeeping
 * @param expiryWarning a {@code TokenExpiring} event is recorded this long before expiry
 * @param rotationOverlap how long a rotated token keeps working beside its successor
 * @param accountIdleLimit accounts inactive this long are disabled (NIST SP 800-53 AC-2(3))
 * @param throttleWindow the window in which failed attempts are counted
 * @param maxFailuresPerAddress failed authentications from one address before it is refused
 * @param maxFailuresPerToken failed authentications naming one token id before it is refused
 * @param maxMfaFailures failed one-time codes per user before step-up is refused
 */
public record IdentitySettings(
        Duration defaultTokenLifetime,
        Duration maxTokenLifetime,
        Duration tokenIdleLimit,
        Duration expiryWarning,
        Duration rotationOverlap,
        Duration accountIdleLimit,
        Duration throttleWindow,
        int maxFailuresPerAddress,
        int maxFailuresPerToken,
        int maxMfaFailures) {

    public static final IdentitySettings DEFAULTS = new IdentitySettings(
            Duration.ofDays(30),
            Duration.ofDays(90),
            Duration.ofDays(30),
            Duration.ofDays(7),
            Duration.ofHours(24),
            Duration.ofDays(90),
            Duration.ofMinutes(10),
            20,
            5,
            5);

    public IdentitySettings {
        if (defaultTokenLifetime.isNegative()
                || defaultTokenLifetime.isZero()
                || defaultTokenLifetime.compareTo(maxTokenLifetime) > 0) {
            throw new IllegalArgumentException("default token lifetime must be positive and <= maximum");
        }
        if (maxFailuresPerAddress < 1 || maxFailuresPerToken < 1 || maxMfaFailures < 1) {
            throw new IllegalArgumentException("failure limits must be at least 1");
        }
    }
}
