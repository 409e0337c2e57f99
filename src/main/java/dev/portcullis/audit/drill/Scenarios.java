package dev.portcullis.audit.drill;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The drill scenarios (docs/DRILLS.md). Each attacks a fresh sandbox whose history looks like the
 * lightning project's before 30 April 2026 (eight releases, each from its trusted publisher with
 * provenance, from one CI network at one hour of the day) and lists the controls that must fire.
 * The wheels are {@link StandIn}s: inert text that looks like the payload, never executed.
 */
final class Scenarios {

    /** What a scenario saw: its controls, the gate's decision, and the time until detection. */
    record Outcome(List<Scorecard.Control> controls, String decision, Long detectionMillis) {}

    record Scenario(String id, String title, Function<Attack, Outcome> run) {}

    static final List<Scenario> ALL = List.of(
            new Scenario(
                    "stolen-token",
                    "A stored long-lived token uploads from a new address outside the publish window",
                    Scenarios::stolenToken),
            new Scenario(
                    "rapid-versions",
                    "Two malicious versions minutes apart (2.6.2, then 2.6.3)",
                    Scenarios::rapidVersions),
            new Scenario(
                    "payload",
                    "An added module downloads a JavaScript runtime and runs a credential stealer",
                    Scenarios::payload),
            new Scenario("size-and-deps", "A large size jump and a new dependency", Scenarios::sizeAndDeps),
            new Scenario(
                    "provenance-strip",
                    "A release without provenance after releases with it",
                    Scenarios::provenanceStrip),
            new Scenario(
                    "hijacked-workflow",
                    "The project's own release workflow, started by a pull_request_target from a fork, signs and"
                            + " publishes",
                    Scenarios::hijackedWorkflow),
            new Scenario("self-approval", "The uploader tries to approve its own release", Scenarios::selfApproval),
            new Scenario(
                    "token-escalation",
                    "Upload credentials try to approve, to create tokens, to change policy",
                    Scenarios::tokenEscalation),
            new Scenario(
                    "account-takeover",
                    "An upload token of an owner without a second factor tries to take the account over and auto-release",
                    Scenarios::accountTakeover),
            new Scenario(
                    "expired-and-revoked",
                    "Expired, revoked and rotated-out tokens try to upload",
                    Scenarios::expiredAndRevoked),
            new Scenario(
                    "replayed-oidc",
                    "A CI identity token is replayed, and an expired one is presented",
                    Scenarios::replayedOidc));

    private Scenarios() {}

