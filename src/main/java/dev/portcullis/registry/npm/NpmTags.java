package dev.portcullis.registry.npm;

import dev.portcullis.core.Origin;
import dev.portcullis.core.Refusal;
import dev.portcullis.events.Event;
import dev.portcullis.events.EventLog;
import dev.portcullis.gate.ReleaseGate;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Principal;
import dev.portcullis.store.Database;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;

/**
 * dist-tags moved after publishing ({@code npm dist-tag add|rm}), owned by registry/npm. Moving
 * {@code latest} moves what every {@code npm install} gets without publishing anything, so a move
 * is a decision like a release: it is recorded as a request and applies once as many people as the
 * project's policy requires have approved it, each an approver under the policy with a fresh second
 * factor — by running the same command with {@code --otp}. A token without the approve permission
 * (a CI's) only requests. A tag only ever names a released version.
 */
final class NpmTags {

    private static final Pattern TAG = Pattern.compile("[A-Za-z][A-Za-z0-9._-]{0,99}");

    /** How a move ended: applied, or waiting for more approvals. */
    sealed interface Result {}

    record Moved(String tag, String version) implements Result {}

    record Waiting(int approvals, int required) implements Result {}

    /** The token may approve: the second factor is asked for before anything is recorded. */
    record NeedsSecondFactor() implements Result {}

    private final Database database;
    private final EventLog events;
    private final ReleaseGate gate;
    private final Clock clock;

    NpmTags(Database database, EventLog events, ReleaseGate gate, Clock clock) {
        this.database = database;
        this.events = events;
        this.gate = gate;
        this.clock = clock;
    }

    /** The tags moved after publishing: tag to version, a null version for a removed tag. */
    Map<String, String> overrides(String project) {
        Map<String, String> out = new HashMap<>();
        database.withHandle(h -> h.createQuery("SELECT tag, version FROM npm_dist_tags WHERE project = :p")
                .bind("p", project)
                .map((rs, ctx) -> {
                    out.put(rs.getString("tag"), rs.getString("version"));
                    return null;
                })
                .list());
        return out;
    }

    static void checkTag(String tag) {
        if (tag == null || !TAG.matcher(tag).matches()) {
            throw new Refusal.Invalid(
                    "'" + tag + "' is not a dist-tag: a letter, then letters, digits, '.', '_' or '-'");
        }
    }

    /**
     * Asks to point {@code tag} of project {@code key} ({@code name} on npm) at {@code version}
     * (null: remove it). Without {@code otp}, a token that may approve is asked for the second factor
     * first; one that may only upload records a request.
     */
    Result change(Principal principal, String otp, String key, String name, String tag, String version, Origin origin) {
        checkTag(tag);
        if (version == null && tag.equals("latest")) {
            throw new Refusal.Invalid("the latest tag cannot be removed; point it at another released version");
        }
        String action = version == null
                ? "remove the dist-tag " + tag + " of " + name
                : "point the dist-tag " + tag + " of " + name + " at " + version;
        int required;
        boolean approving = otp != null && !otp.isBlank();
        if (approving) {
            required = gate.requireApprover(principal, otp, key, action, origin);
        } else if (principal.can(Permission.APPROVE, key)) {
            return new NeedsSecondFactor();
        } else if (principal.can(Permission.UPLOAD, key)) {
            required = gate.policies().active(key).approval().required();
        } else {
            throw new Refusal.Forbidden("this token may not move the dist-tags of " + name);
        }
        return database.inTransaction(h -> {
            long request = pending(h, key, tag, version, principal, origin);
            if (!approving) {
                return new Waiting(approvals(h, request).size(), required);
            }
            h.createUpdate("INSERT INTO npm_tag_approvals (request_id, user_name, approved_at) VALUES (:r, :u, :t)"
                            + " ON CONFLICT (request_id, user_name) DO NOTHING")
                    .bind("r", request)
                    .bind("u", principal.userName())
                    .bind("t", clock.millis())
                    .execute();
            List<String> approvers = approvals(h, request);
            if (approvers.size() < required) {
                events.append(
                        h,
                        new Event(
                                "DistTagApprovalRecorded",
                                principal.actor(),
                                key,
                                tag,
                                origin,
                                details(version, approvers, required)));
                return new Waiting(approvers.size(), required);
            }
            h.createUpdate("UPDATE npm_tag_requests SET state = 'applied', decided_at = :t WHERE id = :r")
                    .bind("t", clock.millis())
                    .bind("r", request)
                    .execute();
            int updated = h.createUpdate(
                            "UPDATE npm_dist_tags SET version = :v, set_at = :t, set_by = :by WHERE project = :p AND tag = :g")
                    .bind("v", version)
                    .bind("t", clock.millis())
                    .bind("by", String.join(", ", approvers))
                    .bind("p", key)
                    .bind("g", tag)
                    .execute();
            if (updated == 0) {
                h.createUpdate(
                                "INSERT INTO npm_dist_tags (project, tag, version, set_at, set_by) VALUES (:p, :g, :v, :t, :by)")
                        .bind("p", key)
                        .bind("g", tag)
                        .bind("v", version)
                        .bind("t", clock.millis())
                        .bind("by", String.join(", ", approvers))
                        .execute();
            }
            events.append(
                    h,
                    new Event(
                            version == null ? "DistTagRemoved" : "DistTagMoved",
                            principal.actor(),
                            key,
                            tag,
                            origin,
                            details(version, approvers, required)));
            return new Moved(tag, version);
        });
    }

    private static Map<String, Object> details(String version, List<String> approvers, int required) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("version", version == null ? "(removed)" : version);
        details.put("approvers", approvers);
        details.put("required", required);
        return details;
    }

    /** The pending request for exactly this move (made now if there is none; older ones for the tag are superseded). */
    private long pending(Handle h, String key, String tag, String version, Principal principal, Origin origin) {
        Optional<Long> existing = h.createQuery(
                        "SELECT id FROM npm_tag_requests WHERE project = :p AND tag = :g AND state = 'pending'"
                                + " AND " + (version == null ? "version IS NULL" : "version = :v"))
                .bind("p", key)
                .bind("g", tag)
                .bindMap(version == null ? Map.of() : Map.of("v", version))
                .mapTo(Long.class)
                .findFirst();
        if (existing.isPresent()) {
            return existing.get();
        }
        h.createUpdate(
                        "UPDATE npm_tag_requests SET state = 'superseded', decided_at = :t WHERE project = :p AND tag = :g AND state = 'pending'")
                .bind("t", clock.millis())
                .bind("p", key)
                .bind("g", tag)
                .execute();
        h.createUpdate("INSERT INTO npm_tag_requests (project, tag, version, state, requested_by, requested_at)"
                        + " VALUES (:p, :g, :v, 'pending', :by, :t)")
                .bind("p", key)
                .bind("g", tag)
                .bind("v", version)
                .bind("by", principal.userName())
                .bind("t", clock.millis())
                .execute();
        events.append(
                h,
                new Event(
                        "DistTagRequested",
                        principal.actor(),
                        key,
                        tag,
                        origin,
                        Map.of("version", version == null ? "(removed)" : version)));
        return h.createQuery("SELECT id FROM npm_tag_requests WHERE project = :p AND tag = :g AND state = 'pending'")
                .bind("p", key)
                .bind("g", tag)
                .mapTo(Long.class)
                .one();
    }

    private static List<String> approvals(Handle h, long request) {
        return h.createQuery(
                        "SELECT user_name FROM npm_tag_approvals WHERE request_id = :r ORDER BY approved_at, user_name")
                .bind("r", request)
                .mapTo(String.class)
                .list();
    }
}
