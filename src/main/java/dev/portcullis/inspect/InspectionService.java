package dev.portcullis.inspect;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.gate.Assessment;
import dev.portcullis.gate.Assessor;
import dev.portcullis.publish.Artifact;
import dev.portcullis.publish.Catalog;
import dev.portcullis.publish.ContentInspection;
import dev.portcullis.publish.Release;
import dev.portcullis.store.BlobStore;
import dev.portcullis.store.Database;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Entry point of the inspect feature. In the upload pipeline it inspects each received file
 * ({@link ContentInspection}): structural hazards refuse the upload, the report is stored with the
 * file. For the gate it is an {@link Assessor}: each file's findings, and those of its diff against
 * the previous released file of the same kind, become signals. For approvers it builds the full
 * reports with the text diffs ({@link #reports}).
 *
 * <p>Fail closed: a file whose inspection failed, or has no report, yields a high signal.
 */
public final class InspectionService implements ContentInspection, Assessor {

  private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  private static final String DETECTOR = "inspect";

  private final Database database;
  private final Catalog catalog;
  private final BlobStore blobs;
  private final Inspector inspector;
  private final Clock clock;

  public InspectionService(Database database, Catalog catalog, BlobStore blobs, Inspector inspector, Clock clock) {
    this.database = database;
    this.catalog = catalog;
    this.blobs = blobs;
    this.inspector = inspector;
    this.clock = clock;
  }

  // ------------------------------------------------------------------ upload pipeline

  @Override
  public Result inspect(String filename, Path file) {
    Inspection inspection = inspector.inspect(file, filename);
    Optional<String> refusal = inspection.refusal();
    if (refusal.isPresent()) {
      return new Refused(refusal.get());
    }
    return new Inspected(toJson(inspection), inspection.maxSeverity().wireName(), inspection.findings().size(),
        toJson(inspection.metadata().requiresDist()), null);
  }

  // ------------------------------------------------------------------ gate

  @Override
  public Assessment assess(Release release, List<Artifact> files) {
    List<Assessment.Signal> signals = new ArrayList<>();
    for (Artifact file : files) {
      Stored stored = stored(file);
      if (stored.inspection() == null) {
        signals.add(new Assessment.Signal(DETECTOR, Severity.HIGH.wireName(), Severity.HIGH.score(),
            file.filename() + " has no inspection report (" + stored.error() + "); a person must look at it"));
        continue;
      }
      Report report = new Report(stored.inspection(), previousFile(release, file)
          .flatMap(prev -> Optional.ofNullable(stored(prev).inspection()))
          .map(prev -> ReleaseDiff.between(prev, null, stored.inspection(), null, inspector.limits(), clock))
          .orElse(null));
      signals.addAll(signals(file.filename(), report));
    }
    return Assessment.of(signals);
  }

  /** One signal per rule and file: the most severe finding, with how many more the rule found. */
  static List<Assessment.Signal> signals(String filename, Report report) {
    Map<String, List<Finding>> byRule = new LinkedHashMap<>();
    for (Finding f : report.findings()) {
      if (f.severity() != Severity.INFO) {
        byRule.computeIfAbsent(f.rule(), r -> new ArrayList<>()).add(f);
      }
    }
    List<Assessment.Signal> signals = new ArrayList<>();
    byRule.forEach((rule, findings) -> {
      Finding worst = findings.getFirst();
      String more = findings.size() > 1 ? " (and " + (findings.size() - 1) + " more)" : "";
      signals.add(new Assessment.Signal(DETECTOR + "/" + rule, worst.severity().wireName(), worst.severity().score(),
          filename + ": " + worst.explain() + more));
    });
    if (!report.inspection().complete()) {
      signals.add(new Assessment.Signal(DETECTOR, Severity.HIGH.wireName(), Severity.HIGH.score(),
          filename + " was not read to the end, so what it holds is unknown"));
    }
    return signals;
  }

  // ------------------------------------------------------------------ approvers

  /** Every file's report with its diff (and text diffs) against the previous released file of its kind. */
  public List<FileReport> reports(Release release) {
    List<FileReport> out = new ArrayList<>();
    for (Artifact file : catalog.artifactsOf(release.id())) {
      Stored stored = stored(file);
      if (stored.inspection() == null) {
        out.add(new FileReport(file.filename(), null, stored.error()));
        continue;
      }
      ReleaseDiff diff = null;
      Optional<Artifact> previous = previousFile(release, file);
      if (previous.isPresent()) {
        Inspection before = stored(previous.get()).inspection();
        if (before != null) {
          diff = ReleaseDiff.between(before, blobs.find(previous.get().sha256()).orElse(null), stored.inspection(),
              blobs.find(file.sha256()).orElse(null), inspector.limits(), clock);
        }
      }
      out.add(new FileReport(file.filename(), new Report(stored.inspection(), diff), null));
    }
    return out;
  }

  /** A file's report, or why there is none. */
  public record FileReport(String filename, Report report, String error) {}

  // ------------------------------------------------------------------ storage

  private record Stored(Inspection inspection, String error) {}

  /**
   * The stored inspection of a file; a file stored before inspection existed is inspected now from
   * its blob and the result kept.
   */
  private Stored stored(Artifact file) {
    Optional<Map<String, Object>> row = database.withHandle(h -> h.createQuery("SELECT report, error FROM file_inspections WHERE file_id = :id")
        .bind("id", file.id()).mapToMap().findOne());
    if (row.isPresent()) {
      Object report = row.get().get("report");
      if (report == null) {
        return new Stored(null, String.valueOf(row.get().get("error")));
      }
      try {
        return new Stored(JSON.readValue(report.toString(), Inspection.class), null);
      } catch (JsonProcessingException e) {
        return new Stored(null, "its stored report is unreadable");
      }
    }
    Optional<Path> blob = blobs.find(file.sha256());
    if (blob.isEmpty()) {
      return new Stored(null, "its bytes are missing from the blob store");
    }
    Inspection inspection = inspector.inspect(blob.get(), file.filename());
    database.inTransaction(h -> h.createUpdate("INSERT INTO file_inspections (file_id, inspected_at, max_severity, findings, report,"
            + " requires_dist) VALUES (:id, :t, :sev, :n, :r, :requires) ON CONFLICT (file_id) DO NOTHING")
        .bind("id", file.id()).bind("t", clock.millis()).bind("sev", inspection.maxSeverity().wireName())
        .bind("n", inspection.findings().size()).bind("r", toJson(inspection)).bind("requires", toJson(inspection.metadata().requiresDist()))
        .execute());
    return new Stored(inspection, null);
  }

  /** The previous released release's file of the same type, preferring the same wheel tags. */
  private Optional<Artifact> previousFile(Release release, Artifact file) {
    return catalog.previousReleased(release.project(), release.id()).flatMap(previous -> {
      List<Artifact> candidates = catalog.artifactsOf(previous.id()).stream().filter(a -> a.kind().equals(file.kind())).toList();
      String tags = tags(file.filename());
      return candidates.stream().filter(a -> tags(a.filename()).equals(tags)).findFirst().or(() -> candidates.stream().findFirst());
    });
  }

  /** Whatever follows name and version in the file name ({@code -py3-none-any.whl}, {@code .tar.gz}). */
  private static String tags(String filename) {
    String[] parts = filename.split("-", 3);
    return parts.length == 3 ? parts[2] : filename.substring(filename.indexOf('.'));
  }

  static String toJson(Object inspection) {
    try {
      return JSON.writeValueAsString(inspection);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
