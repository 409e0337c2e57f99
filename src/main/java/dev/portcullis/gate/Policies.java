package dev.portcullis.gate;

import dev.portcullis.core.Origin;
import dev.portcullis.core.Refusal;
import dev.portcullis.events.Event;
import dev.portcullis.events.EventLog;
import dev.portcullis.identity.Identity;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Principal;
import dev.portcullis.identity.TrustedPublishing;
import dev.portcullis.store.Database;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Versioned per-project policies. A change is a new version, proposed by the project's owner (or
 * a global admin) with a fresh second factor; when the active policy says so, it waits for a
 * different person to confirm it. Every step is an event.
 */
public final class Policies {

    /** A stored policy version with its YAML text. */
    public record Version(
            String project,
            int version,
            String document,
            String status,
            Instant createdAt,
            String createdBy,
            String confirmedBy) {}

    private final Database database;
    private final EventLog events;
    private final Clock clock;
    private final Identity identity;
    private final TrustedPublishing trustedPublishing;
    private final dev.portcullis.net.OutboundPolicy outbound;

    public Policies(
            Database database,
            EventLog events,
            Clock clock,
            Identity identity,
            TrustedPublishing trustedPublishing,
            dev.portcullis.net.OutboundPolicy outbound) {
        this.outbound = outbound;
        this.database = database;
        this.events = events;
        this.clock = clock;
        this.identity = identity;
        this.trustedPublishing = trustedPublishing;
    }

    /** The active policy of a project, or {@link Policy#DEFAULT}. */
    public Policy active(String project) {
        return activeVersion(project)
                .map(v -> PolicyDocument.parse(v.document()))
                .orElse(Policy.DEFAULT);
    }

    public Optional<Version> activeVersion(String project) {
        return versions(project).stream()
                .filter(v -> v.status().equals("active"))
                .findFirst();
    }

    public List<Version> versions(String project) {
        return database.withHandle(h -> h.createQuery("SELECT * FROM policies WHERE project = :p ORDER BY version DESC")
                .bind("p", project)
                .map((rs, ctx) -> new Version(
                        rs.getString("project"),
                        rs.getInt("version"),
                        rs.getString("document"),
                        rs.getString("status"),
                        Instant.ofEpochMilli(rs.getLong("created_at")),
                        rs.getString("created_by"),
                        rs.getString("confirmed_by")))
                .list());
    }

    /** Proposes a new version; it is active at once unless the current policy wants a second person. */
    public Version propose(Principal by, String otp, String project, String yaml, Origin origin) {
        requireOwner(by, project, "change the policy", origin);
        Policy parsed = PolicyDocument.parse(yaml);
        for (String url : parsed.notifications().webhooks()) {
            try {
                outbound.check(java.net.URI.create(url));
            } catch (java.io.IOException | IllegalArgumentException e) {
                throw new dev.portcullis.core.Refusal.Invalid("Invalid policy: notify.webhooks: "
                        + url.replaceAll("[?#].*", "") + " cannot be used: " + e.getMessage());
            }
        }
        identity.requireSecondFactor(by, otp, "change the policy of " + project, origin);
        return store(
                project, yaml, parsed, active(project).changesNeedSecondPerson(), by.userName(), by.actor(), origin);
    }

    /**
     * A drill sandbox's policy (docs/DRILLS.md), active at once: the sandbox service checked its
     * caller, and the project exists only for the drill.
     */
    public Version installForDrill(String project, String yaml, String actor, Origin origin) {
        return store(project, yaml, PolicyDocument.parse(yaml), false, actor, actor, origin);
    }

