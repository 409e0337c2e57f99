package dev.portcullis.publish;

import dev.portcullis.store.Database;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * The read side of projects, releases and artifacts. Installer-facing queries ({@code released*})
 * return only files of released releases; nothing held or rejected can leak through them, and
 * nothing of a closed drill sandbox (docs/DRILLS.md).
 */
public final class Catalog {

    private static final String RELEASE_SELECT =
            "SELECT r.*, p.name AS project_name FROM releases r JOIN projects p ON p.id = r.project_id";

    private static final String ARTIFACT_SELECT =
            "SELECT f.*, r.version, r.state, r.decided_at, r.decision_reason, p.name AS project_name FROM release_files f"
                    + " JOIN releases r ON r.id = f.release_id JOIN projects p ON p.id = f.project_id";

    private final Database database;
    private final Ecosystems ecosystems;

    public Catalog(Database database, Ecosystems ecosystems) {
        this.database = database;
        this.ecosystems = ecosystems;
    }

    public Ecosystems ecosystems() {
        return ecosystems;
    }

    public Optional<Project> findProject(String normalizedName) {
        return database.withHandle(h -> findProject(h, normalizedName));
    }

    /** The projects of {@code ecosystem} with at least one released file, by key; drill sandboxes are never listed. */
    public List<Project> releasedProjects(String ecosystem) {
        return database.withHandle(h -> h.createQuery(
                        "SELECT * FROM projects p WHERE p.ecosystem = :e AND p.drill_scenario IS NULL AND EXISTS (SELECT 1 FROM releases r"
                                + " WHERE r.project_id = p.id AND r.state = 'released') ORDER BY p.name")
                .bind("e", ecosystem)
                .map((rs, ctx) -> project(rs))
                .list());
    }

    /** Released files of a project, oldest release first. */
    public List<Artifact> releasedArtifacts(String normalizedProject) {
        return database.withHandle(h -> h.createQuery(
                        ARTIFACT_SELECT
                                + " WHERE p.name = :p AND r.state = 'released' AND p.drill_closed_at IS NULL ORDER BY r.decided_at, f.id")
                .bind("p", normalizedProject)
                .map((rs, ctx) -> artifact(rs))
                .list());
    }

    public Optional<Artifact> findReleasedArtifact(String normalizedProject, String filename) {
        return database.withHandle(h -> h.createQuery(
                        ARTIFACT_SELECT
                                + " WHERE p.name = :p AND f.filename = :f AND r.state = 'released' AND p.drill_closed_at IS NULL")
                .bind("p", normalizedProject)
                .bind("f", filename)
                .map((rs, ctx) -> artifact(rs))
                .findOne());
    }

    public List<Release> releases(ReleaseState state) {
        return database.withHandle(h -> {
            var query = state == null
                    ? h.createQuery(RELEASE_SELECT + " ORDER BY r.created_at, r.id")
                    : h.createQuery(RELEASE_SELECT + " WHERE r.state = :s ORDER BY r.created_at, r.id")
                            .bind("s", state.wireName());
            return query.map((rs, ctx) -> release(rs)).list();
        });
    }

    /** The released release decided most recently before {@code release}, if any. */
    public Optional<Release> previousReleased(String normalizedProject, long releaseId) {
        return database.withHandle(h -> h.createQuery(
                        RELEASE_SELECT
                                + " WHERE p.name = :p AND r.state = 'released' AND r.id <> :id ORDER BY r.decided_at DESC, r.id DESC LIMIT 1")
                .bind("p", normalizedProject)
                .bind("id", releaseId)
                .map((rs, ctx) -> release(rs))
                .findOne());
    }

    /** Whether the file belongs to a quarantined release (kept for forensics, never served). */
    public boolean isQuarantined(String normalizedProject, String filename) {
        return database.withHandle(h -> h.createQuery(
                                ARTIFACT_SELECT + " WHERE p.name = :p AND f.filename = :f AND r.state = 'quarantined'")
                        .bind("p", normalizedProject)
                        .bind("f", filename)
                        .map((rs, ctx) -> 1)
                        .findOne())
                .isPresent();
    }

