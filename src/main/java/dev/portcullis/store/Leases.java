package dev.portcullis.store;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Leases in the shared database, so that of several processes exactly one does a duty at a time:
 * a process takes a free or expired lease, or renews its own, in one conditional statement, so two
 * cannot both succeed. A process that stops hands its leases back; one that dies loses them when
 * they expire. The processes' clocks must agree to well within a lease's length (NTP).
 */
public final class Leases {

    /** Who holds a lease, and until when (epoch milliseconds). */
    public record Lease(String holder, long expiresAt) {}

    private final Database database;
    private final Clock clock;
    private final String me;

    /** @param me this process, as other processes and operators see it (host and a random part) */
    public Leases(Database database, Clock clock, String me) {
        this.database = database;
        this.clock = clock;
        this.me = me;
    }

    public String me() {
        return me;
    }

    /** Takes {@code name} if it is free or expired, or renews it if this process holds it; true when this process holds it now. */
    public boolean hold(String name, Duration length) {
        long now = clock.millis();
        long until = now + length.toMillis();
        return database.inTransaction(h -> {
            int renewedOrTaken = h.createUpdate("UPDATE leases SET holder = :me, expires_at = :until"
                            + " WHERE name = :name AND (holder = :me OR expires_at <= :now)")
                    .bind("me", me)
                    .bind("until", until)
                    .bind("name", name)
                    .bind("now", now)
                    .execute();
            if (renewedOrTaken == 1) {
                return true;
            }
            return h.createUpdate("INSERT INTO leases (name, holder, expires_at) VALUES (:name, :me, :until)"
                                    + " ON CONFLICT (name) DO NOTHING")
                            .bind("name", name)
                            .bind("me", me)
                            .bind("until", until)
                            .execute()
                    == 1;
        });
    }

    /** Gives {@code name} back if this process holds it (a stop), so another process takes it at once. */
    public void release(String name) {
        database.inTransaction(h -> h.createUpdate("DELETE FROM leases WHERE name = :name AND holder = :me")
                .bind("name", name)
                .bind("me", me)
                .execute());
    }

    public Optional<Lease> current(String name) {
        return database.withHandle(h -> h.createQuery("SELECT holder, expires_at FROM leases WHERE name = :name")
                .bind("name", name)
                .map((rs, ctx) -> new Lease(rs.getString("holder"), rs.getLong("expires_at")))
                .findOne());
    }
}
