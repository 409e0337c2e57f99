package dev.portcullis.gate;

import java.time.Instant;
import java.util.List;

/** One evaluation of a release against its project's policy: the outcome, the risk, and why. */
public record DecisionRecord(Instant decidedAt, Outcome outcome, int risk, int policyVersion, List<String> reasons) {
    public DecisionRecord {
        reasons = List.copyOf(reasons);
    }
}
