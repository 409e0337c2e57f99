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
import dev.portcullis.inspect.Bytes;
import dev.portcullis.inspect.Finding;
import dev.portcullis.inspect.Inspection;
import dev.portcullis.inspect.Inspector;
import dev.portcullis.inspect.PackageFormat;
import dev.portcullis.inspect.ReleaseDiff;
import dev.portcullis.inspect.Report;
import dev.portcullis.inspect.Severity;
import dev.portcullis.publish.Artifact;
import dev.portcullis.publish.Catalog;
import dev.portcullis.publish.Ecosystem;
import dev.portcullis.store.Database;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;

/**
 * Entry point of the upstream watcher: lists each watched project's files on its index through its
 * ecosystem's {@link UpstreamProtocol} (with {@code If-None-Match}, at an interval with jitter,
 * backing off on failure) and compares every file there with the gate. For an own project, a file the gate did not release, or released with other
 * bytes, is a critical alert with the evidence. For a dependency, each new release's file is
 * fetched, inspected and diffed with the previous release; high findings alert. A watcher that
 * cannot reach its index says so (degraded, alerted once), never "all clear".
 */
public final class UpstreamWatcher {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(UpstreamWatcher.class);

    /** Failures in a row before a watch is reported degraded. */
    static final int DEGRADED_AFTER = 2;

    static final long MAX_DEPENDENCY_FILE = 256L << 20;

    /** One watch as stored. */
    public record Watch(
            long id,
            String ecosystem,
            String name,
            String indexUrl,
            String kind,
            String localProject,
            String state,
            int failures,
            Long lastOkAt,
            String lastError) {}

    private final Database database;
    private final Catalog catalog;
    private final Identity identity;
    private final EventLog events;
    private final AlertSink alerts;
    private final Inspector inspector;
    private final Map<String, UpstreamProtocol> protocols = new LinkedHashMap<>();
    private final dev.portcullis.net.GuardedHttp http;
    private final Clock clock;
    private final RandomGenerator random;
    private final Duration interval;

    public UpstreamWatcher(
            Database database,
            Catalog catalog,
            Identity identity,
            EventLog events,
            AlertSink alerts,
            Inspector inspector,
            List<UpstreamProtocol> protocols,
            dev.portcullis.net.GuardedHttp http,
            Clock clock,
            RandomGenerator random,
            Duration interval) {
        this.database = database;
        this.catalog = catalog;
        this.identity = identity;
        this.events = events;
        this.alerts = alerts;
        this.inspector = inspector;
        protocols.forEach(p -> this.protocols.put(p.ecosystem(), p));
        this.http = http;
        this.clock = clock;
        this.random = random;
        this.interval = interval;
    }

    // ------------------------------------------------------------------ managing watches

