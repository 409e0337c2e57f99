package dev.portcullis.detect;

import dev.portcullis.gate.Assessment;
import dev.portcullis.inspect.Severity;
import dev.portcullis.publish.Ecosystem;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What it pulls in, against the previous release: a dependency the project never used in any
 * release is medium (event-stream 3.3.6 added flatmap-stream); one it used before, a removed one,
 * or a changed specifier (re-pinned), low. Whether a dependency was created recently is not known
 * offline and not checked. A dependency whose name imitates a well-known package's ({@code
 * jeIlyfish}, {@code reqeusts}) is high, new or in a first release.
 */
final class DependencyDetector implements Detector {

    @Override
    public String id() {
        return "dependencies";
    }

    @Override
    public List<Assessment.Signal> detect(ReleaseFacts release, Baseline baseline, Recent recent) {
        Set<String> lastRelease = baseline.releases() == 0
                ? Set.of()
                : byKey(baseline.lastDependencies()).keySet();
        List<String> imitations = release.dependencies().stream()
                .filter(d -> d.imitates() != null && !lastRelease.contains(d.key()))
                .map(d -> d.written().strip() + " (imitates " + d.imitates() + ")")
                .distinct()
                .toList();
        List<Assessment.Signal> lookAlikes = imitations.isEmpty()
                ? List.of()
                : List.of(signal(
                        Severity.HIGH,
                        "depends on " + String.join(", ", imitations)
                                + ": a name made to look like a well-known package's (a typosquat)"));
        if (baseline.releases() == 0) {
            return lookAlikes;
        }
        Map<String, Ecosystem.Dependency> before = byKey(baseline.lastDependencies());
        Map<String, Ecosystem.Dependency> now = byKey(release.dependencies());
        List<Assessment.Signal> signals = new ArrayList<>(lookAlikes);
        List<String> newer = new ArrayList<>();
        List<String> returning = new ArrayList<>();
        List<String> repinned = new ArrayList<>();
        now.forEach((key, dependency) -> {
            Ecosystem.Dependency was = before.get(key);
            if (was == null) {
                (baseline.everRequired().contains(key) ? returning : newer).add(dependency.written());
            } else if (!was.constraint().equals(dependency.constraint())) {
                repinned.add(was.written() + " -> " + dependency.written());
            }
        });
        if (!newer.isEmpty()) {
            signals.add(signal(
                    Severity.MEDIUM,
                    "adds " + String.join(", ", newer) + ", never used by this project in " + baseline.releases()
                            + " release(s)"));
        }
        if (!returning.isEmpty()) {
            signals.add(
                    signal(Severity.LOW, "adds back " + String.join(", ", returning) + " (used by earlier releases)"));
        }
        List<String> removed = before.keySet().stream()
                .filter(n -> !now.containsKey(n))
                .map(k -> before.get(k).written())
                .toList();
        if (!removed.isEmpty()) {
            signals.add(
                    signal(Severity.LOW, "drops " + String.join(", ", removed) + " since " + baseline.lastVersion()));
        }
        if (!repinned.isEmpty()) {
            signals.add(signal(Severity.LOW, "re-pins " + String.join(", ", repinned)));
        }
        return signals;
    }

    /** Dependencies by their key; the first of duplicates wins. */
    static Map<String, Ecosystem.Dependency> byKey(List<Ecosystem.Dependency> dependencies) {
        Map<String, Ecosystem.Dependency> map = new LinkedHashMap<>();
        dependencies.forEach(d -> map.putIfAbsent(d.key(), d));
        return map;
    }
}
