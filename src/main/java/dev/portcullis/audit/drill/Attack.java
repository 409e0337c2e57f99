package dev.portcullis.audit.drill;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One scenario's view of its sandbox: the attacker's moves (uploads, token exchanges, API calls)
 * and the checks that tell whether a control fired, each read back from the server — the gate's
 * recorded decision and its reasons, the event log, the index an installer sees.
 */
final class Attack {

    private static final Duration ALERT_WAIT = Duration.ofSeconds(10);

    final DrillClient client;
    final JsonNode sandbox;
    final String project;

    Attack(DrillClient client, JsonNode sandbox) {
        this.client = client;
        this.sandbox = sandbox;
        this.project = sandbox.path("project").asText();
    }

    String uploadToken() {
        return sandbox.path("upload_token").asText();
    }

    String approveToken() {
        return sandbox.path("approve_token").asText();
    }

    String ownerTokenId() {
        return sandbox.path("owner_token_id").asText();
    }

    String retiredToken(String kind) {
        return sandbox.path("retired_tokens").path(kind).asText();
    }

    boolean publishWindows() {
        return sandbox.path("publish_windows").asBoolean();
    }

    // ---------------------------------------------------------------- the attacker's moves

    /** A wheel of {@code files} uploaded with {@code token}, as twine would. */
    DrillClient.Response upload(String token, String version, Map<String, byte[]> files, List<String> requires) {
        return client.upload(
                token, project, version, filename(version), StandIn.wheel(project, version, files, requires));
    }

    /**
     * A wheel of {@code files} uploaded with {@code token} and a PEP 740 attestation from the drill
     * Sigstore, as the sandbox's release workflow would sign it when started by {@code trigger} on
     * {@code ref}.
     */
    DrillClient.Response uploadAttested(
            String token,
            String version,
            Map<String, byte[]> files,
            List<String> requires,
            String ref,
            String trigger) {
        byte[] wheel = StandIn.wheel(project, version, files, requires);
        DrillClient.Response attested = client.admin(
                "POST",
                base() + "/attestation",
                Map.of(
                        "filename",
                        filename(version),
                        "sha256",
                        dev.portcullis.store.Sha256.hex(wheel),
                        "ref",
                        ref,
                        "trigger",
                        trigger));
        require(attested, "getting a drill attestation");
        return client.upload(
                token,
                project,
                version,
                filename(version),
                wheel,
                "[" + attested.json().path("attestation").toString() + "]");
    }

    String filename(String version) {
        return StandIn.wheelName(project, version);
    }

    /** A CI identity token for the sandbox's publisher from the drill issuer. */
    String identityToken(long issuedSecondsAgo, long lifetimeSeconds) {
        DrillClient.Response r = client.admin(
                "POST",
                base() + "/identity-token",
                Map.of("issued_seconds_ago", issuedSecondsAgo, "lifetime_seconds", lifetimeSeconds));
        require(r, "getting a drill identity token");
        return r.json().path("token").asText();
    }

    /** The upload token the trusted-publishing exchange gives for a fresh identity token: the project's CI, as it publishes. */
    String ciUploadToken() {
        DrillClient.Response minted = client.mint(identityToken(0, 300));
        require(minted, "the trusted-publishing exchange");
        return minted.json().path("token").asText();
    }

    // ---------------------------------------------------------------- what the server recorded

