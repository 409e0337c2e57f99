package dev.portcullis.detect;

import dev.portcullis.gate.Assessment;
import dev.portcullis.inspect.Severity;
import java.time.Instant;
import java.util.List;

/**
 * One detector: compares a release with its project's baseline and says what is unusual, with a
 * severity, a score and evidence a maintainer reads. Detectors are pure functions of their inputs.
 */
public interface Detector {

    String id();

    List<Assessment.Signal> detect(ReleaseFacts release, Baseline baseline, Recent recent);

    /**
     * Other releases of the project (any state) whose files arrived lately, newest first: for
     * cadence; and, for each API token that uploaded this release, the other projects it uploaded to
     * within {@link SpreadDetector#WINDOW}.
     */
    record Recent(Instant now, List<ReleaseFacts> others, java.util.Map<String, List<String>> reach) {
        public Recent(Instant now, List<ReleaseFacts> others) {
            this(now, others, java.util.Map.of());
        }
    }

    default Assessment.Signal signal(Severity severity, String evidence) {
        return new Assessment.Signal(id(), severity.wireName(), severity.score(), evidence);
    }

    static List<Detector> all() {
        return List.of(
                new NetworkDetector(),
                new CredentialDetector(),
                new TimeDetector(),
                new CadenceDetector(),
                new SizeDetector(),
                new DependencyDetector(),
                new VersionDetector(),
                new SpreadDetector());
    }
}
