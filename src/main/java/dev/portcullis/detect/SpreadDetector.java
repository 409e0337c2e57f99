package dev.portcullis.detect;

import dev.portcullis.gate.Assessment;
import dev.portcullis.inspect.Severity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How far one credential reached: the API token that uploaded this release uploaded to many other
 * projects within the hour. A worm publishes everything a stolen token can (Shai-Hulud: up to 100
 * packages per npm token; the @antv wave, hundreds of versions in under half an hour; the chalk/debug
 * phish, eighteen packages at once). Five or more other projects is medium, twenty or more high. A
 * monorepo released with one organisation-wide token looks the same; a trusted publisher's
 * per-project token never does, and is not counted.
 */
final class SpreadDetector implements Detector {

    static final Duration WINDOW = Duration.ofHours(1);
    static final int MEDIUM_AT = 5;
    static final int HIGH_AT = 20;

    @Override
    public String id() {
        return "spread";
    }

    @Override
    public List<Assessment.Signal> detect(ReleaseFacts release, Baseline baseline, Recent recent) {
        List<Assessment.Signal> signals = new ArrayList<>();
        for (Map.Entry<String, List<String>> reach : recent.reach().entrySet()) {
            int others = reach.getValue().size();
            if (others < MEDIUM_AT) {
                continue;
            }
            List<String> named = reach.getValue().subList(0, Math.min(5, others));
            signals.add(signal(
                    others >= HIGH_AT ? Severity.HIGH : Severity.MEDIUM,
                    "the token that uploaded this (" + reach.getKey() + ") uploaded to " + others
                            + " other projects within the last " + WINDOW.toMinutes() + " minutes ("
                            + String.join(", ", named) + (others > named.size() ? ", …" : "")
                            + "): a stolen token spreads this way"));
        }
        return signals;
    }
}
