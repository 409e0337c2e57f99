package dev.portcullis.upstream;

import dev.portcullis.core.Origin;
import dev.portcullis.core.Refusal;
import dev.portcullis.events.AlertLevel;
import dev.portcullis.events.AlertSink;
import dev.portcullis.events.Event;
import dev.portcullis.events.EventLog;
import dev.portcullis.identity.Identity;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Principal;
import dev.portcullis.net.GuardedHttp;
import dev.portcullis.publish.Artifact;
import dev.portcullis.publish.Catalog;
import dev.portcullis.publish.Ecosystem;
import dev.portcullis.store.BlobStore;
import dev.portcullis.store.Database;
import dev.portcullis.store.SecretBox;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Promotion: for a project with an upstream target, every file of every release the gate releases
 * afterwards is pushed to the upstream index with its ecosystem's {@link UpstreamProtocol}, exactly
 * the approved bytes, exactly once. One {@code promotions} row per file (unique), claimed with a
 * guarded update, so several processes sharing the database upload each file once; a retry after a
 * crash mid-upload is recognised by the protocol ("already there"). The credential is sealed with
 * the secret key and opened only to upload.
 */
public final class Promoter {

    static final int MAX_ATTEMPTS = 10;
    static final dev.portcullis.core.Backoff BACKOFF =
            new dev.portcullis.core.Backoff(Duration.ofSeconds(30), Duration.ofHours(2));
    private static final String PURPOSE = "upstream-credential";

    /** A project's upstream target, without its credential. */
    public record Target(
            String project,
            String uploadUrl,
            java.time.Instant createdAt,
            String createdBy,
            java.time.Instant lastUsedAt) {}

    private final Database database;
    private final BlobStore blobs;
    private final SecretBox secrets;
    private final Identity identity;
    private final EventLog events;
    private final AlertSink alerts;
    private final GuardedHttp http;
    private final Clock clock;
    private final dev.portcullis.publish.Ecosystems ecosystems;
    private final Catalog catalog;
    private final Map<String, UpstreamProtocol> protocols = new java.util.LinkedHashMap<>();

    public Promoter(
            Database database,
            BlobStore blobs,
            SecretBox secrets,
            Identity identity,
            EventLog events,
            AlertSink alerts,
            GuardedHttp http,
            Clock clock,
            Catalog catalog,
            List<UpstreamProtocol> protocols) {
        this.catalog = catalog;
        this.ecosystems = catalog.ecosystems();
        protocols.forEach(p -> this.protocols.put(p.ecosystem(), p));
        this.database = database;
        this.blobs = blobs;
        this.secrets = secrets;
        this.identity = identity;
        this.events = events;
        this.alerts = alerts;
        this.http = http;
        this.clock = clock;
    }

    /**
     * Sets where a project's approved releases go, and with which credential: a global admin only
     * (the server will send released files and the credential there), with a fresh second factor,
     * to a URL the outbound policy permits.
     */
    public Target set(
            Principal principal, String otp, String projectName, String uploadUrl, String credential, Origin origin) {
        dev.portcullis.publish.Ecosystems.ProjectRef ref = ecosystems.project(projectName);
        String project = ref.key();
        if (!principal.canEverywhere(Permission.ADMIN)) {
            throw new Refusal.Forbidden(
                    "only a global admin sets where a project is promoted (the server sends its files and the credential there)");
        }
        UpstreamProtocol protocol = protocols.get(ref.ecosystem().id());
        if (protocol == null) {
            throw new Refusal.Invalid(
                    "this server cannot promote " + ref.ecosystem().id() + " projects");
        }
        String url = uploadUrl == null || uploadUrl.isBlank() ? protocol.defaultUploadUrl() : uploadUrl;
        URI uri;
        try {
            uri = URI.create(url);
            http.policy().check(uri);
        } catch (IllegalArgumentException | IOException e) {
            throw new Refusal.Invalid("the upload URL cannot be used: " + e.getMessage());
        }
        if (credential == null || credential.isBlank()) {
            throw new Refusal.Invalid("an upstream needs a credential");
        }
        identity.requireSecondFactor(principal, otp, "promote " + project + " to " + uri.getHost(), origin);
        long now = clock.millis();
        String sealed = secrets.seal(credential.strip().getBytes(StandardCharsets.UTF_8), PURPOSE);
        database.inTransaction(h -> {
            h.createUpdate("DELETE FROM upstream_targets WHERE project = :p")
                    .bind("p", project)
                    .execute();
            h.createUpdate(
                            "INSERT INTO upstream_targets (project, upload_url, credential, created_at, created_by) VALUES (:p, :u, :c, :t, :by)")
                    .bind("p", project)
                    .bind("u", url)
                    .bind("c", sealed)
                    .bind("t", now)
                    .bind("by", principal.userName())
                    .execute();
            events.append(
                    h,
                    new Event(
                            "UpstreamTargetSet",
                            principal.actor(),
                            project,
                            uri.getHost(),
                            origin,
                            Map.of("upload_url", url)));
            return null;
        });
        return target(project).orElseThrow();
    }

