package dev.portcullis.detect;

import dev.portcullis.gate.Assessment;
import dev.portcullis.inspect.PackageMetadata;
import dev.portcullis.inspect.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What it pulls in, against the previous release: a dependency the project never used in any
 * release is medium (event-stream 3.3.6 added flatmap-stream); one it used before, a removed one,
 * or a changed specifier (re-pinned), low. Whether a dependency was created recently is not known
 * offline and not checked.
 */
final class DependencyDetector implements Detector {

  @Override
  public String id() {
    return "dependencies";
  }

  @Override
  public List<Assessment.Signal> detect(ReleaseFacts release, Baseline baseline, Recent recent) {
    if (baseline.releases() == 0) {
      return List.of();
    }
    Map<String, String> before = PackageMetadata.requirementsByKey(baseline.lastRequirements());
    Map<String, String> now = PackageMetadata.requirementsByKey(release.requirements());
    List<Assessment.Signal> signals = new ArrayList<>();
    List<String> newer = new ArrayList<>();
    List<String> returning = new ArrayList<>();
    List<String> repinned = new ArrayList<>();
    now.forEach((name, requirement) -> {
      if (!before.containsKey(name)) {
        (baseline.everRequired().contains(name) ? returning : newer).add(requirement);
      } else if (!Requirement.spec(before.get(name)).equals(Requirement.spec(requirement))) {
        repinned.add(before.get(name) + " -> " + requirement);
      }
    });
    if (!newer.isEmpty()) {
      signals.add(signal(Severity.MEDIUM, "adds " + String.join(", ", newer) + ", never used by this project in " + baseline.releases()
          + " release(s)"));
    }
    if (!returning.isEmpty()) {
      signals.add(signal(Severity.LOW, "adds back " + String.join(", ", returning) + " (used by earlier releases)"));
    }
    List<String> removed = before.keySet().stream().filter(n -> !now.containsKey(n)).map(before::get).toList();
    if (!removed.isEmpty()) {
      signals.add(signal(Severity.LOW, "drops " + String.join(", ", removed) + " since " + baseline.lastVersion()));
    }
    if (!repinned.isEmpty()) {
      signals.add(signal(Severity.LOW, "re-pins " + String.join(", ", repinned)));
    }
    return signals;
  }
}
