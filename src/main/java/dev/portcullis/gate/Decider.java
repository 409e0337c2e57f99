package dev.portcullis.gate;

import dev.portcullis.publish.Artifact;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * The rules, in order (docs/POLICY.md): risk thresholds first (quarantine, reject, hold), then the
 * auto-release conditions, then the publish windows. Anything not met is a reason to hold; each
 * reason is one sentence a reviewer reads.
 */
final class Decider {

    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("EEE HH:mm", java.util.Locale.ROOT);

    private Decider() {}

    static DecisionRecord evaluate(
            Policy policy, int policyVersion, List<Artifact> files, Assessment assessment, Instant now) {
        List<String> reasons = new ArrayList<>();
        int risk = assessment.risk();
        for (Assessment.Signal s : assessment.signals()) {
            reasons.add(s.severity() + " signal from " + s.detector() + ": " + s.evidence());
        }
        if (risk >= policy.risk().quarantineAt()) {
            reasons.add("risk " + risk + " reached the quarantine threshold "
                    + policy.risk().quarantineAt());
            return new DecisionRecord(now, Outcome.QUARANTINE, risk, policyVersion, reasons);
        }
        if (risk >= policy.risk().rejectAt()) {
            reasons.add("risk " + risk + " reached the reject threshold "
                    + policy.risk().rejectAt());
            return new DecisionRecord(now, Outcome.REJECT, risk, policyVersion, reasons);
        }
        List<String> holds = new ArrayList<>();
        if (risk >= policy.risk().holdAt()) {
            holds.add("risk " + risk + " reached the hold threshold "
                    + policy.risk().holdAt());
        }
        List<String> tokenUploaders = files.stream()
                .filter(a -> !a.viaTrustedPublisher())
                .map(Artifact::uploadedBy)
                .distinct()
                .toList();
        Policy.AutoRelease auto = policy.autoRelease();
        if (!auto.enabled()) {
            holds.add("policy: every release needs approval by "
                    + policy.approval().required() + " person(s)");
        }
        if (!tokenUploaders.isEmpty()
                && (auto.requireTrustedPublisher()
                        || policy.uploads().longLivedTokens() == Policy.LongLivedTokens.HOLD)) {
            holds.add("uploaded with a long-lived API token (by " + String.join(", ", tokenUploaders)
                    + "), not by the project's trusted publisher");
        }
        for (Artifact file : files) {
            if (policy.provenance() != Policy.ProvenanceRule.OFF && "unverified".equals(file.provenance())) {
                holds.add("the provenance of " + file.filename() + " is not a trusted publisher's release build: "
                        + file.provenanceReason());
            } else if (!file.provenanceVerified()
                    && (policy.provenance() == Policy.ProvenanceRule.REQUIRED || auto.requireProvenance())) {
                holds.add("policy requires verified provenance, and " + file.filename()
                        + " has no attestation from a trusted publisher");
            }
        }
        if (risk > auto.maxRisk()) {
            holds.add("risk " + risk + " is above auto_release.max_risk " + auto.maxRisk());
        }
        if (!policy.windows().isEmpty() && policy.windows().stream().noneMatch(w -> w.contains(now))) {
            ZoneId zone = policy.windows().getFirst().zone();
            holds.add("uploaded at " + LOCAL.format(now.atZone(zone)) + " " + zone + ", outside the publish windows "
                    + policy.windows());
        }
        if (holds.isEmpty()) {
            reasons.add("every auto-release condition holds ("
                    + (auto.requireTrustedPublisher() ? "trusted publisher, " : "") + "risk " + risk + " <= "
                    + auto.maxRisk() + (policy.windows().isEmpty() ? "" : ", inside the publish window") + ")");
            return new DecisionRecord(now, Outcome.AUTO_RELEASE, risk, policyVersion, reasons);
        }
        reasons.addAll(holds);
        return new DecisionRecord(now, Outcome.HOLD, risk, policyVersion, reasons);
    }
}