    /** The release as the API shows it (state, latest decision with reasons); missing when there is none. */
    JsonNode release(String version) {
        DrillClient.Response r = client.admin("GET", "/api/v1/projects/" + project + "/releases/" + version, null);
        return r.ok() ? r.json() : com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    List<JsonNode> events(String kind) {
        return query("project=" + DrillClient.segment(project) + "&kind=" + kind);
    }

    private List<JsonNode> query(String filter) {
        DrillClient.Response r = client.admin("GET", "/api/v1/events?" + filter, null);
        require(r, "reading the event log");
        List<JsonNode> out = new ArrayList<>();
        r.json().path("events").forEach(out::add);
        return out;
    }

    static String decision(JsonNode release) {
        if (release.isMissingNode()) {
            return "none";
        }
        String outcome = release.path("decision").path("outcome").asText("none");
        return outcome + " (risk " + release.path("decision").path("risk").asInt() + ")";
    }

    // ---------------------------------------------------------------- controls

    /** A detector's signal among the decision's reasons ("high signal from credential: ..."). */
    static Scorecard.Control signal(String id, JsonNode release, String detector) {
        for (JsonNode reason : release.path("decision").path("reasons")) {
            if (reason.asText().contains(" signal from " + detector + ": ")) {
                return new Scorecard.Control(id, true, reason.asText());
            }
        }
        return new Scorecard.Control(id, false, "no " + detector + " signal; decision " + decision(release));
    }

    /**
     * A high (or critical) signal of {@code detector} among the decision's reasons that names {@code
     * where} (the file, or the dependency): the right rule on the right thing, not any finding.
     */
    static Scorecard.Control highSignal(String id, JsonNode release, String detector, String where) {
        String seen = "no " + detector + " signal";
        for (JsonNode reason : release.path("decision").path("reasons")) {
            String text = reason.asText();
            if (text.contains(" signal from " + detector + ": ")) {
                if ((text.startsWith("high ") || text.startsWith("critical ")) && text.contains(where)) {
                    return new Scorecard.Control(id, true, text);
                }
                seen = text;
            }
        }
        return new Scorecard.Control(
                id,
                false,
                "no high " + detector + " signal on " + where + " (" + seen + "); decision " + decision(release));
    }

    /** A decision reason containing {@code text}. */
    static Scorecard.Control reason(String id, JsonNode release, String text) {
        for (JsonNode reason : release.path("decision").path("reasons")) {
            if (reason.asText().contains(text)) {
                return new Scorecard.Control(id, true, reason.asText());
            }
        }
        return new Scorecard.Control(id, false, "no reason mentions '" + text + "'; decision " + decision(release));
    }

    /**
     * Outside the publish windows. The gate weighs windows only for releases it would otherwise
     * hold or release; one it rejects or quarantines on risk is stopped harder than a window could.
     */
    static Scorecard.Control window(JsonNode release) {
        String outcome = release.path("decision").path("outcome").asText("none");
        if (outcome.equals("reject") || outcome.equals("quarantine")) {
            return new Scorecard.Control(
                    "publish-window",
                    true,
                    "the release was stopped on risk (" + decision(release)
                            + ") before the publish window was weighed");
        }
        return reason("publish-window", release, "outside the publish windows");
    }

    /** Not released and not on its way to being released: held, rejected or quarantined. */
    static Scorecard.Control held(JsonNode release) {
        String state = release.path("state").asText("none");
        String outcome = release.path("decision").path("outcome").asText("none");
        boolean held = !release.isMissingNode() && !state.equals("released") && !outcome.equals("auto_release");
        return new Scorecard.Control("gate-held", held, "state " + state + ", decision " + decision(release));
    }

    /** Held for its risk, not only for policy: the risk reached the hold (or reject, quarantine) threshold. */
    static Scorecard.Control riskHold(JsonNode release) {
        for (JsonNode reason : release.path("decision").path("reasons")) {
            if (reason.asText().matches("risk \\d+ reached the (hold|reject|quarantine) threshold.*")) {
                return new Scorecard.Control("gate-risk", true, reason.asText());
            }
        }
        return new Scorecard.Control(
                "gate-risk", false, "the risk stayed below the hold threshold; decision " + decision(release));
    }

    /**
     * Neither listed on the project's simple page nor downloadable. The same two requests for the
     * history's latest release must succeed, or the check proves nothing (and does not fire).
     */
    Scorecard.Control notInstallable(String version) {
        String filename = filename(version);
        String released = filename(
                sandbox.path("history").path(sandbox.path("history").size() - 1).asText());
        DrillClient.Response page = client.get("/simple/" + project + "/");
        DrillClient.Response file = client.get("/files/" + project + "/" + filename);
        if (!page.ok()
                || !page.text().contains(released)
                || !client.get("/files/" + project + "/" + released).ok()) {
            return new Scorecard.Control(
                    "not-installable",
                    false,
                    "the index check itself failed: the released " + released
                            + " is not listed and downloadable (simple page HTTP " + page.status() + ")");
        }
        boolean listed = page.text().contains(filename);
        boolean downloadable = file.ok();
        return new Scorecard.Control(
                "not-installable",
                !listed && !downloadable,
                "simple index " + (listed ? "lists" : "does not list") + " " + filename + " (it lists the released "
                        + released + "); download answered HTTP " + file.status());
    }

    /** An alert about {@code version} reached the alert outbox, waited for up to ten seconds. */
    Scorecard.Control alertRaised(String version) {
        long deadline = System.nanoTime() + ALERT_WAIT.toNanos();
        do {
            for (JsonNode e : events("AlertRaised")) {
                if (version.equals(e.path("subject").asText())) {
                    return new Scorecard.Control(
                            "alert-raised",
                            true,
                            "alert event " + e.path("seq").asLong() + ": "
                                    + e.path("details")
                                            .path("title")
                                            .asText(e.path("details")
                                                    .path("kind")
                                                    .asText()));
                }
            }
            sleep(Duration.ofMillis(200));
        } while (System.nanoTime() < deadline);
        return new Scorecard.Control(
                "alert-raised", false, "no alert about " + version + " within " + ALERT_WAIT.toSeconds() + " s");
    }

    /** An event of {@code kind} about the project. */
    Scorecard.Control event(String id, String kind) {
        List<JsonNode> found = events(kind);
        return found.isEmpty()
                ? new Scorecard.Control(id, false, "no " + kind + " event")
                : new Scorecard.Control(
                        id,
                        true,
                        kind + " event " + found.getLast().path("seq").asLong() + ": "
                                + found.getLast()
                                        .path("details")
                                        .path("message")
                                        .asText(found.getLast().path("subject").asText()));
    }

    /**
     * At least {@code count} events of {@code kind} about no project (refused credentials name none)
     * since {@code since}, less a minute for clock skew between the drill and the server.
     */
    Scorecard.Control logged(String id, String kind, java.time.Instant since, int count) {
        List<JsonNode> found = query("kind=" + kind + "&since=" + since.minusSeconds(60));
        return new Scorecard.Control(
                id,
                found.size() >= count,
                found.size() + " " + kind + " event(s) since the scenario began"
                        + (found.isEmpty()
                                ? ""
                                : ", the last: "
                                        + found.getLast().path("details").toString()));
    }

    /** A request that must be refused with one of {@code statuses}, and change nothing. */
    static Scorecard.Control refused(String id, DrillClient.Response r, int... statuses) {
        for (int status : statuses) {
            if (r.status() == status) {
                return new Scorecard.Control(id, true, "HTTP " + r.status() + ": " + r.message());
            }
        }
        return new Scorecard.Control(
                id, false, "answered HTTP " + r.status() + " (expected a refusal): " + r.message());
    }

    static void require(DrillClient.Response r, String what) {
        if (!r.ok()) {
            throw new IllegalStateException(what + " failed: HTTP " + r.status() + " " + r.message());
        }
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }

    private String base() {
        return "/api/v1/drills/sandboxes/" + project;
    }
}