    public Optional<Target> target(String project) {
        return targets().stream().filter(t -> t.project().equals(project)).findFirst();
    }

    /** Every target, with its credential's age and last use (for the token audit). */
    public List<Target> targets() {
        return database.withHandle(h -> h.createQuery("SELECT * FROM upstream_targets ORDER BY project")
                .map((rs, ctx) -> new Target(
                        rs.getString("project"),
                        rs.getString("upload_url"),
                        java.time.Instant.ofEpochMilli(rs.getLong("created_at")),
                        rs.getString("created_by"),
                        rs.getObject("last_used_at") == null
                                ? null
                                : java.time.Instant.ofEpochMilli(rs.getLong("last_used_at"))))
                .list());
    }

    /**
     * Queues the files of releases released since each target was set, then uploads every due one;
     * returns how many uploads were attempted.
     */
    public int promoteDue() {
        long now = clock.millis();
        boolean anyTarget = database.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM upstream_targets")
                        .mapTo(Long.class)
                        .one())
                > 0;
        if (!anyTarget) {
            return 0; // no write transaction every second for nothing
        }
        for (Target target : targets()) {
            queue(target, now);
        }
        List<Map<String, Object>> due = database.withHandle(
                h -> h.createQuery("SELECT id, file_id, project, attempts, next_attempt_at FROM promotions"
                                + " WHERE state = 'pending' AND next_attempt_at <= :now ORDER BY id LIMIT 20")
                        .bind("now", now)
                        .mapToMap()
                        .list());
        int attempted = 0;
        for (Map<String, Object> row : due) {
            long id = ((Number) row.get("id")).longValue();
            int claimed = database.inTransaction(h -> h.createUpdate(
                            "UPDATE promotions SET next_attempt_at = :lease WHERE id = :id AND state = 'pending' AND next_attempt_at = :seen")
                    .bind("lease", now + Duration.ofMinutes(10).toMillis())
                    .bind("id", id)
                    .bind("seen", ((Number) row.get("next_attempt_at")).longValue())
                    .execute());
            if (claimed == 1) {
                attempted++;
                promote(row);
            }
        }
        return attempted;
    }

    /** Queues every file of the target project's releases released since the target was set, each once. */
    private void queue(Target target, long now) {
        List<Artifact> released = catalog.releasedArtifacts(target.project()).stream()
                .filter(a -> a.releasedAt() != null && !a.releasedAt().isBefore(target.createdAt()))
                .toList();
        if (released.isEmpty()) {
            return;
        }
        java.util.Set<Long> queued = java.util.Set.copyOf(database.withHandle(
                h -> h.createQuery("SELECT file_id FROM promotions WHERE file_id IN (<ids>)")
                        .bindList("ids", released.stream().map(Artifact::id).toList())
                        .mapTo(Long.class)
                        .list()));
        List<Artifact> fresh =
                released.stream().filter(a -> !queued.contains(a.id())).toList();
        if (fresh.isEmpty()) {
            return; // no write transaction every second for nothing
        }
        database.inTransaction(h -> {
            for (Artifact a : fresh) {
                h.createUpdate(
                                "INSERT INTO promotions (file_id, project, state, attempts, next_attempt_at) VALUES (:f, :p, 'pending', 0, :now)"
                                        + " ON CONFLICT (file_id) DO NOTHING")
                        .bind("f", a.id())
                        .bind("p", target.project())
                        .bind("now", now)
                        .execute();
            }
            return null;
        });
    }

    /**
     * After a file was pushed and recorded: when every released file of its release is now pushed,
     * the protocol ends the release ({@link UpstreamProtocol#finish}). The check follows this file's
     * own record, so of two files finishing at once the later one always sees both. Null when done
     * (or not yet due); otherwise why it failed.
     */
    private String finishIfComplete(
            UpstreamProtocol protocol, String uploadUrl, String token, String project, Artifact file) {
        List<Long> ids = catalog.releasedArtifacts(project).stream()
                .filter(a -> a.version().equals(file.version()))
                .map(Artifact::id)
                .toList();
        long pushed = ids.isEmpty()
                ? 0
                : database.withHandle(h -> h.createQuery(
                                "SELECT COUNT(*) FROM promotions WHERE state = 'uploaded' AND file_id IN (<ids>)")
                        .bindList("ids", ids)
                        .mapTo(Long.class)
                        .one());
        if (pushed < ids.size() || ids.isEmpty()) {
            return null;
        }
        try {
            UpstreamProtocol.Pushed finished =
                    protocol.finish(http, uploadUrl, token, ecosystems.nameOf(project), file.version());
            return finished instanceof UpstreamProtocol.Refused r
                    ? "finishing the release: the upstream answered HTTP " + r.status()
                    : null;
        } catch (IOException | RuntimeException e) {
            return "finishing the release: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
    }

    private void promote(Map<String, Object> row) {
        long id = ((Number) row.get("id")).longValue();
        String project = (String) row.get("project");
        Artifact file =
                catalog.findArtifact(((Number) row.get("file_id")).longValue()).orElseThrow();
        String filename = file.filename();
        int attempt = ((Number) row.get("attempts")).intValue() + 1;
        Map<String, Object> target = database.withHandle(
                h -> h.createQuery("SELECT upload_url, credential FROM upstream_targets WHERE project = :p")
                        .bind("p", project)
                        .mapToMap()
                        .findOne()
                        .orElse(null));
        String error;
        try {
            if (target == null) {
                throw new IllegalStateException("the project no longer has an upstream target");
            }
            Path blob = blobs.find(file.sha256())
                    .orElseThrow(() -> new IllegalStateException("the approved bytes are missing"));
            Ecosystem ecosystem = ecosystems.ofKey(project);
            UpstreamProtocol protocol = protocols.get(ecosystem.id());
            if (protocol == null) {
                throw new IllegalStateException("this server cannot promote " + ecosystem.id() + " projects");
            }
            String token = new String(secrets.open((String) target.get("credential"), PURPOSE), StandardCharsets.UTF_8);
            UpstreamProtocol.Approved approved = new UpstreamProtocol.Approved(
                    file.id(), ecosystems.nameOf(project), file.version(), filename, file.kind(), file.sha256());
            UpstreamProtocol.Pushed pushed =
                    protocol.push(http, (String) target.get("upload_url"), token, approved, blob);
            boolean alreadyThere = pushed instanceof UpstreamProtocol.AlreadyThere;
            if (!(pushed instanceof UpstreamProtocol.Refused)) {
                long now = clock.millis();
                database.inTransaction(h -> {
                    h.createUpdate(
                                    "UPDATE promotions SET state = 'uploaded', attempts = :n, uploaded_at = :t, last_error = NULL WHERE id = :id")
                            .bind("n", attempt)
                            .bind("t", now)
                            .bind("id", id)
                            .execute();
                    h.createUpdate("UPDATE upstream_targets SET last_used_at = :t WHERE project = :p")
                            .bind("t", now)
                            .bind("p", project)
                            .execute();
                    events.append(
                            h,
                            new Event(
                                    "ReleasePromoted",
                                    "promoter",
                                    project,
                                    filename,
                                    Origin.LOCAL,
                                    Map.of(
                                            "version",
                                            file.version(),
                                            "sha256",
                                            file.sha256(),
                                            "to",
                                            URI.create((String) target.get("upload_url"))
                                                    .getHost(),
                                            "attempts",
                                            attempt,
                                            "already_there",
                                            alreadyThere)));
                    return null;
                });
                String unfinished = finishIfComplete(protocol, (String) target.get("upload_url"), token, project, file);
                if (unfinished == null) {
                    return;
                }
                error = unfinished; // this file's promotion is retried: a re-push is "already there", then the finish
            } else {
                // The status only: what the other server says is never copied into errors or alerts.
                error = "the upstream answered HTTP " + ((UpstreamProtocol.Refused) pushed).status();
            }
        } catch (java.io.InterruptedIOException e) {
            // Shutting down mid-upload: hand the promotion back (a repeat is recognised as "already there").
            database.inTransaction(h -> h.createUpdate(
                            "UPDATE promotions SET next_attempt_at = :now WHERE id = :id AND state = 'pending'")
                    .bind("now", clock.millis())
                    .bind("id", id)
                    .execute());
            Thread.currentThread().interrupt();
            return;
        } catch (IOException | RuntimeException e) {
            error = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
        boolean last = attempt >= MAX_ATTEMPTS;
        String reason = error.length() > 900 ? error.substring(0, 900) : error;
        long next = clock.millis() + BACKOFF.after(attempt).toMillis();
        database.inTransaction(h -> h.createUpdate(
                        "UPDATE promotions SET state = :s, attempts = :n, next_attempt_at = :next, last_error = :e WHERE id = :id")
                .bind("s", last ? "failed" : "pending")
                .bind("n", attempt)
                .bind("next", next)
                .bind("e", reason)
                .bind("id", id)
                .execute());
        if (last) {
            alerts.raise(new AlertSink.Alert(
                    "PromotionFailed",
                    AlertLevel.HIGH,
                    project,
                    filename,
                    "promoting " + filename + " upstream failed",
                    attempt + " attempts failed; the last: " + reason,
                    Map.of("filename", filename),
                    List.of(),
                    List.of()));
        }
    }
}
