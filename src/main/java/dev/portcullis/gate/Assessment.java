package dev.portcullis.gate;

import java.util.List;

/**
 * What the detectors found about a release: signals with evidence, and a risk score (0-100) the
 * policy's thresholds act on. The detectors are the watch feature's work; until they land the
 * built-in assessor finds nothing ({@link Assessor#NONE}).
 */
public record Assessment(int risk, List<Signal> signals) {

  /** One finding: which detector, how bad, its contribution to the risk, and the evidence a person reads. */
  public record Signal(String detector, String severity, int score, String evidence) {}

  public static final Assessment NONE = new Assessment(0, List.of());

  public Assessment {
    if (risk < 0 || risk > 100) {
      throw new IllegalArgumentException("risk is 0-100");
    }
    signals = List.copyOf(signals);
  }
}
