package dev.portcullis.publish;

import java.time.Instant;
import org.jdbi.v3.core.Handle;

/**
 * The write side of releases after their files arrived, for the gate: state transitions, the
 * auto-release schedule and yanks. The publish feature owns {@code releases} and {@code
 * release_files}; the gate decides, and records its decision through these, inside its own
 * transaction (each takes the caller's handle).
 */
public final class Releases {

    private Releases() {}

    /** Takes the release row's lock (a no-op update), so concurrent deciders queue behind each other. */
    public static void lock(Handle h, long releaseId) {
        h.createUpdate("UPDATE releases SET state = state WHERE id = :id")
                .bind("id", releaseId)
                .execute();
    }

    /**
     * Moves release {@code releaseId} from {@code from} to {@code to} (clearing any auto-release);
     * false when it was no longer in {@code from} (someone else decided first).
     */
    public static boolean transition(
            Handle h, long releaseId, ReleaseState from, ReleaseState to, Instant at, String by, String reason) {
        return h.createUpdate(
                                "UPDATE releases SET state = :target, decided_at = :t, decided_by = :by, decision_reason = :note,"
                                        + " auto_release_at = NULL WHERE id = :id AND state = :from")
                        .bind("target", to.wireName())
                        .bind("t", at.toEpochMilli())
                        .bind("by", by)
                        .bind("note", reason)
                        .bind("id", releaseId)
                        .bind("from", from.wireName())
                        .execute()
                == 1;
    }

    /** When a held release is to be released by policy once its settle time passed; null: not scheduled. */
    public static void scheduleAutoRelease(Handle h, long releaseId, Instant at) {
        h.createUpdate("UPDATE releases SET auto_release_at = :at WHERE id = :id")
                .bind("at", at == null ? null : at.toEpochMilli())
                .bind("id", releaseId)
                .execute();
    }

    /** Marks every file of the release yanked (PEP 592); returns how many were not yanked before. */
    public static int yank(Handle h, long releaseId, Instant at, String reason) {
        return h.createUpdate(
                        "UPDATE release_files SET yanked_at = :t, yanked_reason = :why WHERE release_id = :id AND yanked_at IS NULL")
                .bind("t", at.toEpochMilli())
                .bind("why", reason)
                .bind("id", releaseId)
                .execute();
    }
}
