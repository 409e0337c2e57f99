package dev.portcullis.detect;

import dev.portcullis.gate.Assessment;
import dev.portcullis.inspect.Severity;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which credential uploaded: a long-lived token where the project's recent releases all came
 * from its trusted publisher is high (the lightning pattern); a person who never uploaded a
 * release of the project is medium; a token never used before is low.
 */
final class CredentialDetector implements Detector {

    @Override
    public String id() {
        return "credential";
    }

    @Override
    public List<Assessment.Signal> detect(ReleaseFacts release, Baseline baseline, Recent recent) {
        if (baseline.releases() == 0) {
            return List.of();
        }
        List<Assessment.Signal> signals = new ArrayList<>();
        List<Upload> byToken =
                release.uploads().stream().filter(u -> !u.trustedPublisher()).toList();
        if (!byToken.isEmpty() && baseline.recentlyAllTrusted()) {
            Upload u = byToken.getFirst();
            signals.add(signal(
                    Severity.HIGH,
                    "uploaded with a long-lived API token (" + u.token() + " of " + u.user() + "), but "
                            + baseline.trustedReleases() + " of the project's " + baseline.releases()
                            + " releases, including the latest, came from its trusted publisher"));
        }
        Set<String> newUsers = new LinkedHashSet<>();
        Set<String> newTokens = new LinkedHashSet<>();
        for (Upload u : byToken) {
            if (u.user() != null && !baseline.users().contains(u.user())) {
                newUsers.add(u.user());
            }
            if (u.token() != null && !baseline.tokens().contains(u.token())) {
                newTokens.add(u.token());
            }
        }
        for (String user : newUsers) {
            signals.add(signal(
                    Severity.MEDIUM,
                    "uploaded by " + user + ", who never uploaded a release of this project (uploaders so far: "
                            + String.join(
                                    ", ", baseline.users().stream().sorted().toList()) + ")"));
        }
        for (String token : newTokens) {
            signals.add(signal(
                    Severity.LOW, "uploaded with token " + token + ", never used for this project's releases before"));
        }
        return signals;
    }
}