    /**
     * Watches {@code name} on {@code index}: a well-known index ({@code pypi}, {@code testpypi}, …, whose
     * ecosystem it names) or a URL of an index of {@code ecosystemId} (default: the gate's default
     * ecosystem). An own project ({@code dependency} false) is compared with the gate's project
     * {@code localProject} (default: the same name); {@code acceptExisting} records the files already
     * there without alerting.
     */
    public Watch add(
            Principal principal,
            String index,
            String ecosystemId,
            String name,
            boolean dependency,
            String localProject,
            boolean acceptExisting,
            Origin origin) {
        boolean custom = index.contains("://");
        UpstreamProtocol protocol = protocol(index, ecosystemId, custom);
        String url = custom
                ? (index.endsWith("/") ? index.substring(0, index.length() - 1) : index)
                : protocol.wellKnownIndexes().get(index.toLowerCase(java.util.Locale.ROOT));
        Ecosystem ecosystem = catalog.ecosystems().find(protocol.ecosystem()).orElseThrow();
        // The name on the index, and the gate's project it is compared with (of the same ecosystem).
        String project = ecosystem.name(name).normalized();
        String local = dependency
                ? null
                : catalog.ecosystems()
                        .project(ecosystem, localProject == null ? name : localProject)
                        .key();
        if (!principal.canEverywhere(Permission.ADMIN)
                && (custom || local == null || !principal.can(Permission.ADMIN, local))) {
            throw new Refusal.Forbidden(
                    custom
                            ? "only a global admin may name an index by URL (the server fetches from it); project owners watch"
                                    + " the well-known indexes (" + String.join(", ", wellKnown()) + ")"
                            : "watching upstream needs the admin role (or ownership of the project)");
        }
        try {
            http.policy().check(java.net.URI.create(url));
        } catch (IOException | IllegalArgumentException e) {
            throw new Refusal.Invalid("the index URL cannot be watched: " + e.getMessage());
        }
        long now = clock.millis();
        database.inTransaction(h -> {
            h.createUpdate(
                            "INSERT INTO watched_projects (ecosystem, name, index_url, kind, local_project, state, failures, next_poll_at,"
                                    + " accept_existing, created_at, created_by) VALUES (:e, :n, :u, :k, :l, 'new', 0, :t, :a, :t, :by)"
                                    + " ON CONFLICT (index_url, name) DO NOTHING")
                    .bind("e", protocol.ecosystem())
                    .bind("n", project)
                    .bind("u", url)
                    .bind("k", dependency ? "dependency" : "own")
                    .bind("l", local)
                    .bind("t", now)
                    .bind("a", acceptExisting)
                    .bind("by", principal.userName())
                    .execute();
            events.append(
                    h,
                    new Event(
                            "UpstreamWatchAdded",
                            principal.actor(),
                            local,
                            url + "/project/" + project,
                            origin,
                            Map.of(
                                    "kind",
                                    dependency ? "dependency" : "own",
                                    "accept_existing",
                                    acceptExisting,
                                    "ecosystem",
                                    protocol.ecosystem())));
            return null;
        });
        return list().stream()
                .filter(w -> w.indexUrl().equals(url) && w.name().equals(project))
                .findFirst()
                .orElseThrow();
    }

    /** The protocol of a well-known index, or of the ecosystem named for a URL. */
    private UpstreamProtocol protocol(String index, String ecosystemId, boolean custom) {
        if (custom) {
            String id = ecosystemId == null
                    ? catalog.ecosystems().defaultEcosystem().id()
                    : ecosystemId;
            UpstreamProtocol protocol = protocols.get(id);
            if (protocol == null) {
                throw new Refusal.Invalid("no upstream protocol for ecosystem '" + id + "': use one of "
                        + String.join(", ", protocols.keySet()));
            }
            return protocol;
        }
        for (UpstreamProtocol protocol : protocols.values()) {
            if (protocol.wellKnownIndexes().containsKey(index.toLowerCase(java.util.Locale.ROOT))) {
                if (ecosystemId != null && !ecosystemId.equals(protocol.ecosystem())) {
                    throw new Refusal.Invalid(
                            "the index '" + index + "' is " + protocol.ecosystem() + "'s, not " + ecosystemId + "'s");
                }
                return protocol;
            }
        }
        throw new Refusal.Invalid(
                "unknown index '" + index + "': use " + String.join(", ", wellKnown()) + ", or --index URL");
    }

    private List<String> wellKnown() {
        return protocols.values().stream()
                .flatMap(p -> p.wellKnownIndexes().keySet().stream())
                .sorted()
                .toList();
    }

    /** The gate's key for a project as a request names it. */
    public String projectKey(String reference) {
        return catalog.ecosystems().project(reference).key();
    }

    public List<Watch> list() {
        return database.withHandle(h -> h.createQuery("SELECT * FROM watched_projects ORDER BY id")
                .map((rs, ctx) -> new Watch(
                        rs.getLong("id"),
                        rs.getString("ecosystem"),
                        rs.getString("name"),
                        rs.getString("index_url"),
                        rs.getString("kind"),
                        rs.getString("local_project"),
                        rs.getString("state"),
                        rs.getInt("failures"),
                        nullableLong(rs, "last_ok_at"),
                        rs.getString("last_error")))
                .list());
    }

