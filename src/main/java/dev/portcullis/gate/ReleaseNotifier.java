package dev.portcullis.gate;

import java.util.List;

/**
 * Tells people that a release waits for them (held) or was quarantined by policy. Delivery
 * happens after the decision committed and never blocks or fails an upload.
 */
public interface ReleaseNotifier {

    /** What happened, and what the reviewers need to act. */
    record Notice(
            String project,
            String version,
            Outcome outcome,
            List<String> reasons,
            int approvalsRequired,
            Policy.Notify recipients) {}

    void notify(Notice notice);

    ReleaseNotifier NONE = notice -> {};
}