    /**
     * The release a request names (a project and a version as the client wrote them), or a
     * {@link dev.portcullis.core.Refusal.NotFound} that says so — also for names that are not names.
     */
    public Release requireRelease(String project, String version) {
        try {
            Ecosystems.ProjectRef ref = ecosystems.project(project);
            return findRelease(ref.key(), ref.ecosystem().version(version).canonical())
                    .orElseThrow(() -> new dev.portcullis.core.Refusal.NotFound(
                            "No release " + version + " of '" + project + "'."));
        } catch (dev.portcullis.core.Refusal.Invalid e) {
            throw new dev.portcullis.core.Refusal.NotFound("No release " + version + " of '" + project + "'.");
        }
    }

    public Optional<Release> findRelease(String normalizedProject, String canonicalVersion) {
        return database.withHandle(h -> findRelease(h, normalizedProject, canonicalVersion));
    }

    /** Ids of the tokens that have uploaded at least one file (for the token audit). */
    public java.util.Set<String> uploadingTokens() {
        return database.withHandle(
                h -> java.util.Set.copyOf(h.createQuery("SELECT DISTINCT uploader_token FROM release_files")
                        .mapTo(String.class)
                        .list()));
    }

    public Release getRelease(long id) {
        return database.withHandle(h -> getRelease(h, id));
    }

    /**
     * The release, read through the caller's handle: inside a transaction, never take a second
     * connection (with SQLite's small pool, waiting for one while holding the write lock deadlocks).
     */
    public static Release getRelease(Handle h, long id) {
        return h.createQuery(RELEASE_SELECT + " WHERE r.id = :id")
                .bind("id", id)
                .map((rs, ctx) -> release(rs))
                .one();
    }

    /**
     * One stored file of a project with how it arrived, for the history detectors: its release
     * (id, version, state), what it is, when, from where, with which credential.
     */
    public record Uploaded(
            long releaseId,
            String version,
            ReleaseState state,
            long fileId,
            String filename,
            String kind,
            long size,
            Instant at,
            String ip,
            String agent,
            String token,
            String user,
            boolean viaTrustedPublisher) {}

    private static final String UPLOADED = "SELECT r.id AS release_id, r.version, r.state, f.id AS file_id, f.filename,"
            + " f.kind, f.size, f.uploaded_at, f.uploader_ip, f.uploader_agent, f.uploader_token, f.uploaded_by,"
            + " f.publisher_identity FROM release_files f JOIN releases r ON r.id = f.release_id";

    /**
     * The files of project {@code key}'s released releases created after release {@code afterReleaseId},
     * releases in the order they were created (the first file's upload creates a release), each
     * release's files in the order they arrived: what a project's baseline learns from since it last
     * learned.
     */
    public List<Uploaded> releasedUploadsAfter(String key, long afterReleaseId) {
        return uploaded(
                " WHERE r.project_id = (SELECT id FROM projects WHERE name = :p) AND r.state = 'released' AND r.id > :after"
                        + " ORDER BY r.id, f.uploaded_at, f.id",
                Map.of("p", key, "after", afterReleaseId));
    }

    /** The files of release {@code releaseId}, in the order they arrived. */
    public List<Uploaded> uploadsOfRelease(long releaseId) {
        return uploaded(" WHERE r.id = :r ORDER BY f.uploaded_at, f.id", Map.of("r", releaseId));
    }

    /** The files of project {@code key}'s releases (in any state) created since {@code since}, in release order. */
    public List<Uploaded> uploadsOfReleasesCreatedSince(String key, Instant since) {
        return uploaded(
                " WHERE r.project_id = (SELECT id FROM projects WHERE name = :p) AND r.created_at >= :since"
                        + " ORDER BY r.id, f.uploaded_at, f.id",
                Map.of("p", key, "since", since.toEpochMilli()));
    }

    /**
     * How many of project {@code key}'s releases up to release {@code throughReleaseId} are released,
     * and the sum of their ids: a baseline learned from exactly those releases is still right while
     * both are unchanged (a release quarantined after its release, or released out of order, changes them).
     */
    public ReleasedSet releasedThrough(String key, long throughReleaseId) {
        return database.withHandle(h -> h.createQuery(
                        "SELECT COUNT(*) AS n, COALESCE(SUM(id), 0) AS ids FROM releases"
                                + " WHERE project_id = (SELECT id FROM projects WHERE name = :p) AND state = 'released' AND id <= :through")
                .bind("p", key)
                .bind("through", throughReleaseId)
                .map((rs, ctx) -> new ReleasedSet(rs.getLong("n"), rs.getLong("ids")))
                .one());
    }