    private static Long nullableLong(java.sql.ResultSet rs, String column) throws java.sql.SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    /** Stops a watch. Silencing a watcher is what an attacker would do: a fresh second factor, an event and an alert. */
    public void remove(Principal principal, String otp, long id, Origin origin) {
        Watch watch = list().stream()
                .filter(w -> w.id() == id)
                .findFirst()
                .orElseThrow(() -> new Refusal.NotFound("no watch " + id));
        if (!principal.canEverywhere(Permission.ADMIN)) {
            throw new Refusal.Forbidden("removing a watch needs the admin role");
        }
        identity.requireSecondFactor(
                principal, otp, "stop watching " + watch.name() + " on " + watch.indexUrl(), origin);
        database.inTransaction(h -> {
            h.createUpdate("DELETE FROM upstream_files WHERE watch_id = :id")
                    .bind("id", id)
                    .execute();
            h.createUpdate("DELETE FROM watched_projects WHERE id = :id")
                    .bind("id", id)
                    .execute();
            events.append(
                    h,
                    new Event(
                            "UpstreamWatchRemoved",
                            principal.actor(),
                            watch.localProject(),
                            watch.indexUrl() + "/project/" + watch.name(),
                            origin,
                            Map.of()));
            return null;
        });
        alerts.raise(new AlertSink.Alert(
                "UpstreamWatchRemoved",
                AlertLevel.MEDIUM,
                watch.localProject(),
                watch.name(),
                principal.userName() + " stopped watching " + watch.name() + " on " + watch.indexUrl(),
                "Uploads of " + watch.name() + " to " + watch.indexUrl() + " are no longer compared with the gate.",
                Map.of(),
                List.of(),
                List.of()));
    }

    // ------------------------------------------------------------------ polling

    /** Polls every watch that is due; returns how many were polled. */
    public int pollDue() {
        long now = clock.millis();
        List<Map<String, Object>> due = database.withHandle(
                h -> h.createQuery("SELECT * FROM watched_projects WHERE next_poll_at <= :now ORDER BY next_poll_at")
                        .bind("now", now)
                        .mapToMap()
                        .list());
        int polled = 0;
        for (Map<String, Object> row : due) {
            long id = ((Number) row.get("id")).longValue();
            long seen = ((Number) row.get("next_poll_at")).longValue();
            int claimed = database.inTransaction(h -> h.createUpdate(
                            "UPDATE watched_projects SET next_poll_at = :lease WHERE id = :id AND next_poll_at = :seen")
                    .bind("lease", now + Duration.ofMinutes(5).toMillis())
                    .bind("id", id)
                    .bind("seen", seen)
                    .execute());
            if (claimed == 1) {
                polled++;
                try {
                    poll(row);
                } catch (RuntimeException e) {
                    // One watch's bug must not stop the others; it counts as a failure (and degrades), never as all
                    // clear.
                    LOG.error("polling {} on {} failed", row.get("name"), row.get("index_url"), e);
                    failed(
                            row,
                            ((Number) row.get("failures")).intValue() + 1,
                            (String) row.get("state"),
                            "internal error: " + e);
                }
            }
        }
        return polled;
    }

