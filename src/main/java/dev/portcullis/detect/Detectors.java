package dev.portcullis.detect;

import dev.portcullis.gate.Assessment;
import dev.portcullis.gate.Assessor;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.publish.Artifact;
import dev.portcullis.publish.Release;
import dev.portcullis.store.Database;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Entry point of the detect feature and the gate's assessor for it: builds the project's baseline
 * from its released releases (in upload order), the facts of the release being decided and of
 * other recent uploads, and runs every {@link Detector}. The signals combine with the others in
 * {@link Assessment#of}.
 */
public final class Detectors implements Assessor {

  private static final Duration RECENT = Duration.ofDays(1);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Database database;
  private final Clock clock;

  public Detectors(Database database, Clock clock) {
    this.database = database;
    this.clock = clock;
  }

  @Override
  public Assessment assess(Release release, List<Artifact> files) {
    Map<Long, Row> rows = history(release.project());
    Baseline baseline = new Baseline();
    ReleaseFacts current = null;
    List<ReleaseFacts> recent = new ArrayList<>();
    Instant now = clock.instant();
    for (Row row : rows.values()) {
      if (row.id == release.id()) {
        current = facts(row);
      } else if ("released".equals(row.state)) {
        baseline.add(facts(row));
      }
    }
    for (Row row : rows.values()) {
      ReleaseFacts facts = row.id == release.id() ? null : facts(row);
      if (facts != null && Duration.between(facts.firstUpload(), now).compareTo(RECENT) < 0) {
        recent.add(facts);
      }
    }
    if (current == null) {
      return Assessment.NONE;
    }
    return Assessment.of(run(current, baseline, new Detector.Recent(now, recent)));
  }

  /** Every detector's signals for {@code release} against {@code baseline} (also the benchmark's entry point). */
  public static List<Assessment.Signal> run(ReleaseFacts release, Baseline baseline, Detector.Recent recent) {
    List<Assessment.Signal> signals = new ArrayList<>();
    for (Detector d : Detector.all()) {
      signals.addAll(d.detect(release, baseline, recent));
    }
    return signals;
  }

  private static final class Row {
    final long id;
    final String version;
    final String state;
    final List<Upload> uploads = new ArrayList<>();
    final java.util.LinkedHashSet<String> requires = new java.util.LinkedHashSet<>();

    Row(long id, String version, String state) {
      this.id = id;
      this.version = version;
      this.state = state;
    }
  }

  /**
   * The release's facts; its requirements are those of every file's metadata together, in upload
   * order (a dependency added to any one file is a dependency of the release).
   */
  private static ReleaseFacts facts(Row row) {
    return new ReleaseFacts(row.version, row.uploads, List.copyOf(row.requires));
  }

  /** Every release of the project with its files' upload facts, in the order their first files arrived. */
  private Map<Long, Row> history(String project) {
    Map<Long, Row> rows = new LinkedHashMap<>();
    database.withHandle(h -> {
      h.createQuery("SELECT r.id AS release_id, r.version, r.state, f.id AS file_id, f.filename, f.kind, f.size, f.uploaded_at,"
              + " f.uploader_ip, f.uploader_agent, f.uploader_token, f.uploaded_by, f.publisher_identity, i.requires_dist"
              + " FROM release_files f JOIN releases r ON r.id = f.release_id JOIN projects p ON p.id = r.project_id"
              + " LEFT JOIN file_inspections i ON i.file_id = f.id"
              + " WHERE p.name = :p ORDER BY f.uploaded_at, f.id")
          .bind("p", project)
          .map((rs, ctx) -> {
            Row row = rows.computeIfAbsent(rs.getLong("release_id"), id -> {
              try {
                return new Row(id, rs.getString("version"), rs.getString("state"));
              } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
              }
            });
            row.uploads.add(new Upload(rs.getString("filename"), rs.getString("kind"), rs.getLong("size"),
                Instant.ofEpochMilli(rs.getLong("uploaded_at")), rs.getString("uploader_ip"), rs.getString("uploader_agent"),
                rs.getString("uploader_token"), rs.getString("uploaded_by"), rs.getString("publisher_identity") != null));
            String requires = rs.getString("requires_dist");
            if (requires != null) {
              try {
                row.requires.addAll(List.of(JSON.readValue(requires, String[].class)));
              } catch (JsonProcessingException e) {
                // an unreadable list adds nothing
              }
            }
            return row;
          })
          .list();
      return null;
    });
    return rows;
  }
}