    /** A project's released releases up to some release, as {@link #releasedThrough} counts them. */
    public record ReleasedSet(long count, long idSum) {}

    private List<Uploaded> uploaded(String where, Map<String, Object> bindings) {
        return database.withHandle(h -> h.createQuery(UPLOADED + where)
                .bindMap(bindings)
                .map((rs, ctx) -> new Uploaded(
                        rs.getLong("release_id"),
                        rs.getString("version"),
                        ReleaseState.parse(rs.getString("state")),
                        rs.getLong("file_id"),
                        rs.getString("filename"),
                        rs.getString("kind"),
                        rs.getLong("size"),
                        Instant.ofEpochMilli(rs.getLong("uploaded_at")),
                        rs.getString("uploader_ip"),
                        rs.getString("uploader_agent"),
                        rs.getString("uploader_token"),
                        rs.getString("uploaded_by"),
                        rs.getString("publisher_identity") != null))
                .list());
    }

    /**
     * The projects (keys) that API token {@code token} uploaded files to since {@code since}, each
     * once: how far one credential reached in a short time (a worm publishes everything a stolen
     * token can).
     */
    public List<String> projectsUploadedBy(String token, Instant since) {
        return database.withHandle(
                h -> h.createQuery("SELECT DISTINCT p.name FROM release_files f JOIN releases r ON r.id = f.release_id"
                                + " JOIN projects p ON p.id = r.project_id"
                                + " WHERE f.uploader_token = :t AND f.uploaded_at >= :since ORDER BY p.name")
                        .bind("t", token)
                        .bind("since", since.toEpochMilli())
                        .mapTo(String.class)
                        .list());
    }

