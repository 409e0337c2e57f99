package dev.portcullis.gate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.publish.Artifact;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The order of the rules: risk thresholds first, then hold reasons, else auto-release. */
class DeciderTest {

    private static final Instant THURSDAY_NOON = Instant.parse("2026-04-30T10:00:00Z");
    private static final Policy AUTO = PolicyDocument.parse("""
      auto_release:
        enabled: true
        max_risk: 20
      risk:
        hold_at: 30
        reject_at: 60
        quarantine_at: 90
      """);

    private static Artifact file(boolean trustedPublisher) {
        return new Artifact(
                1,
                "lightning",
                "2.6.2",
                "lightning-2.6.2-py3-none-any.whl",
                "wheel",
                1,
                "a",
                THURSDAY_NOON,
                trustedPublisher ? "trusted-publisher" : "mallory",
                null,
                null,
                false,
                trustedPublisher,
                null,
                null);
    }

    private static Assessment risk(int score) {
        return new Assessment(
                score, List.of(new Assessment.Signal("size", "high", score, "11.4 MB larger than 2.6.1")));
    }

    @Test
    void riskThresholdsComeFirst() {
        assertThat(Decider.evaluate(AUTO, 1, List.of(file(true)), risk(95), THURSDAY_NOON)
                        .outcome())
                .isEqualTo(Outcome.QUARANTINE);
        DecisionRecord rejected = Decider.evaluate(AUTO, 1, List.of(file(true)), risk(70), THURSDAY_NOON);
        assertThat(rejected.outcome()).isEqualTo(Outcome.REJECT);
        assertThat(rejected.reasons())
                .containsExactly(
                        "high signal from size: 11.4 MB larger than 2.6.1", "risk 70 reached the reject threshold 60");
        DecisionRecord held = Decider.evaluate(AUTO, 1, List.of(file(true)), risk(35), THURSDAY_NOON);
        assertThat(held.outcome()).isEqualTo(Outcome.HOLD);
        assertThat(held.reasons())
                .contains("risk 35 reached the hold threshold 30", "risk 35 is above auto_release.max_risk 20");
    }

    @Test
    void autoReleaseNeedsEveryCondition() {
        assertThat(Decider.evaluate(AUTO, 1, List.of(file(true)), Assessment.NONE, THURSDAY_NOON)
                        .outcome())
                .isEqualTo(Outcome.AUTO_RELEASE);
        assertThat(Decider.evaluate(AUTO, 1, List.of(file(true), file(false)), Assessment.NONE, THURSDAY_NOON)
                        .reasons())
                .containsExactly(
                        "uploaded with a long-lived API token (by mallory), not by the project's trusted publisher");
        assertThat(Decider.evaluate(AUTO, 1, List.of(file(true)), risk(25), THURSDAY_NOON)
                        .outcome())
                .isEqualTo(Outcome.HOLD);
        assertThat(Decider.evaluate(Policy.DEFAULT, 0, List.of(file(true)), Assessment.NONE, THURSDAY_NOON)
                        .reasons())
                .containsExactly("policy: every release needs approval by 1 person(s)");
    }
}
