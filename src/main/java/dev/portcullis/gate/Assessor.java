package dev.portcullis.gate;

import dev.portcullis.publish.Artifact;
import dev.portcullis.publish.Release;
import java.util.List;

/** Assesses a release for the gate. A failing assessor holds the release (fail closed). */
@FunctionalInterface
public interface Assessor {

    Assessment assess(Release release, List<Artifact> files);

    /** Finds nothing: risk 0, no signals. */
    Assessor NONE = (release, files) -> Assessment.NONE;

    /** Every assessor's signals, combined into one risk ({@link Assessment#of}). */
    static Assessor combine(List<Assessor> assessors) {
        return (release, files) -> {
            List<Assessment.Signal> signals = new java.util.ArrayList<>();
            for (Assessor a : assessors) {
                signals.addAll(a.assess(release, files).signals());
            }
            return Assessment.of(signals);
        };
    }
}