    private void poll(Map<String, Object> row) {
        long id = ((Number) row.get("id")).longValue();
        String name = (String) row.get("name");
        String url = (String) row.get("index_url");
        int failures = ((Number) row.get("failures")).intValue();
        String state = (String) row.get("state");
        UpstreamProtocol.Answer answer;
        try {
            answer = protocolOf(row).list(http, url, name, (String) row.get("etag"));
        } catch (java.io.InterruptedIOException e) {
            // Shutting down mid-poll: hand the watch back at once instead of leaving it leased.
            database.inTransaction(h -> h.createUpdate("UPDATE watched_projects SET next_poll_at = :now WHERE id = :id")
                    .bind("now", clock.millis())
                    .bind("id", id)
                    .execute());
            Thread.currentThread().interrupt();
            return;
        } catch (IOException | RuntimeException e) {
            // Our own words only (a protocol never puts the answer's content in a message).
            failed(
                    row,
                    failures + 1,
                    state,
                    e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            return;
        }
        String etag = (String) row.get("etag");
        if (answer instanceof UpstreamProtocol.Listing listing) {
            compare(row, listing.files());
            etag = listing.etag();
        }
        long now = clock.millis();
        String newEtag = etag;
        database.inTransaction(h -> {
            h.createUpdate(
                            "UPDATE watched_projects SET state = 'ok', failures = 0, last_polled_at = :t, last_ok_at = :t, last_error = NULL,"
                                    + " etag = :etag, next_poll_at = :next WHERE id = :id")
                    .bind("t", now)
                    .bind("etag", newEtag)
                    .bind("next", now + jittered(interval).toMillis())
                    .bind("id", id)
                    .execute();
            if ("degraded".equals(state)) {
                events.append(
                        h,
                        new Event(
                                "UpstreamWatchRecovered",
                                "watch",
                                (String) row.get("local_project"),
                                url + "/project/" + name,
                                Origin.LOCAL,
                                Map.of("after_failures", failures)));
            }
            return null;
        });
        if ("degraded".equals(state)) {
            alerts.raise(new AlertSink.Alert(
                    "UpstreamWatchRecovered",
                    AlertLevel.MEDIUM,
                    (String) row.get("local_project"),
                    name,
                    "the watcher reaches " + url + " again for " + name,
                    "Polling works again after " + failures + " failed attempts;"
                            + " files that appeared meanwhile were compared now.",
                    Map.of(),
                    List.of(),
                    List.of()));
        }
    }

    private void failed(Map<String, Object> row, int failures, String state, String error) {
        long id = ((Number) row.get("id")).longValue();
        long now = clock.millis();
        // Retries back off: the interval, then twice it, four times … at most an hour (or the interval, if longer).
        long backoff = new dev.portcullis.core.Backoff(
                        interval, interval.compareTo(Duration.ofHours(1)) > 0 ? interval : Duration.ofHours(1))
                .after(failures)
                .toMillis();
        boolean degrades = failures >= DEGRADED_AFTER && !"degraded".equals(state);
        String reason = error.length() > 900 ? error.substring(0, 900) : error;
        database.inTransaction(h -> h.createUpdate(
                        "UPDATE watched_projects SET failures = :f, last_polled_at = :t, last_error = :e, next_poll_at = :next,"
                                + " state = :state WHERE id = :id")
                .bind("f", failures)
                .bind("t", now)
                .bind("e", reason)
                .bind("next", now + backoff)
                .bind("state", failures >= DEGRADED_AFTER ? "degraded" : state)
                .bind("id", id)
                .execute());
        if (degrades) {
            String name = (String) row.get("name");
            String url = (String) row.get("index_url");
            Object lastOk = row.get("last_ok_at");
            alerts.raise(new AlertSink.Alert(
                    "UpstreamWatchDegraded",
                    AlertLevel.HIGH,
                    (String) row.get("local_project"),
                    name,
                    "the watcher cannot reach " + url + " for " + name + ": uploads there are not being checked",
                    failures + " polls in a row failed (" + reason + "); last successful poll: "
                            + (lastOk == null ? "never" : java.time.Instant.ofEpochMilli(((Number) lastOk).longValue()))
                            + ". This is not an all-clear.",
                    Map.of("index", url, "failures", failures, "error", reason),
                    List.of(),
                    List.of()));
        }
    }

    private Duration jittered(Duration base) {
        long millis = base.toMillis();
        return Duration.ofMillis(millis - millis / 10 + (millis > 5 ? random.nextLong(millis / 5 + 1) : 0));
    }

    // ------------------------------------------------------------------ comparing

    private void compare(Map<String, Object> row, List<UpstreamProtocol.File> files) {
        long id = ((Number) row.get("id")).longValue();
        boolean firstLook = !"ok".equals(row.get("state")) && row.get("last_ok_at") == null;
        boolean acceptExisting = Boolean.TRUE.equals(row.get("accept_existing"))
                || Long.valueOf(1).equals(row.get("accept_existing"))
                || Integer.valueOf(1).equals(row.get("accept_existing"));
        Set<String> known = database.withHandle(
                h -> Set.copyOf(h.createQuery("SELECT filename FROM upstream_files WHERE watch_id = :id")
                        .bind("id", id)
                        .mapTo(String.class)
                        .list()));
        boolean own = "own".equals(row.get("kind"));
        Map<String, Artifact> approved = own
                ? catalog.releasedArtifacts((String) row.get("local_project")).stream()
                        .collect(Collectors.toMap(Artifact::filename, a -> a, (a, b) -> a))
                : Map.of();
        for (UpstreamProtocol.File file : files) {
            if (known.contains(file.filename())) {
                continue;
            }
            String verdict;
            if (firstLook && acceptExisting) {
                verdict = "existing";
            } else if (own) {
                Artifact local = approved.get(file.filename());
                verdict = local == null
                        ? "unapproved"
                        : protocolOf(row).digestOf(local).equals(file.digest()) ? "approved" : "mismatch";
                if (!verdict.equals("approved")) {
                    unapproved(row, file, files, local, verdict);
                }
            } else {
                verdict = firstLook ? "seen" : inspectDependency(row, file, files);
            }
            String decided = verdict;
            database.inTransaction(h -> h.createUpdate(
                            "INSERT INTO upstream_files (watch_id, filename, version, digest, size, upload_time,"
                                    + " first_seen_at, verdict) VALUES (:w, :f, :v, :digest, :size, :at, :t, :verdict) ON CONFLICT (watch_id, filename) DO NOTHING")
                    .bind("w", id)
                    .bind("f", file.filename())
                    .bind("v", file.version())
                    .bind("digest", file.digest())
                    .bind("size", file.size())
                    .bind("at", file.uploadTime())
                    .bind("t", clock.millis())
                    .bind("verdict", decided)
                    .execute());
        }
    }

    /** The lightning path: a file upstream that the gate never approved (or approved with other bytes). */
    private void unapproved(
            Map<String, Object> row,
            UpstreamProtocol.File file,
            List<UpstreamProtocol.File> all,
            Artifact local,
            String verdict) {
        String name = (String) row.get("name");
        String url = (String) row.get("index_url");
        Optional<UpstreamProtocol.File> previous = all.stream()
                .filter(f -> !f.version().equals(file.version()) && sameKind(row, f, file))
                .max(Comparator.comparing(
                        UpstreamProtocol.File::uploadTime, Comparator.nullsFirst(Comparator.naturalOrder())));
        String size = file.size() < 0
                ? "not listed"
                : Bytes.human(file.size())
                        + previous.filter(p -> p.size() >= 0)
                                .map(p -> String.format(
                                        java.util.Locale.ROOT,
                                        " (%.1f times %s's %s)",
                                        (double) file.size() / Math.max(1, p.size()),
                                        p.version(),
                                        Bytes.human(p.size())))
                                .orElse("");
        String why = verdict.equals("mismatch")
                ? "its digest " + file.digest() + " differs from the approved file's "
                        + protocolOf(row).digestOf(local)
                : "the gate never approved it (no released file of that name in " + row.get("local_project") + ")";
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("index", url);
        details.put("filename", file.filename());
        details.put("version", file.version());
        details.put("digest", file.digest());
        details.put("size", file.size());
        details.put("upload_time", file.uploadTime());
        details.put("verdict", verdict);
        alerts.raise(new AlertSink.Alert(
                "UpstreamFileUnapproved",
                AlertLevel.CRITICAL,
                (String) row.get("local_project"),
                file.version(),
                name + " " + file.version() + " appeared on " + url + " without the gate's approval",
                file.filename() + " appeared on " + url + " at " + file.uploadTime() + ": " + why + ". Size " + size
                        + ". If nobody on the team published it, its credential is compromised: yank or delete it upstream and revoke the token.",
                details,
                List.of(),
                List.of()));
    }

    /** Fail closed: a release that could not be inspected is said so, not passed as clean. */
    private String uninspected(Map<String, Object> row, UpstreamProtocol.File file, String why) {
        alerts.raise(new AlertSink.Alert(
                "DependencyReleaseUninspected",
                AlertLevel.MEDIUM,
                null,
                file.version(),
                "the new release " + row.get("name") + " " + file.version()
                        + " of a watched dependency was not inspected",
                file.filename() + " on " + row.get("index_url") + ": " + why + ". Nobody has looked inside it.",
                Map.of("filename", file.filename()),
                List.of(),
                List.of()));
        return "uninspected";
    }

    /** The watch's ecosystem's protocol (a watch of an ecosystem no longer wired fails, and degrades: never all clear). */
    private UpstreamProtocol protocolOf(Map<String, Object> row) {
        String ecosystem = (String) row.get("ecosystem");
        UpstreamProtocol protocol = protocols.get(ecosystem);
        if (protocol == null) {
            throw new IllegalStateException("this server has no upstream protocol for ecosystem " + ecosystem);
        }
        return protocol;
    }

    /** Two files of one variant (a wheel and a wheel, not a wheel and an sdist), as the ecosystem's format says. */
    private boolean sameKind(Map<String, Object> row, UpstreamProtocol.File a, UpstreamProtocol.File b) {
        PackageFormat format = protocolOf(row).format();
        return format.variant(a.filename()).equals(format.variant(b.filename()));
    }

    /** Downloads a file (at most {@code maxBytes}) to a temporary file; the caller deletes it. Empty when not there or too large. */
    private Optional<Path> download(UpstreamProtocol.File file, long maxBytes) throws IOException {
        Path tmp = Files.createTempFile("portcullis-upstream-", ".part");
        try {
            int status = http.download(java.net.URI.create(file.url()), Map.of(), Duration.ofMinutes(5), maxBytes, tmp);
            if (status == 200) {
                return Optional.of(tmp);
            }
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            if (e.getMessage() != null && e.getMessage().contains("is larger than")) {
                return Optional.empty();
            }
            throw e;
        } catch (IllegalArgumentException e) {
            Files.deleteIfExists(tmp);
            throw new IOException("the index lists a file URL that is not a URL");
        }
        Files.deleteIfExists(tmp);
        return Optional.empty();
    }

    /** A new release of a dependency: inspect its file and diff it with the previous release's; high findings alert. */
    private String inspectDependency(
            Map<String, Object> row, UpstreamProtocol.File file, List<UpstreamProtocol.File> all) {
        Optional<UpstreamProtocol.File> previous = all.stream()
                .filter(f -> !f.version().equals(file.version()) && sameKind(row, f, file))
                .filter(f -> f.uploadTime() != null
                        && file.uploadTime() != null
                        && f.uploadTime().compareTo(file.uploadTime()) < 0)
                .max(Comparator.comparing(UpstreamProtocol.File::uploadTime));
        Path now = null;
        Path before = null;
        try {
            now = download(file, MAX_DEPENDENCY_FILE).orElse(null);
            if (now == null) {
                return uninspected(
                        row,
                        file,
                        "it could not be downloaded (or is larger than " + Bytes.human(MAX_DEPENDENCY_FILE) + ")");
            }
            PackageFormat format = protocolOf(row).format();
            Inspection inspection = inspector.inspect(now, file.filename(), format);
            ReleaseDiff diff = null;
            if (previous.isPresent()) {
                before = download(previous.get(), MAX_DEPENDENCY_FILE).orElse(null);
                if (before != null) {
                    diff = ReleaseDiff.between(
                            inspector.inspect(before, previous.get().filename(), format),
                            null,
                            inspection,
                            null,
                            format,
                            inspector.limits(),
                            clock);
                }
            }
            List<Finding> high = new Report(inspection, diff)
                    .findings().stream()
                            .filter(f -> f.severity().atLeast(Severity.HIGH))
                            .toList();
            if (!high.isEmpty()) {
                alerts.raise(new AlertSink.Alert(
                        "DependencyReleaseSuspicious",
                        AlertLevel.HIGH,
                        null,
                        file.version(),
                        "the new release " + row.get("name") + " " + file.version()
                                + " of a watched dependency looks malicious",
                        file.filename() + " on " + row.get("index_url") + ":\n"
                                + String.join(
                                        "\n",
                                        high.stream()
                                                .map(f -> "  - " + f.severity().wireName() + " " + f.rule() + ": "
                                                        + f.explain())
                                                .toList()),
                        Map.of("filename", file.filename(), "findings", high.size()),
                        List.of(),
                        List.of()));
            }
            return "inspected";
        } catch (java.io.InterruptedIOException e) {
            Thread.currentThread().interrupt();
            return "uninspected";
        } catch (IOException | RuntimeException e) {
            return uninspected(row, file, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        } finally {
            for (Path p : new Path[] {now, before}) {
                if (p != null) {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException ignored) {
                        // a temporary file; the OS cleans it eventually
                    }
                }
            }
        }
    }
}
