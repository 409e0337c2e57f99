package dev.portcullis.detect;

import dev.portcullis.gate.Assessment;
import dev.portcullis.gate.Assessor;
import dev.portcullis.publish.Artifact;
import dev.portcullis.publish.Catalog;
import dev.portcullis.publish.Ecosystem;
import dev.portcullis.publish.Release;
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
 * Entry point of the detect feature and the gate's assessor for it: keeps each project's baseline
 * learned from its released releases (in the order the releases were created), gathers the facts
 * of the release being decided and of the project's other releases of the last day (their
 * dependencies as the inspection read them, keyed by the project's ecosystem), and runs every
 * {@link Detector}. The signals combine with the others in {@link Assessment#of}.
 *
 * <p>Baselines are incremental: a project's baseline is kept between decisions (for the
 * {@link #KEPT} projects decided most recently) and learns only the releases released since; it
 * is learned again from the start when the project's released set changed otherwise (a release
 * quarantined after its release, one released out of order). The cost of a decision therefore does
 * not grow with the project's history. Every process keeps its own and reads the database at each
 * decision, so processes sharing a database agree.
 */
public final class Detectors implements Assessor {

    private static final Duration RECENT = Duration.ofDays(1);
    static final int KEPT = 1_000;

    private final Catalog catalog;
    private final Function<Collection<Long>, Map<Long, List<String>>> dependencies;
    private final Clock clock;
    private final Map<String, Learned> baselines = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Learned> eldest) {
            return size() > KEPT;
        }
    };

    /** {@code dependencies}: what each file declares, by file id (the inspect feature answers). */
    public Detectors(Catalog catalog, Function<Collection<Long>, Map<Long, List<String>>> dependencies, Clock clock) {
        this.catalog = catalog;
        this.dependencies = dependencies;
        this.clock = clock;
    }

    @Override
    public Assessment assess(Release release, List<Artifact> files) {
        String project = release.project();
        Ecosystem ecosystem = catalog.ecosystems().ofKey(project);
        Instant now = clock.instant();
        ReleaseFacts current = rows(ecosystem, catalog.uploadsOfRelease(release.id())).values().stream()
                .findFirst()
                .map(Row::facts)
                .orElse(null);
        if (current == null) {
            return Assessment.NONE;
        }
        List<ReleaseFacts> recent = new ArrayList<>();
        for (Row row : rows(ecosystem, catalog.uploadsOfReleasesCreatedSince(project, now.minus(RECENT)))
                .values()) {
            ReleaseFacts facts = row.facts();
            if (row.id != release.id()
                    && Duration.between(facts.firstUpload(), now).compareTo(RECENT) < 0) {
                recent.add(facts);
            }
        }
        Map<String, List<String>> reach = new LinkedHashMap<>();
        for (Upload u : current.uploads()) {
            if (u.token() != null && !u.trustedPublisher() && !reach.containsKey(u.token())) {
                reach.put(
                        u.token(),
                        catalog.projectsUploadedBy(u.token(), now.minus(SpreadDetector.WINDOW)).stream()
                                .filter(p -> !p.equals(project))
                                .toList());
            }
        }
        Learned learned = learned(project);
        synchronized (learned) {
            learned.catchUp(project, ecosystem);
            return Assessment.of(run(current, learned.baseline, new Detector.Recent(now, recent, reach)));
        }
    }

    private Learned learned(String project) {
        synchronized (baselines) {
            return baselines.computeIfAbsent(project, p -> new Learned());
        }
    }

    /** Every detector's signals for {@code release} against {@code baseline} (also the benchmark's entry point). */
    public static List<Assessment.Signal> run(ReleaseFacts release, Baseline baseline, Detector.Recent recent) {
        List<Assessment.Signal> signals = new ArrayList<>();
        for (Detector d : Detector.all()) {
            signals.addAll(d.detect(release, baseline, recent));
        }
        return signals;
    }

    /** One project's baseline and which released releases it learned from (guarded by itself). */
    private final class Learned {
        Baseline baseline = new Baseline();
        long through; // the highest release id learned from
        Catalog.ReleasedSet learnedFrom = new Catalog.ReleasedSet(0, 0);

        /** Learns what was released since; starts over when what it learned from is no longer the released set. */
        void catchUp(String project, Ecosystem ecosystem) {
            if (!catalog.releasedThrough(project, through).equals(learnedFrom)) {
                baseline = new Baseline();
                through = 0;
                learnedFrom = new Catalog.ReleasedSet(0, 0);
            }
            long count = learnedFrom.count();
            long ids = learnedFrom.idSum();
            for (Row row : rows(ecosystem, catalog.releasedUploadsAfter(project, through))
                    .values()) {
                baseline.add(row.facts()); // the gate decides held releases only: never one of these
                count++;
                ids += row.id;
                through = row.id;
            }
            learnedFrom = new Catalog.ReleasedSet(count, ids);
        }
    }

    /** One release being gathered: its files' uploads and, together, every file's dependencies in upload order. */
    private static final class Row {
        final long id;
        final String version;
        final List<Upload> uploads = new ArrayList<>();
        final Map<String, Ecosystem.Dependency> dependencies = new LinkedHashMap<>();

        Row(long id, String version) {
            this.id = id;
            this.version = version;
        }

        /** A dependency declared by any one file is a dependency of the release. */
        ReleaseFacts facts() {
            return new ReleaseFacts(version, uploads, List.copyOf(dependencies.values()));
        }
    }

    /** The releases {@code files} belong to, with their upload facts, in the order of {@code files}. */
    private Map<Long, Row> rows(Ecosystem ecosystem, List<Catalog.Uploaded> files) {
        Map<Long, List<String>> declared = files.isEmpty()
                ? Map.of()
                : dependencies.apply(
                        files.stream().map(Catalog.Uploaded::fileId).toList());
        Map<Long, Row> rows = new LinkedHashMap<>();
        for (Catalog.Uploaded f : files) {
            Row row = rows.computeIfAbsent(f.releaseId(), id -> new Row(id, f.version()));
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
