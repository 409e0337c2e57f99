package dev.portcullis.detect;

import dev.portcullis.gate.Assessment;
import dev.portcullis.gate.Assessor;
import dev.portcullis.publish.Artifact;
import dev.portcullis.publish.Catalog;
import dev.portcullis.publish.Ecosystem;
import dev.portcullis.publish.Release;
import dev.portcullis.publish.ReleaseState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Entry point of the detect feature and the gate's assessor for it: builds the project's baseline
 * from its released releases (in upload order, from the catalog), the facts of the release being
 * decided and of other recent uploads (their dependencies as the inspection read them, keyed by the
 * project's ecosystem), and runs every {@link Detector}. The signals combine with the others in
 * {@link Assessment#of}.
 */
public final class Detectors implements Assessor {

    private static final Duration RECENT = Duration.ofDays(1);

    private final Catalog catalog;
    private final Function<Collection<Long>, Map<Long, List<String>>> dependencies;
    private final Clock clock;

    /** {@code dependencies}: what each file declares, by file id (the inspect feature answers). */
    public Detectors(Catalog catalog, Function<Collection<Long>, Map<Long, List<String>>> dependencies, Clock clock) {
        this.catalog = catalog;
        this.dependencies = dependencies;
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
                current = row.facts();
            } else if (row.state == ReleaseState.RELEASED) {
                baseline.add(row.facts());
            }
        }
        for (Row row : rows.values()) {
            ReleaseFacts facts = row.id == release.id() ? null : row.facts();
            if (facts != null && Duration.between(facts.firstUpload(), now).compareTo(RECENT) < 0) {
                recent.add(facts);
            }
        }
        if (current == null) {
            return Assessment.NONE;
        }
        Map<String, List<String>> reach = new LinkedHashMap<>();
        for (Upload u : current.uploads()) {
            if (u.token() != null && !u.trustedPublisher() && !reach.containsKey(u.token())) {
                reach.put(
                        u.token(),
                        catalog.projectsUploadedBy(u.token(), now.minus(SpreadDetector.WINDOW)).stream()
                                .filter(p -> !p.equals(release.project()))
                                .toList());
            }
        }
        return Assessment.of(run(current, baseline, new Detector.Recent(now, recent, reach)));
    }

    /** Every detector's signals for {@code release} against {@code baseline} (also the benchmark's entry point). */
    public static List<Assessment.Signal> run(ReleaseFacts release, Baseline baseline, Detector.Recent recent) {
        List<Assessment.Signal> signals = new ArrayList<>();
        for (Detector d : Detector.all()) {
            signals.addAll(d.detect(release, baseline, recent));
        }
        return signals;
    }

    /** One release being gathered: its files' uploads and, together, every file's dependencies in upload order. */
    private static final class Row {
        final long id;
        final String version;
        final ReleaseState state;
        final List<Upload> uploads = new ArrayList<>();
        final Map<String, Ecosystem.Dependency> dependencies = new LinkedHashMap<>();

        Row(long id, String version, ReleaseState state) {
            this.id = id;
            this.version = version;
            this.state = state;
        }

        /** A dependency declared by any one file is a dependency of the release. */
        ReleaseFacts facts() {
            return new ReleaseFacts(version, uploads, List.copyOf(dependencies.values()));
        }
    }

    /** Every release of the project with its files' upload facts, in the order their first files arrived. */
    private Map<Long, Row> history(String project) {
        Ecosystem ecosystem = catalog.ecosystems().ofKey(project);
        List<Catalog.Uploaded> files = catalog.uploadHistory(project);
        Map<Long, List<String>> declared =
                dependencies.apply(files.stream().map(Catalog.Uploaded::fileId).toList());
        Map<Long, Row> rows = new LinkedHashMap<>();
        for (Catalog.Uploaded f : files) {
            Row row = rows.computeIfAbsent(f.releaseId(), id -> new Row(id, f.version(), f.state()));
            row.uploads.add(new Upload(
                    f.filename(),
                    f.kind(),
                    f.size(),
                    f.at(),
                    f.ip(),
                    f.agent(),
                    f.token(),
                    f.user(),
                    f.viaTrustedPublisher()));
            for (String written : declared.getOrDefault(f.fileId(), List.of())) {
                Ecosystem.Dependency d = ecosystem.dependency(written);
                row.dependencies.putIfAbsent(d.key(), d);
            }
        }
        return rows;
    }
}
