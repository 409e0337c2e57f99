package dev.portcullis.publish;

import java.util.Locale;

/**
 * Where a release stands. Every upload creates or joins a {@code HELD} release; only the gate moves
 * it on: to {@code RELEASED} (installable), {@code REJECTED}, {@code QUARANTINED} or {@code EXPIRED}. A decided release takes no
 * new files: what was approved is exactly what is served.
 */
public enum ReleaseState {
    HELD,
    RELEASED,
    REJECTED,
    /** Hidden from installers, files kept for forensics; leaving it needs several approvers. */
    QUARANTINED,
    /** Held too long without enough approvals; its file names stay used. */
    EXPIRED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a wire name; the error lists every accepted one. */
    public static ReleaseState parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new dev.portcullis.core.Refusal.Invalid(
                    "'" + name + "' is not a release state; use one of " + wireNames());
        }
    }

    /** Every state's wire name: {@code held, released, rejected, quarantined, expired}. */
    public static String wireNames() {
        return String.join(
                ", ",
                java.util.Arrays.stream(values()).map(ReleaseState::wireName).toList());
    }
}
