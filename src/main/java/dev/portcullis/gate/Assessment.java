package dev.portcullis.gate;

import java.util.List;

/**
 * What the detectors found about a release: signals with evidence, and a risk score (0-100) the
 * policy's thresholds act on.
 *
 * <p>How signals combine ({@link #of}, docs/POLICY.md): the risk is the highest signal's score,
 * raised by every further signal of at least medium weight as independent evidence (noisy-OR:
 * {@code 1 - Π(1 - score/100)} over signals scoring 30 or more). Low signals never add up: a
 * package with many harmless oddities stays low, two independent high signals reach the reject
 * threshold.
 */
public record Assessment(int risk, List<Signal> signals) {

    /** One finding: which detector, how bad, its contribution to the risk, and the evidence a person reads. */
    public record Signal(String detector, String severity, int score, String evidence) {}

    public static final Assessment NONE = new Assessment(0, List.of());

    /** Signals at or above this score combine as independent evidence; below it only the maximum counts. */
    public static final int COMBINING_SCORE = 30;

    public Assessment {
        if (risk < 0 || risk > 100) {
            throw new IllegalArgumentException("risk is 0-100");
        }
        signals = List.copyOf(signals);
    }

    /** The assessment of these signals, their risk combined as documented above. */
    public static Assessment of(List<Signal> signals) {
        int max = 0;
        double clear = 1;
        for (Signal s : signals) {
            int score = Math.max(0, Math.min(100, s.score()));
            max = Math.max(max, score);
            if (score >= COMBINING_SCORE) {
                clear *= 1 - score / 100.0;
            }
        }
        int combined = (int) Math.round(100 * (1 - clear));
        return new Assessment(Math.min(100, Math.max(max, combined)), signals);
    }
}
