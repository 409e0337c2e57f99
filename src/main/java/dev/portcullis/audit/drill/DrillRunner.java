package dev.portcullis.audit.drill;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Runs detection drills against a server (docs/DRILLS.md): for each scenario it opens a sandbox,
 * attacks it through the real protocols, reads back which controls fired, and closes the sandbox
 * again, whatever happened. The scorecard is recorded on the server as a {@code DrillCompleted}
 * event. Needs a global admin's token (sandboxes are admin-only).
 */
public final class DrillRunner {

    /** Every scenario, in the order they run by default. */
    public static final List<String> SCENARIOS =
            Scenarios.ALL.stream().map(Scenarios.Scenario::id).toList();

    static final java.time.Duration STALE = java.time.Duration.ofHours(1);

    private final DrillClient client;
    private final String policyYaml;
    private final Clock clock;

    /** {@code policyYaml}: the policy sandboxes get, or null for the recommended one. */
    public DrillRunner(String server, String adminToken, String policyYaml, Clock clock) {
        this.client = new DrillClient(server, adminToken);
        this.policyYaml = policyYaml;
        this.clock = clock;
    }

    /** Runs {@code scenarios} (all when empty); unknown names are refused before anything runs. Nothing is recorded yet: see {@link #record}. */
    public Scorecard run(List<String> scenarios) {
        List<Scenarios.Scenario> chosen = (scenarios.isEmpty()
                        ? SCENARIOS
                        : List.copyOf(new LinkedHashSet<>(scenarios)))
                .stream().map(Scenarios::byId).toList();
        Instant started = clock.instant();
        closeStaleSandboxes();
        List<Scorecard.Result> results = new ArrayList<>();
        for (Scenarios.Scenario scenario : chosen) {
            results.add(runOne(scenario));
        }
        return new Scorecard(client.server(), started, clock.instant(), results);
    }

    /** Records the scorecard on the server (a DrillCompleted event; an alert when it failed); returns the event's sequence number. */
    public long record(Scorecard card) {
        DrillClient.Response recorded = client.admin("POST", "/api/v1/drills/results", card.toMap());
        Attack.require(recorded, "recording the drill result");
        return recorded.json().path("event").asLong();
    }

    /**
     * Sandboxes a crashed drill left open for more than {@link #STALE}: closed now (a drill running
     * elsewhere at the same time is never that old).
     */
    private void closeStaleSandboxes() {
        DrillClient.Response open = client.admin("GET", "/api/v1/drills/sandboxes", null);
        Attack.require(open, "listing open drill sandboxes");
        for (var sandbox : open.json().path("sandboxes")) {
            if (sandbox.path("age_seconds").asLong() > STALE.toSeconds()) { // the server's clock, not this machine's
                Attack.require(
                        client.admin(
                                "POST",
                                "/api/v1/drills/sandboxes/"
                                        + sandbox.path("project").asText() + "/close",
                                Map.of()),
                        "closing the stale sandbox " + sandbox.path("project").asText());
            }
        }
    }

    private Scorecard.Result runOne(Scenarios.Scenario scenario) {
        Map<String, Object> request = new java.util.LinkedHashMap<>();
        request.put("scenario", scenario.id());
        request.put("policy", policyYaml);
        DrillClient.Response opened = client.admin("POST", "/api/v1/drills/sandboxes", request);
        if (!opened.ok()) {
            return new Scorecard.Result(
                    scenario.id(),
                    scenario.title(),
                    null,
                    List.of(),
                    null,
                    null,
                    "opening a sandbox failed: HTTP " + opened.status() + " " + opened.message());
        }
        Attack attack = new Attack(client, opened.json());
        try {
            Scenarios.Outcome outcome = scenario.run().apply(attack);
            return new Scorecard.Result(
                    scenario.id(),
                    scenario.title(),
                    attack.project,
                    outcome.controls(),
                    outcome.decision(),
                    outcome.detectionMillis(),
                    null);
        } catch (RuntimeException e) {
            return new Scorecard.Result(
                    scenario.id(),
                    scenario.title(),
                    attack.project,
                    List.of(),
                    null,
                    null,
                    e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        } finally {
            client.admin("POST", "/api/v1/drills/sandboxes/" + attack.project + "/close", Map.of());
        }
    }
}
