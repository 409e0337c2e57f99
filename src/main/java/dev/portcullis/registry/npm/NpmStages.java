package dev.portcullis.registry.npm;

import dev.portcullis.store.Database;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/** npm's stage ids for held releases ({@code npm_stages}, owned by registry/npm). */
final class NpmStages {

    private final Database database;

    NpmStages(Database database) {
        this.database = database;
    }

    /** The stage id of release {@code releaseId}, created (from {@code fresh}) on first use. */
    String idOf(long releaseId, Supplier<String> fresh, Instant at, String by) {
        Optional<String> existing = idOfRelease(releaseId);
        if (existing.isPresent()) {
            return existing.get();
        }
        String id = fresh.get();
        database.inTransaction(h -> h.createUpdate(
                        "INSERT INTO npm_stages (id, release_id, created_at, created_by) VALUES (:id, :r, :t, :by)"
                                + " ON CONFLICT (release_id) DO NOTHING")
                .bind("id", id)
                .bind("r", releaseId)
                .bind("t", at.toEpochMilli())
                .bind("by", by)
                .execute());
        return idOfRelease(releaseId).orElseThrow();
    }

    Optional<String> idOfRelease(long releaseId) {
        return database.withHandle(h -> h.createQuery("SELECT id FROM npm_stages WHERE release_id = :r")
                .bind("r", releaseId)
                .mapTo(String.class)
                .findOne());
    }

    Optional<Long> releaseOf(String id) {
        return database.withHandle(h -> h.createQuery("SELECT release_id FROM npm_stages WHERE id = :id")
                .bind("id", id)
                .mapTo(Long.class)
                .findOne());
    }
}
