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
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Entry point of the inspect feature, owner of {@code file_inspections}. In the upload pipeline it
 * inspects each received file once ({@link ContentInspection}), with its ecosystem's {@link
 * PackageFormat}: structural hazards refuse the upload, the report is kept with the file. For the
 * gate it is an {@link Assessor}: each file's findings, and those of its diff against the previous
 * released file of its variant, become signals. For approvers it builds the full reports with the
 * text diffs ({@link #reports}); for the detectors it answers which dependencies files declare.
 *
 * <p>Fail closed: a file whose inspection failed, or has no report, yields a high signal. A report
 * written by an older inspector ({@link Inspection#outdated()}) is redone from the file's bytes.
 */
public final class InspectionService implements ContentInspection, Assessor {

    private static final ObjectMapper JSON =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final String DETECTOR = "inspect";

    private final Database database;
    private final Catalog catalog;
    private final BlobStore blobs;
    private final Inspector inspector;
    private final Map<String, PackageFormat> formats = new LinkedHashMap<>();
    private final Clock clock;

    public InspectionService(
            Database database,
            Catalog catalog,
            BlobStore blobs,
            Inspector inspector,
            List<PackageFormat> formats,
            Clock clock) {
        this.database = database;
        this.catalog = catalog;
        this.blobs = blobs;
        this.inspector = inspector;
        formats.forEach(f -> this.formats.put(f.ecosystem().id(), f));
        this.clock = clock;
    }

    /** The format of {@code ecosystem}'s files; a generic one for an ecosystem without its own. */
    public PackageFormat format(String ecosystem) {
        return formats.getOrDefault(ecosystem, PackageFormat.GENERIC);
    }

    private PackageFormat formatOf(Artifact file) {
        return format(catalog.ecosystems().ofKey(file.project()).id());
    }

    // ------------------------------------------------------------------ upload pipeline

    @Override
    public Result inspect(String ecosystem, String filename, Path file) {
        Inspection inspection = dev.portcullis.core.Tracing.inSpan(
                "inspect file", () -> inspector.inspect(file, filename, format(ecosystem)));
        Optional<String> refusal = inspection.refusal();
        if (refusal.isPresent()) {
            return new Refused(refusal.get());
        }
        PackageMetadata m = inspection.metadata();
        return new Inspected(
                inspection.maxSeverity().wireName(),
                inspection.findings().size(),
                m.dependencies(),
                new Declared(m.name(), m.version(), inspection.metadataFiles()),
                null,
                inspection);
    }

    @Override
    public void record(Handle h, long fileId, Inspected inspected) {
        write(
                h,
                fileId,
                inspected.report() instanceof Inspection i ? i : null,
                inspected.maxSeverity(),
                inspected.findings(),
                inspected.dependencies(),
                inspected.error(),
                false);
    }

    /** Keeps an inspection made outside the upload pipeline (a drill's seeded history) with file {@code fileId}. */
    public void record(Handle h, long fileId, Inspection inspection) {
        write(
                h,
                fileId,
                inspection,
                inspection.maxSeverity().wireName(),
                inspection.findings().size(),
                inspection.metadata().dependencies(),
                null,
                false);
    }

    private void write(
            Handle h,
            long fileId,
            Inspection inspection,
            String maxSeverity,
            int findings,
            List<String> dependencies,
            String error,
            boolean replace) {
        String sql = replace
                ? "UPDATE file_inspections SET inspected_at = :t, max_severity = :sev, findings = :n, report = :report, error = :error,"
                        + " dependencies = :deps WHERE file_id = :id"
                : "INSERT INTO file_inspections (file_id, inspected_at, max_severity, findings, report, error, dependencies)"
                        + " VALUES (:id, :t, :sev, :n, :report, :error, :deps) ON CONFLICT (file_id) DO NOTHING";
        h.createUpdate(sql)
                .bind("id", fileId)
                .bind("t", clock.millis())
                .bind("sev", maxSeverity)
                .bind("n", findings)
                .bind("report", inspection == null ? null : toJson(inspection))
                .bind("error", error)
                .bind("deps", dependencies == null ? null : toJson(dependencies))
                .execute();
    }

    // ------------------------------------------------------------------ gate

    @Override
    public Assessment assess(Release release, List<Artifact> files) {
        List<Assessment.Signal> signals = new ArrayList<>();
        for (Artifact file : files) {
            Stored stored = stored(file);
            if (stored.inspection() == null) {
                signals.add(new Assessment.Signal(
                        DETECTOR,
                        Severity.HIGH.wireName(),
                        Severity.HIGH.score(),
                        file.filename() + " has no inspection report (" + stored.error()
                                + "); a person must look at it"));
                continue;
            }
            Report report = new Report(
                    stored.inspection(),
                    previousFile(release, file)
                            .flatMap(prev -> Optional.ofNullable(stored(prev).inspection()))
                            .map(prev -> ReleaseDiff.between(
                                    prev, null, stored.inspection(), null, formatOf(file), inspector.limits(), clock))
                            .orElse(null));
            signals.addAll(signals(file.filename(), report));
        }
        if (!files.isEmpty()) {
            PackageFormat format = formatOf(files.getFirst());
            catalog.previousReleased(release.project(), release.id()).ifPresent(previous -> {
                java.util.Set<String> before = new java.util.TreeSet<>();
                catalog.artifactsOf(previous.id()).forEach(a -> before.add(a.kind()));
                java.util.Set<String> after = new java.util.TreeSet<>();
                files.forEach(a -> after.add(a.kind()));
                for (Finding f : format.compareReleases(before, after)) {
                    signals.add(new Assessment.Signal(
                            DETECTOR + "/" + f.rule(),
                            f.severity().wireName(),
                            f.severity().score(),
                            release.version() + ": " + f.explain()));
                }
            });
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
            signals.add(new Assessment.Signal(
                    DETECTOR + "/" + rule,
                    worst.severity().wireName(),
                    worst.severity().score(),
                    filename + ": " + worst.explain() + more));
        });
        if (!report.inspection().complete()) {
            signals.add(new Assessment.Signal(
                    DETECTOR,
                    Severity.HIGH.wireName(),
                    Severity.HIGH.score(),
                    filename + " was not read to the end, so what it holds is unknown"));
        }
        return signals;
    }

    // ------------------------------------------------------------------ approvers

    /** Every file's report with its diff (and text diffs) against the previous released file of its variant. */
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
                    diff = ReleaseDiff.between(
                            before,
                            blobs.find(previous.get().sha256()).orElse(null),
                            stored.inspection(),
                            blobs.find(file.sha256()).orElse(null),
                            formatOf(file),
                            inspector.limits(),
                            clock);
                }
            }
            out.add(new FileReport(file.filename(), new Report(stored.inspection(), diff), null));
        }
        return out;
    }

    /** A file's report, or why there is none. */
    public record FileReport(String filename, Report report, String error) {}

    // ------------------------------------------------------------------ detectors

    /** The dependencies each of {@code fileIds} declares (as its ecosystem writes them); files without a report are absent. */
    public Map<Long, List<String>> dependencies(Collection<Long> fileIds) {
        if (fileIds.isEmpty()) {
            return Map.of();
        }
        Map<Long, List<String>> out = new LinkedHashMap<>();
        database.withHandle(h -> h.createQuery(
                        "SELECT file_id, dependencies FROM file_inspections WHERE file_id IN (<ids>)")
                .bindList("ids", List.copyOf(fileIds))
                .map((rs, ctx) -> {
                    String json = rs.getString("dependencies");
                    if (json != null) {
                        try {
                            out.put(rs.getLong("file_id"), List.of(JSON.readValue(json, String[].class)));
                        } catch (JsonProcessingException e) {
                            out.put(rs.getLong("file_id"), List.of());
                        }
                    }
                    return null;
                })
                .list());
        return out;
    }

    /** How many of {@code fileIds} were inspected without the inspection failing (for the compliance report). */
    public long inspectedWithoutError(java.util.Collection<Long> fileIds) {
        if (fileIds.isEmpty()) {
            return 0;
        }
        long inspected = 0;
        List<Long> ids = List.copyOf(fileIds);
        for (int from = 0; from < ids.size(); from += 1000) {
            List<Long> chunk = ids.subList(from, Math.min(ids.size(), from + 1000));
            inspected += database.withHandle(h -> h.createQuery(
                            "SELECT COUNT(*) FROM file_inspections WHERE error IS NULL AND file_id IN (<ids>)")
                    .bindList("ids", chunk)
                    .mapTo(Long.class)
                    .one());
        }
        return inspected;
    }

    // ------------------------------------------------------------------ storage

    private record Stored(Inspection inspection, String error) {}

    /**
     * The stored inspection of a file. A file stored before inspection existed, or whose report an
     * older inspector wrote, is inspected now from its bytes and the result kept.
     */
    private Stored stored(Artifact file) {
        Optional<Map<String, Object>> row =
                database.withHandle(h -> h.createQuery("SELECT report, error FROM file_inspections WHERE file_id = :id")
                        .bind("id", file.id())
                        .mapToMap()
                        .findOne());
        Inspection kept = null;
        if (row.isPresent()) {
            Object report = row.get().get("report");
            if (report == null) {
                return new Stored(null, String.valueOf(row.get().get("error")));
            }
            try {
                kept = JSON.readValue(report.toString(), Inspection.class);
            } catch (JsonProcessingException e) {
                return new Stored(null, "its stored report is unreadable");
            }
            if (!kept.outdated()) {
                return new Stored(kept, null);
            }
        }
        Optional<Path> blob = blobs.find(file.sha256());
        if (blob.isEmpty()) {
            return kept != null
                    ? new Stored(kept, null)
                    : new Stored(null, "its bytes are missing from the blob store");
        }
        Inspection inspection = inspector.inspect(blob.get(), file.filename(), formatOf(file));
        boolean replace = row.isPresent();
        database.inTransaction(h -> {
            write(
                    h,
                    file.id(),
                    inspection,
                    inspection.maxSeverity().wireName(),
                    inspection.findings().size(),
                    inspection.metadata().dependencies(),
                    null,
                    replace);
            return null;
        });
        return new Stored(inspection, null);
    }

    /** The previous released release's file of the same kind, preferring the same variant (a wheel's tags). */
    private Optional<Artifact> previousFile(Release release, Artifact file) {
        PackageFormat format = formatOf(file);
        String variant = format.variant(file.filename());
        return catalog.previousReleased(release.project(), release.id()).flatMap(previous -> {
            List<Artifact> candidates = catalog.artifactsOf(previous.id()).stream()
                    .filter(a -> a.kind().equals(file.kind()))
                    .toList();
            return candidates.stream()
                    .filter(a -> format.variant(a.filename()).equals(variant))
                    .findFirst()
                    .or(() -> candidates.stream().findFirst());
        });
    }

    static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
