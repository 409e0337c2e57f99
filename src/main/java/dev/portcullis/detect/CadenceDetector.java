package dev.portcullis.detect;

import dev.portcullis.gate.Assessment;
import dev.portcullis.inspect.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * How fast: a version within an hour of the previous one (released or not: lightning 2.6.3
 * followed 2.6.2 within the hour) where the project's median gap is a day or more is medium; a
 * burst, {@link #BURST} or more versions within an hour (taken-over npm accounts publish dozens in
 * minutes), is high for a project with releases that do not usually come that fast, medium for one
 * with none yet; more files at once than the project ever released (and more than five), low.
 */
final class CadenceDetector implements Detector {

    static final Duration RAPID = Duration.ofHours(1);
    static final Duration USUAL_GAP = Duration.ofDays(1);
    /** Versions within {@link #RAPID}, this one included, that make a burst (the @antv wave: ~630 in 27 minutes). */
    static final int BURST = 5;

    @Override
    public String id() {
        return "cadence";
    }

    @Override
    public List<Assessment.Signal> detect(ReleaseFacts release, Baseline baseline, Recent recent) {
        List<Assessment.Signal> signals = new ArrayList<>();
        long median = baseline.medianGapSeconds();
        Instant at = release.firstUpload();
        Optional<ReleaseFacts> previous = recent.others().stream()
                .filter(r -> r.firstUpload().isBefore(at))
                .max(Comparator.comparing(ReleaseFacts::firstUpload));
        Instant before = previous.map(ReleaseFacts::firstUpload).orElse(baseline.lastRelease());
        String beforeVersion = previous.map(ReleaseFacts::version).orElse(baseline.lastVersion());
        List<String> burst = recent.others().stream()
                .filter(r -> !r.firstUpload().isAfter(at)
                        && Duration.between(r.firstUpload(), at).compareTo(RAPID) < 0)
                .sorted(Comparator.comparing(ReleaseFacts::firstUpload))
                .map(ReleaseFacts::version)
                .toList();
        boolean usuallyThatFast = baseline.releases() >= 2 && median < RAPID.toSeconds();
        if (burst.size() + 1 >= BURST && !usuallyThatFast) {
            String versions = String.join(", ", burst.subList(Math.max(0, burst.size() - 4), burst.size()));
            signals.add(signal(
                    baseline.releases() > 0 ? Severity.HIGH : Severity.MEDIUM,
                    (burst.size() + 1) + " versions within an hour (" + (burst.size() > 4 ? "…, " : "") + versions
                            + ", " + release.version() + ")"
                            + (baseline.releases() > 0
                                    ? "; the project's median gap between releases is "
                                            + human(Duration.ofSeconds(median))
                                    : "; the project has no released version yet")));
        } else if (before != null && median >= USUAL_GAP.toSeconds()) {
            Duration gap = Duration.between(before, at);
            if (!gap.isNegative() && gap.compareTo(RAPID) < 0) {
                signals.add(signal(
                        Severity.MEDIUM,
                        "version " + release.version() + " came " + human(gap) + " after " + beforeVersion
                                + "; the project's median gap between releases is "
                                + human(Duration.ofSeconds(median))));
            }
        }
        int files = release.uploads().size();
        if (baseline.releases() > 0 && files > 5 && files > 2 * baseline.maxFiles()) {
            signals.add(signal(
                    Severity.LOW,
                    files + " files in one release; the project never released more than " + baseline.maxFiles()));
        }
        return signals;
    }

    static String human(Duration d) {
        if (d.toDays() >= 2) {
            return d.toDays() + " days";
        }
        if (d.toHours() >= 2) {
            return d.toHours() + " hours";
        }
        if (d.toMinutes() >= 1) {
            return d.toMinutes() + " minutes";
        }
        return d.toSeconds() + " seconds";
    }
}