    static Scenario byId(String id) {
        return ALL.stream()
                .filter(s -> s.id().equals(id))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown scenario '" + id + "'; scenarios: "
                        + String.join(", ", ALL.stream().map(Scenario::id).toList())));
    }

    // ---------------------------------------------------------------- scenarios

    /** Lightning's pattern: the stored token of a maintainer, a new version, another network, an odd hour. */
    static Outcome stolenToken(Attack a) {
        String version = "1.1.0";
        long start = System.nanoTime();
        DrillClient.Response upload =
                a.upload(a.uploadToken(), version, StandIn.clean(a.project, version), List.of("numpy>=1.24"));
        if (refusedOutright(upload)) {
            return outright(a, upload, version, start);
        }
        List<Scorecard.Control> controls = new ArrayList<>();
        controls.add(accepted(upload));
        JsonNode release = a.release(version);
        controls.add(a.event("token-upload-flagged", "TokenUploadToTrustedProject"));
        controls.add(Attack.signal("credential-anomaly", release, "credential"));
        controls.add(Attack.signal("new-network", release, "network"));
        controls.add(Attack.signal("odd-hour", release, "time"));
        controls.add(Attack.signal("provenance-downgrade", release, "provenance"));
        if (a.publishWindows()) {
            controls.add(Attack.window(release));
        }
        controls.add(Attack.held(release));
        controls.add(a.notInstallable(version));
        controls.add(a.alertRaised(version));
        return new Outcome(controls, Attack.decision(release), millisSince(start));
    }

    /** Two compromised versions in quick succession with the same stolen token. */
    static Outcome rapidVersions(Attack a) {
        long start = System.nanoTime();
        DrillClient.Response first =
                a.upload(a.uploadToken(), "2.6.2", StandIn.compromised(a.project, "2.6.2"), List.of("numpy>=1.24"));
        if (refusedOutright(first)) {
            return outright(a, first, "2.6.2", start);
        }
        DrillClient.Response second =
                a.upload(a.uploadToken(), "2.6.3", StandIn.compromised(a.project, "2.6.3"), List.of("numpy>=1.24"));
        List<Scorecard.Control> controls = new ArrayList<>();
        controls.add(accepted(first));
        controls.add(accepted(second));
        JsonNode release = a.release("2.6.3");
        controls.add(Attack.signal("rapid-versions", release, "cadence"));
        controls.add(Attack.signal("import-hook", release, "inspect/import-time"));
        controls.add(renamed("first-held", Attack.held(a.release("2.6.2"))));
        controls.add(Attack.held(release));
        controls.add(renamed("first-not-installable", a.notInstallable("2.6.2")));
        controls.add(a.notInstallable("2.6.3"));
        controls.add(a.alertRaised("2.6.3"));
        return new Outcome(controls, Attack.decision(release), millisSince(start));
    }

    /**
     * The payloads of the detection corpus (docs/INSPECTION.md, the cases marked {@code drill}), each
     * uploaded by the project's own CI as its next version, so that only the inspection can catch
     * it: each must raise its rule at high on its file, be held for its risk, never be installable,
     * and be alerted on. The payloads are the corpus's, not written next to the rules they test.
     */
    static Outcome payload(Attack a) {
        String ci = a.ciUploadToken();
        String module = StandIn.module(a.project);
        long start = System.nanoTime();
        List<Scorecard.Control> controls = new ArrayList<>();
        String decision = null;
        int patch = 0;
        for (Corpus.Case c : Corpus.drills()) {
            String version = "1.1." + patch++;
            List<String> requires = new ArrayList<>(List.of("numpy>=1.24"));
            requires.addAll(c.requires());
            DrillClient.Response upload = a.upload(ci, version, c.filesAs(module), requires);
            JsonNode release = a.release(version);
            decision = decision == null ? Attack.decision(release) : decision;
            controls.add(renamed(c.id() + "-staged", accepted(upload)));
            boolean inspected = !c.rule().equals("dependencies");
            controls.add(Attack.highSignal(
                    c.id(),
                    release,
                    inspected ? "inspect/" + c.rule() : c.rule(),
                    inspected ? c.fileAs(module) : c.file()));
            controls.add(renamed(c.id() + "-risk", Attack.riskHold(release)));
            controls.add(renamed(c.id() + "-held", Attack.held(release)));
            controls.add(renamed(c.id() + "-not-installable", a.notInstallable(version)));
            controls.add(renamed(c.id() + "-alerted", a.alertRaised(version)));
        }
        return new Outcome(controls, decision, millisSince(start));
    }

    /** 3 MB of new data and a dependency the project never used, from its own CI. */
    static Outcome sizeAndDeps(Attack a) {
        Map<String, byte[]> files = new LinkedHashMap<>(StandIn.clean(a.project, "1.1.0"));
        files.put(StandIn.module(a.project) + "/models/weights.bin", StandIn.modelData(3 * 1024 * 1024, 2_6_2));
        String newDependency = "drill-telemetry-" + HexFormat.of().formatHex(new byte[] {(byte) a.project.hashCode()});
        return fromCi(
                a,
                files,
                List.of("numpy>=1.24", newDependency),
                release -> List.of(
                        Attack.signal("size-jump", release, "size"),
                        Attack.signal("new-dependency", release, "dependencies")));
    }

    /** The project's CI identity, but without the attestations every earlier release carried. */
    static Outcome provenanceStrip(Attack a) {
        return fromCi(
                a,
                StandIn.clean(a.project, "1.1.0"),
                List.of("numpy>=1.24"),
                release -> List.of(Attack.signal("provenance-downgrade", release, "provenance")));
    }

    /**
     * 2026's lesson (a hijacked workflow run shipped with valid provenance): the genuine repository's
     * release workflow, run by a {@code pull_request_target} event on a pull request's merge ref,
     * signs the file with the repository's identity. The signature is genuine; the build is not one
     * the publisher allows, and the gate must say which field.
     */
    static Outcome hijackedWorkflow(Attack a) {
        String version = "1.1.0";
        String ci = a.ciUploadToken();
        long start = System.nanoTime();
        DrillClient.Response upload = a.uploadAttested(
                ci,
                version,
                StandIn.clean(a.project, version),
                List.of("numpy>=1.24"),
                "refs/pull/7/merge",
                "pull_request_target");
        List<Scorecard.Control> controls = new ArrayList<>();
        controls.add(accepted(upload));
        JsonNode release = a.release(version);
        controls.add(Attack.signal("provenance-build-rules", release, "provenance"));
        controls.add(Attack.reason("trigger-named", release, "trigger: pull_request_target"));
        controls.add(Attack.held(release));
        controls.add(a.notInstallable(version));
        controls.add(a.alertRaised(version));
        return new Outcome(controls, Attack.decision(release), millisSince(start));
    }

    /**
     * Version 1.1.0 of {@code files} uploaded by the project's own CI (a real trusted-publishing
     * exchange); {@code checks} then, and for every such scenario: held, not installable, alerted.
     */
    private static Outcome fromCi(
            Attack a,
            Map<String, byte[]> files,
            List<String> requires,
            Function<JsonNode, List<Scorecard.Control>> checks) {
        String version = "1.1.0";
        String ci = a.ciUploadToken();
        long start = System.nanoTime();
        DrillClient.Response upload = a.upload(ci, version, files, requires);
        List<Scorecard.Control> controls = new ArrayList<>();
        controls.add(accepted(upload));
        JsonNode release = a.release(version);
        controls.addAll(checks.apply(release));
        controls.add(Attack.held(release));
        controls.add(a.notInstallable(version));
        controls.add(a.alertRaised(version));
        return new Outcome(controls, Attack.decision(release), millisSince(start));
    }

    /** The person whose token uploaded tries to approve the release themself. */
    static Outcome selfApproval(Attack a) {
        String version = "1.1.0";
        DrillClient.Response upload =
                a.upload(a.uploadToken(), version, StandIn.clean(a.project, version), List.of("numpy>=1.24"));
        if (refusedOutright(upload)) {
            return outright(a, upload, version, System.nanoTime());
        }
        List<Scorecard.Control> controls = new ArrayList<>();
        controls.add(accepted(upload));
        DrillClient.Response approve =
                a.client.api("POST", approvePath(a, version), Map.of("otp", "000000"), a.approveToken());
        Scorecard.Control refused = Attack.refused("self-approval-refused", approve, 403);
        boolean becauseUploader =
                approve.message().toLowerCase(java.util.Locale.ROOT).contains("upload");
        controls.add(new Scorecard.Control(
                refused.id(),
                refused.fired() && becauseUploader,
                refused.evidence() + (becauseUploader ? "" : " (not refused for being the uploader)")));
        JsonNode release = a.release(version);
        controls.add(Attack.held(release));
        controls.add(a.notInstallable(version));
        return new Outcome(controls, Attack.decision(release), null);
    }

    /** An upload token, and the CI's minted token, try what only people with a second factor may do. */
    static Outcome tokenEscalation(Attack a) {
        String version = "1.1.0";
        String ci = a.ciUploadToken();
        DrillClient.Response upload = a.upload(ci, version, StandIn.clean(a.project, version), List.of("numpy>=1.24"));
        List<Scorecard.Control> controls = new ArrayList<>();
        controls.add(accepted(upload));
        for (Map.Entry<String, String> credential :
                List.of(Map.entry("upload-token", a.uploadToken()), Map.entry("ci-token", ci))) {
            String token = credential.getValue();
            String who = credential.getKey();
            controls.add(Attack.refused(
                    who + "-approve-refused",
                    a.client.api("POST", approvePath(a, version), Map.of("otp", "000000"), token),
                    401,
                    403));
            controls.add(Attack.refused(
                    who + "-token-create-refused",
                    a.client.api(
                            "POST",
                            "/api/v1/tokens",
                            Map.of("name", "escalated", "permissions", "admin", "otp", "000000"),
                            token),
                    401,
                    403));
            controls.add(Attack.refused(
                    who + "-policy-change-refused",
                    a.client.api(
                            "POST",
                            "/api/v1/projects/" + a.project + "/policy",
                            Map.of("document", "version: 1\nuploads:\n  long_lived_tokens: allow\n", "otp", "000000"),
                            token),
                    401,
                    403));
        }
        JsonNode release = a.release(version);
        int approvals = release.path("approvals").size();
        controls.add(new Scorecard.Control(
                "no-approval-counted",
                !release.isMissingNode() && approvals == 0,
                approvals + " approval(s) recorded; state "
                        + release.path("state").asText("none")));
        return new Outcome(controls, Attack.decision(release), null);
    }

    /**
     * Issue 15's finding 1, replayed: with only the upload token of an owner who has no second
     * factor yet, list the owner's tokens, enrol the attacker's authenticator, rotate the owner's
     * admin token for its secret, import a policy that releases everything — then upload. Each step
     * must be refused, and the upload held.
     */
    static Outcome accountTakeover(Attack a) {
        String stolen = a.uploadToken();
        List<Scorecard.Control> controls = new ArrayList<>();
        DrillClient.Response list = a.client.api("GET", "/api/v1/tokens", null, stolen);
        controls.add(new Scorecard.Control(
                "token-list-refused",
                list.status() == 403 && !list.text().contains(a.ownerTokenId()),
                "HTTP " + list.status() + ": " + list.message()));
        controls.add(Attack.refused(
                "mfa-enrol-refused",
                a.client.api("POST", "/api/v1/mfa/enroll", Map.of("ticket", stolen), stolen),
                400,
                403));
        DrillClient.Response rotate =
                a.client.api("POST", "/api/v1/tokens/" + a.ownerTokenId() + "/rotate", Map.of("otp", "000000"), stolen);
        Scorecard.Control rotateRefused = Attack.refused("admin-rotation-refused", rotate, 403);
        controls.add(new Scorecard.Control(
                rotateRefused.id(),
                rotateRefused.fired() && !rotate.text().contains("pcl_u_"),
                rotateRefused.evidence()));
        controls.add(Attack.refused(
                "policy-import-refused",
                a.client.api(
                        "POST",
                        "/api/v1/projects/" + a.project + "/policy",
                        Map.of(
                                "document",
                                "version: 1\nauto_release:\n  enabled: true\n  require_trusted_publisher: false\n  max_risk: 100\n",
                                "otp",
                                "000000"),
                        stolen),
                403));
        String version = "1.1.0";
        DrillClient.Response upload =
                a.upload(stolen, version, StandIn.clean(a.project, version), List.of("numpy>=1.24"));
        if (refusedOutright(upload)) {
            controls.add(new Scorecard.Control(
                    "gate-held", true, "refused at upload, nothing staged: HTTP 403 " + upload.message()));
            return new Outcome(controls, "refused at upload", null);
        }
        controls.add(accepted(upload));
        JsonNode release = a.release(version);
        controls.add(Attack.held(release));
        controls.add(a.notInstallable(version));
        return new Outcome(controls, Attack.decision(release), null);
    }

    /** Credentials past their life: expired, revoked, rotated out. Each refused, nothing stored. */
    static Outcome expiredAndRevoked(Attack a) {
        Attack.sleep(Duration.ofMillis(1500)); // the "expired" token lived one second
        java.time.Instant began = java.time.Instant.now();
        List<Scorecard.Control> controls = new ArrayList<>();
        int n = 0;
        for (String kind : List.of("expired", "revoked", "rotated-out")) {
            String version = "9.0." + n++;
            DrillClient.Response r =
                    a.upload(a.retiredToken(kind), version, StandIn.clean(a.project, version), List.of());
            Scorecard.Control refused = Attack.refused(kind + "-token-refused", r, 401, 403);
            boolean stored = !a.release(version).isMissingNode();
            controls.add(new Scorecard.Control(
                    refused.id(),
                    refused.fired() && !stored,
                    refused.evidence() + (stored ? "; but a release was stored" : "")));
        }
        controls.add(a.logged("refusals-logged", "AuthenticationFailed", began, 3));
        return new Outcome(controls, null, null);
    }

    /** The trusted-publishing exchange: a token used twice, and one past its expiry. */
    static Outcome replayedOidc(Attack a) {
        java.time.Instant began = java.time.Instant.now();
        List<Scorecard.Control> controls = new ArrayList<>();
        String identity = a.identityToken(0, 300);
        DrillClient.Response first = a.client.mint(identity);
        controls.add(new Scorecard.Control(
                "first-use-accepted",
                first.ok(),
                "first exchange: HTTP " + first.status() + (first.ok() ? "" : " " + first.message())));
        DrillClient.Response replay = a.client.mint(identity);
        Scorecard.Control replayRefused = Attack.refused("replay-refused", replay, 422);
        controls.add(new Scorecard.Control(
                replayRefused.id(),
                replayRefused.fired() && replay.text().contains("invalid-reuse-token"),
                replayRefused.evidence()));
        DrillClient.Response expired = a.client.mint(a.identityToken(7200, 300));
        controls.add(Attack.refused("expired-refused", expired, 422));
        controls.add(a.logged("refusals-logged", "PublishTokenRefused", began, 2));
        return new Outcome(controls, null, null);
    }

    // ---------------------------------------------------------------- helpers

    /** The project's policy refuses long-lived tokens at upload (long_lived_tokens: deny): the strongest answer. */
    private static boolean refusedOutright(DrillClient.Response upload) {
        return upload.status() == 403 && upload.message().contains("only from its trusted publishers");
    }

    /** A token upload refused at the door: nothing staged, flagged, and nothing to approve or install. */
    private static Outcome outright(Attack a, DrillClient.Response upload, String version, long start) {
        List<Scorecard.Control> controls = new ArrayList<>();
        controls.add(new Scorecard.Control(
                "gate-held", true, "refused at upload, nothing staged: HTTP 403 " + upload.message()));
        controls.add(a.event("token-upload-flagged", "TokenUploadToTrustedProject"));
        controls.add(a.notInstallable(version));
        return new Outcome(controls, "refused at upload", millisSince(start));
    }

    /** The attacking upload must reach the gate; a refusal here would hide what the later controls do. */
    private static Scorecard.Control accepted(DrillClient.Response upload) {
        return new Scorecard.Control(
                "upload-staged",
                upload.ok(),
                "upload answered HTTP " + upload.status() + (upload.ok() ? "" : ": " + upload.message()));
    }

    private static Scorecard.Control renamed(String id, Scorecard.Control c) {
        return new Scorecard.Control(id, c.fired(), c.evidence());
    }

    private static String approvePath(Attack a, String version) {
        return "/api/v1/projects/" + a.project + "/releases/" + version + "/approve";
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