    private Version store(
            String project,
            String yaml,
            Policy parsed,
            boolean needsSecond,
            String createdBy,
            String actor,
            Origin origin) {
        Version created = database.inTransaction(h -> {
            int next = h.createQuery("SELECT COALESCE(MAX(version), 0) + 1 FROM policies WHERE project = :p")
                    .bind("p", project)
                    .mapTo(Integer.class)
                    .one();
            if (!needsSecond) {
                h.createUpdate(
                                "UPDATE policies SET status = 'superseded' WHERE project = :p AND status IN ('active', 'pending')")
                        .bind("p", project)
                        .execute();
            }
            h.createUpdate("INSERT INTO policies (project, version, document, status, created_at, created_by)"
                            + " VALUES (:p, :v, :d, :s, :t, :by)")
                    .bind("p", project)
                    .bind("v", next)
                    .bind("d", yaml)
                    .bind("s", needsSecond ? "pending" : "active")
                    .bind("t", clock.millis())
                    .bind("by", createdBy)
                    .execute();
            events.append(
                    h,
                    new Event(
                            needsSecond ? "PolicyProposed" : "PolicyChanged",
                            actor,
                            project,
                            "policy v" + next,
                            origin,
                            Map.of("version", next, "status", needsSecond ? "pending" : "active")));
            return new Version(
                    project, next, yaml, needsSecond ? "pending" : "active", clock.instant(), createdBy, null);
        });
        if (!needsSecond) {
            applyUploadRule(project, parsed, actor);
        }
        return created;
    }

    /** A second person activates a pending version. */
    public Version confirm(Principal by, String otp, String project, int version, Origin origin) {
        requireOwner(by, project, "confirm a policy change", origin);
        Version pending = versions(project).stream()
                .filter(v -> v.version() == version && v.status().equals("pending"))
                .findFirst()
                .orElseThrow(() -> new Refusal.NotFound("no pending policy v" + version + " for " + project));
        if (pending.createdBy().equals(by.userName())) {
            events.append(new Event(
                    "IdentityActionRefused",
                    by.actor(),
                    project,
                    "policy v" + version,
                    origin,
                    Map.of(
                            "action",
                            "confirm a policy change",
                            "reason",
                            "the proposer cannot confirm their own change")));
            throw new Refusal.Forbidden("a policy change must be confirmed by someone other than its proposer");
        }
        identity.requireSecondFactor(by, otp, "confirm the policy of " + project, origin);
        database.inTransaction(h -> {
            h.createUpdate("UPDATE policies SET status = 'superseded' WHERE project = :p AND status = 'active'")
                    .bind("p", project)
                    .execute();
            h.createUpdate(
                            "UPDATE policies SET status = 'active', confirmed_by = :by WHERE project = :p AND version = :v")
                    .bind("by", by.userName())
                    .bind("p", project)
                    .bind("v", version)
                    .execute();
            events.append(
                    h,
                    new Event(
                            "PolicyChanged",
                            by.actor(),
                            project,
                            "policy v" + version,
                            origin,
                            Map.of(
                                    "version",
                                    version,
                                    "proposed_by",
                                    pending.createdBy(),
                                    "confirmed_by",
                                    by.userName())));
            return null;
        });
        applyUploadRule(project, PolicyDocument.parse(pending.document()), by.actor());
        return versions(project).stream()
                .filter(v -> v.version() == version)
                .findFirst()
                .orElseThrow();
    }

    /**
     * The document with each webhook URL cut to its scheme and host: the path and query of an
     * incoming webhook are its secret (docs/POLICY.md).
     */
    public static String redacted(String document) {
        String out = document;
        for (String url : PolicyDocument.parse(document).notifications().webhooks()) {
            try {
                java.net.URI uri = java.net.URI.create(url);
                out = out.replace(
                        url,
                        uri.getScheme() + "://" + uri.getHost() + (uri.getPort() == -1 ? "" : ":" + uri.getPort())
                                + "/(redacted)");
            } catch (IllegalArgumentException e) {
                out = out.replace(url, "(redacted)");
            }
        }
        return out;
    }

    /** The policy's deny/allow for long-lived tokens is enforced at upload by trusted publishing. */
    private void applyUploadRule(String project, Policy policy, String actor) {
        trustedPublishing.applyTokenUploads(
                project,
                policy.uploads().longLivedTokens() == Policy.LongLivedTokens.DENY
                        ? TrustedPublishing.TokenUploads.DENY
                        : TrustedPublishing.TokenUploads.ALLOW,
                actor + " (policy)");
    }

    private void requireOwner(Principal by, String project, String action, Origin origin) {
        if (!by.can(Permission.ADMIN, project)) {
            events.appendCounted(
                    new Event(
                            "IdentityActionRefused",
                            by.actor(),
                            project,
                            by.userName(),
                            origin,
                            Map.of("action", action, "reason", "needs the project's owner or a global admin")),
                    by.actor());
            throw new Refusal.Forbidden("only the owner of '" + project + "' or a global admin may " + action);
        }
    }
}
