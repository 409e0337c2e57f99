package dev.portcullis.detect;

import dev.portcullis.gate.Assessment;
import dev.portcullis.inspect.Severity;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Where the upload came from: a network (IPv4 /24, IPv6 /48) never seen for the project is
 * medium; a new address in a known network, or a client (User-Agent product) never used, is low.
 */
final class NetworkDetector implements Detector {

    @Override
    public String id() {
        return "network";
    }

    @Override
    public List<Assessment.Signal> detect(ReleaseFacts release, Baseline baseline, Recent recent) {
        if (baseline.releases() == 0) {
            return List.of();
        }
        List<Assessment.Signal> signals = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (Upload u : release.uploads()) {
            if (u.ip() == null || !seen.add(u.ip())) {
                continue;
            }
            String network = Baseline.network(u.ip());
            if (!baseline.networks().contains(network)) {
                signals.add(signal(
                        Severity.MEDIUM,
                        "uploaded from " + u.ip() + ", a network (" + network + ") never seen for this project in "
                                + baseline.releases() + " release(s)"));
            } else if (!baseline.addresses().contains(u.ip())) {
                signals.add(signal(
                        Severity.LOW, "uploaded from " + u.ip() + ", a new address in the known network " + network));
            }
        }
        Set<String> clients = new LinkedHashSet<>();
        release.uploads().forEach(u -> clients.add(Baseline.client(u.agent())));
        for (String client : clients) {
            if (!baseline.clients().contains(client)) {
                signals.add(signal(
                        Severity.LOW,
                        "uploaded with the client '" + client + "', never used for this project (so far: "
                                + String.join(
                                        ", ",
                                        baseline.clients().stream().sorted().toList()) + ")"));
            }
        }
        return signals;
    }
}
