package dev.portcullis.publish;

import dev.portcullis.store.Database;
import dev.portcullis.store.StagedBlob;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * Publish's door for drill sandboxes (docs/DRILLS.md): a project's released history written as a
 * fixture — releases that are released already, with their files, inspections and verified
 * provenance, in one transaction (the files' blobs must already be committed) — and the sandboxes'
 * listing and closing. Only the publish feature writes projects, releases and files; this is how
 * history that did not come through the pipeline gets there.
 */
public final class History {

    /** One released file of the history, with its inspection and the provenance the history claims for it. */
    public record Released(
            String version,
            String filename,
            String kind,
            StagedBlob blob,
            ContentInspection.Inspected inspected,
            Instant at,
            String tokenId,
            String ip,
            String agent,
            String publisherJson,
            AttestationCheck.Checked provenance) {}

    private final Database database;
    private final Clock clock;
    private final ContentInspection inspection;
    private final AttestationCheck attestations;

    History(Database database, Clock clock, ContentInspection inspection, AttestationCheck attestations) {
        this.database = database;
        this.clock = clock;
        this.inspection = inspection;
        this.attestations = attestations;
    }

    /** An open sandbox: its key, scenario and when it was opened. */
    public record Sandbox(String project, String scenario, Instant openedAt) {}

    /** Sandboxes not closed yet, oldest first. */
    public List<Sandbox> openSandboxes() {
        return database.withHandle(h -> h.createQuery("SELECT name, drill_scenario, created_at FROM projects"
                        + " WHERE drill_scenario IS NOT NULL AND drill_closed_at IS NULL ORDER BY created_at")
                .map((rs, ctx) -> new Sandbox(
                        rs.getString("name"),
                        rs.getString("drill_scenario"),
                        Instant.ofEpochMilli(rs.getLong("created_at"))))
                .list());
    }

    /**
     * Inside the caller's transaction: closes sandbox {@code key} (its held releases rejected, it
     * serves nothing any more) and returns the digests of its files no open project shares, whose
     * blobs may go once the transaction committed. Idempotent.
     */
    public List<String> closeSandbox(Handle h, String key, Instant at, String actor) {
        h.createUpdate("UPDATE projects SET drill_closed_at = :t WHERE name = :p AND drill_closed_at IS NULL")
                .bind("t", at.toEpochMilli())
                .bind("p", key)
                .execute();
        h.createUpdate(
                        "UPDATE releases SET state = 'rejected', decided_at = :t, decided_by = :by, decision_reason = 'drill closed'"
                                + " WHERE state = 'held' AND project_id = (SELECT id FROM projects WHERE name = :p)")
                .bind("t", at.toEpochMilli())
                .bind("by", actor)
                .bind("p", key)
                .execute();
        return h.createQuery("SELECT DISTINCT f.sha256 FROM release_files f JOIN projects p ON p.id = f.project_id"
                        + " WHERE p.name = :p AND NOT EXISTS (SELECT 1 FROM release_files o JOIN projects q ON q.id = o.project_id"
                        + " WHERE o.sha256 = f.sha256 AND q.drill_closed_at IS NULL)")
                .bind("p", key)
                .mapTo(String.class)
                .list();
    }

    /** Creates {@code key} (a drill project, marked with {@code scenario}) with {@code files} released. */
    public void seed(String ecosystem, String key, String scenario, List<Released> files) {
        database.inTransaction(h -> {
            h.createUpdate(
                            "INSERT INTO projects (ecosystem, name, display_name, created_at, drill_scenario) VALUES (:e, :n, :n, :t, :s)")
                    .bind("e", ecosystem)
                    .bind("n", key)
                    .bind("t", clock.millis())
                    .bind("s", scenario)
                    .execute();
            long projectId = h.createQuery("SELECT id FROM projects WHERE name = :n")
                    .bind("n", key)
                    .mapTo(Long.class)
                    .one();
            for (Released file : files) {
                insert(h, projectId, file);
            }
            return null;
        });
    }

    private void insert(Handle h, long projectId, Released s) {
        long at = s.at().toEpochMilli();
        h.createUpdate(
                        "INSERT INTO releases (project_id, version, canonical_version, state, created_at, decided_at, decided_by, decision_reason)"
                                + " VALUES (:p, :v, :v, 'released', :t, :t, 'drill history', 'seeded history of a drill sandbox')")
                .bind("p", projectId)
                .bind("v", s.version())
                .bind("t", at)
                .execute();
        long releaseId = h.createQuery("SELECT id FROM releases WHERE project_id = :p AND canonical_version = :v")
                .bind("p", projectId)
                .bind("v", s.version())
                .mapTo(Long.class)
                .one();
        h.createUpdate(
                        "INSERT INTO release_files (release_id, project_id, filename, kind, size, sha256, uploaded_at, uploaded_by, uploader_token,"
                                + " uploader_ip, uploader_agent, publisher_identity, provenance, provenance_reason)"
                                + " VALUES (:r, :p, :f, :kind, :size, :sha, :t, 'trusted-publisher', :token, :ip, :agent, :publisher, :provenance, :reason)")
                .bind("r", releaseId)
                .bind("p", projectId)
                .bind("f", s.filename())
                .bind("kind", s.kind())
                .bind("size", s.blob().size())
                .bind("sha", s.blob().digests().sha256())
                .bind("t", at)
                .bind("token", s.tokenId())
                .bind("ip", s.ip())
                .bind("agent", s.agent())
                .bind("publisher", s.publisherJson())
                .bind(
                        "provenance",
                        s.provenance() == null ? null : s.provenance().verified() ? "verified" : "unverified")
                .bind("reason", s.provenance() == null ? null : s.provenance().reason())
                .execute();
        long fileId = h.createQuery("SELECT id FROM release_files WHERE project_id = :p AND filename = :f")
                .bind("p", projectId)
                .bind("f", s.filename())
                .mapTo(Long.class)
                .one();
        if (s.inspected() != null) {
            inspection.record(h, fileId, s.inspected());
        }
        if (s.provenance() != null) {
            attestations.record(h, fileId, "[]", s.provenance());
        }
    }
}