    /** What publishing reports on {@code /metrics}: files stored, and releases by state. */
    public List<dev.portcullis.core.Metric> metrics() {
        return database.withHandle(h -> {
            long files = h.createQuery("SELECT COUNT(*) FROM release_files")
                    .mapTo(Long.class)
                    .one();
            Map<String, Long> states = new java.util.TreeMap<>();
            h.createQuery("SELECT state, COUNT(*) AS n FROM releases GROUP BY state")
                    .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getLong(2)))
                    .forEach(e -> states.put(e.getKey(), e.getValue()));
            return List.of(
                    dev.portcullis.core.Metric.counter(
                            "portcullis_uploads_total", "Files stored (staged) since the database was created.", files),
                    dev.portcullis.core.Metric.byLabel(
                            "portcullis_releases", "gauge", "Releases by state.", "state", states));
        });
    }

    // ---------------------------------------------------------------- evidence (audit/compliance)

    /**
     * One release of a real project (never a drill sandbox) as compliance assesses it: its place and
     * decision, how many files it has, how many have verified provenance, and how many of those came
     * from a trusted publisher's token; who uploaded its files.
     */
    public record ReleaseSummary(
            long id,
            String project,
            String version,
            ReleaseState state,
            Instant createdAt,
            Instant decidedAt,
            String decidedBy,
            long files,
            long filesVerified,
            long filesVerifiedFromPublisher,
            java.util.Set<String> uploaders) {}

    /** The keys of every drill sandbox, open or closed: events and approvals about them are drill data. */
    public java.util.Set<String> drillSandboxKeys() {
        return java.util.Set.copyOf(
                database.withHandle(h -> h.createQuery("SELECT name FROM projects WHERE drill_scenario IS NOT NULL")
                        .mapTo(String.class)
                        .list()));
    }

    /** The keys of every real project (drill sandboxes left out). */
    public java.util.Set<String> realProjectKeys() {
        return java.util.Set.copyOf(
                database.withHandle(h -> h.createQuery("SELECT name FROM projects WHERE drill_scenario IS NULL")
                        .mapTo(String.class)
                        .list()));
    }

    /** Real releases created or decided at {@code since} or later, oldest decision first. */
    public List<ReleaseSummary> releasesActiveSince(Instant since) {
        return summaries(
                "(r.created_at >= :since OR r.decided_at >= :since)", Map.of("since", since.toEpochMilli()), List.of());
    }

    /** The real releases among {@code ids}. */
    public List<ReleaseSummary> releaseSummaries(java.util.Collection<Long> ids) {
        return ids.isEmpty() ? List.of() : summaries("r.id IN (<ids>)", Map.of(), List.copyOf(ids));
    }

    private List<ReleaseSummary> summaries(String where, Map<String, Object> binds, List<Long> ids) {
        return database.withHandle(h -> {
            var query = h.createQuery(
                            "SELECT r.id, p.name, r.version, r.state, r.created_at, r.decided_at, r.decided_by,"
                                    + " (SELECT COUNT(*) FROM release_files f WHERE f.release_id = r.id) AS files,"
                                    + " (SELECT COUNT(*) FROM release_files f WHERE f.release_id = r.id AND f.provenance = 'verified') AS verified,"
                                    + " (SELECT COUNT(*) FROM release_files f WHERE f.release_id = r.id AND f.provenance = 'verified'"
                                    + " AND f.publisher_identity IS NOT NULL) AS from_publisher"
                                    + " FROM releases r JOIN projects p ON p.id = r.project_id WHERE p.drill_scenario IS NULL AND "
                                    + where
                                    + " ORDER BY r.decided_at, r.id")
                    .bindMap(binds);
            if (!ids.isEmpty()) {
                query.bindList("ids", ids);
            }
            List<ReleaseSummary> out = new java.util.ArrayList<>();
            for (Map<String, Object> r : query.mapToMap().list()) {
                long id = ((Number) r.get("id")).longValue();
                Object decided = r.get("decided_at");
                out.add(new ReleaseSummary(
                        id,
                        (String) r.get("name"),
                        (String) r.get("version"),
                        ReleaseState.parse((String) r.get("state")),
                        Instant.ofEpochMilli(((Number) r.get("created_at")).longValue()),
                        decided == null ? null : Instant.ofEpochMilli(((Number) decided).longValue()),
                        (String) r.get("decided_by"),
                        ((Number) r.get("files")).longValue(),
                        ((Number) r.get("verified")).longValue(),
                        ((Number) r.get("from_publisher")).longValue(),
                        java.util.Set.copyOf(h.createQuery(
                                        "SELECT DISTINCT uploaded_by FROM release_files WHERE release_id = :r AND uploaded_by IS NOT NULL")
                                .bind("r", id)
                                .mapTo(String.class)
                                .list())));
            }
            return out;
        });
    }

    /** The ids of the files of real projects uploaded at {@code since} or later. */
    public List<Long> realFilesUploadedSince(Instant since) {
        return database.withHandle(
                h -> h.createQuery("SELECT f.id FROM release_files f JOIN projects p ON p.id = f.project_id"
                                + " WHERE p.drill_scenario IS NULL AND f.uploaded_at >= :since")
                        .bind("since", since.toEpochMilli())
                        .mapTo(Long.class)
                        .list());
    }

    /** Whether project {@code key} is a drill sandbox (docs/DRILLS.md), open or closed. */
    public boolean isDrillSandbox(String key) {
        return database.withHandle(
                h -> h.createQuery("SELECT COUNT(*) FROM projects WHERE name = :p AND drill_scenario IS NOT NULL")
                                .bind("p", key)
                                .mapTo(Long.class)
                                .one()
                        > 0);
    }

    /** Whether project {@code key} is a drill sandbox that is still open. */
    public boolean isOpenDrillSandbox(String key) {
        return database.withHandle(h -> h.createQuery(
                                "SELECT COUNT(*) FROM projects WHERE name = :p AND drill_scenario IS NOT NULL AND drill_closed_at IS NULL")
                        .bind("p", key)
                        .mapTo(Long.class)
                        .one()
                > 0);
    }

    /** The upload time of the newest file of each release in {@code state}, by release id. */
    public Map<Long, Instant> newestFileOfReleases(ReleaseState state) {
        return database.withHandle(h -> h.createQuery("SELECT f.release_id, MAX(f.uploaded_at) AS newest"
                        + " FROM release_files f JOIN releases r ON r.id = f.release_id WHERE r.state = :s"
                        + " GROUP BY f.release_id")
                .bind("s", state.wireName())
                .map((rs, ctx) -> Map.entry(rs.getLong(1), Instant.ofEpochMilli(rs.getLong(2))))
                .collectToMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    /** Held releases whose policy scheduled their release for {@code now} or before. */
    public List<Release> dueForAutoRelease(Instant now) {
        return database.withHandle(
                h -> h.createQuery(RELEASE_SELECT + " WHERE r.state = 'held' AND r.auto_release_at IS NOT NULL"
                                + " AND r.auto_release_at <= :now ORDER BY r.id")
                        .bind("now", now.toEpochMilli())
                        .map((rs, ctx) -> release(rs))
                        .list());
    }

    /** One file by its id, whatever its release's state (for the server's own work, never for installers). */
    public Optional<Artifact> findArtifact(long fileId) {
        return database.withHandle(h -> h.createQuery(ARTIFACT_SELECT + " WHERE f.id = :id")
                .bind("id", fileId)
                .map((rs, ctx) -> artifact(rs))
                .findOne());
    }

    /** Every file of a release, whatever its state (for operators, never for installers). */
    public List<Artifact> artifactsOf(long releaseId) {
        return database.withHandle(h -> artifactsOf(h, releaseId));
    }

    /** As {@link #artifactsOf(long)}, through the caller's handle (inside its transaction). */
    public static List<Artifact> artifactsOf(Handle h, long releaseId) {
        return h.createQuery(ARTIFACT_SELECT + " WHERE f.release_id = :r ORDER BY f.id")
                .bind("r", releaseId)
                .map((rs, ctx) -> artifact(rs))
                .list();
    }

    static Optional<Project> findProject(Handle h, String normalizedName) {
        return h.createQuery("SELECT * FROM projects WHERE name = :n")
                .bind("n", normalizedName)
                .map((rs, ctx) -> project(rs))
                .findOne();
    }

    static Optional<Release> findRelease(Handle h, String normalizedProject, String canonicalVersion) {
        return h.createQuery(RELEASE_SELECT + " WHERE p.name = :p AND r.canonical_version = :v")
                .bind("p", normalizedProject)
                .bind("v", canonicalVersion)
                .map((rs, ctx) -> release(rs))
                .findOne();
    }

    static Optional<Artifact> findArtifact(Handle h, long projectId, String filename) {
        return h.createQuery(ARTIFACT_SELECT + " WHERE f.project_id = :p AND f.filename = :f")
                .bind("p", projectId)
                .bind("f", filename)
                .map((rs, ctx) -> artifact(rs))
                .findOne();
    }

    private static Project project(ResultSet rs) throws SQLException {
        return new Project(
                rs.getLong("id"),
                rs.getString("ecosystem"),
                rs.getString("name"),
                rs.getString("display_name"),
                Instant.ofEpochMilli(rs.getLong("created_at")));
    }

    private static Release release(ResultSet rs) throws SQLException {
        return new Release(
                rs.getLong("id"),
                rs.getString("project_name"),
                rs.getString("version"),
                ReleaseState.parse(rs.getString("state")),
                Instant.ofEpochMilli(rs.getLong("created_at")),
                instant(rs, "decided_at"),
                rs.getString("decided_by"),
                rs.getString("decision_reason"));
    }

    private static Artifact artifact(ResultSet rs) throws SQLException {
        boolean released = ReleaseState.parse(rs.getString("state")) == ReleaseState.RELEASED;
        return new Artifact(
                rs.getLong("id"),
                rs.getString("project_name"),
                rs.getString("version"),
                rs.getString("filename"),
                rs.getString("kind"),
                rs.getLong("size"),
                rs.getString("sha256"),
                Instant.ofEpochMilli(rs.getLong("uploaded_at")),
                rs.getString("uploaded_by"),
                released ? instant(rs, "decided_at") : null,
                rs.getString("yanked_reason"),
                instant(rs, "yanked_at") != null,
                rs.getString("publisher_identity") != null,
                rs.getString("provenance"),
                rs.getString("provenance_reason"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(value);
    }
}
