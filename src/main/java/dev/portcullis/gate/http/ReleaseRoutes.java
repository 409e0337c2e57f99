package dev.portcullis.gate.http;

import dev.portcullis.core.Refusal;
import dev.portcullis.gate.Decision;
import dev.portcullis.gate.DecisionRecord;
import dev.portcullis.gate.ReleaseGate;
import dev.portcullis.http.ErrorStyle;
import dev.portcullis.http.Exchange;
import dev.portcullis.http.HttpRouter;
import dev.portcullis.http.Routes;
import dev.portcullis.identity.ApiAuthenticator;
import dev.portcullis.identity.Principal;
import dev.portcullis.publish.Artifact;
import dev.portcullis.publish.Catalog;
import dev.portcullis.publish.Release;
import dev.portcullis.publish.ReleaseState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The release API under {@code /api/v1}: list, show, approve, reject, yank (docs/API.md). */
public final class ReleaseRoutes implements Routes {

    /**
     * Body of approve / reject / yank requests. {@code files}: the SHA-256 digests of the files the
     * approver reviewed; when given, the approval is refused unless they are exactly the release's
     * files (the CLI always sends them).
     */
    public record DecisionRequest(String comment, String reason, String otp, List<String> files) {}

    private final ApiAuthenticator auth;
    private final Catalog catalog;
    private final java.util.function.Function<List<Long>, Map<Long, Map<String, Object>>> provenance;
    private final ReleaseGate gate;

    private final java.time.Clock clock;

    /** {@code provenance}: what each file's attestations showed, by file id (the provenance feature answers). */
    public ReleaseRoutes(
            ApiAuthenticator auth,
            Catalog catalog,
            ReleaseGate gate,
            java.util.function.Function<List<Long>, Map<Long, Map<String, Object>>> provenance,
            java.time.Clock clock) {
        this.provenance = provenance;
        this.clock = clock;
        this.auth = auth;
        this.catalog = catalog;
        this.gate = gate;
    }

    @Override
    public void register(HttpRouter router) {
        router.get("/api/v1/releases", ErrorStyle.JSON, this::list)
                .get("/api/v1/projects/{project}/releases/{version}", ErrorStyle.JSON, this::show)
                .get("/api/v1/projects/{project}/releases/{version}/wait", ErrorStyle.JSON, this::waitForDecision)
                .post("/api/v1/projects/{project}/releases/{version}/approve", ErrorStyle.JSON, this::approve)
                .post("/api/v1/projects/{project}/releases/{version}/reject", ErrorStyle.JSON, this::reject)
                .post("/api/v1/projects/{project}/releases/{version}/yank", ErrorStyle.JSON, this::yank)
                .post("/api/v1/projects/{project}/releases/{version}/quarantine", ErrorStyle.JSON, this::quarantine)
                .post(
                        "/api/v1/projects/{project}/releases/{version}/unquarantine",
                        ErrorStyle.JSON,
                        this::unquarantine);
    }

    /**
     * The releases this token may see, optionally in one state. With {@code decided_since} (an
     * ISO-8601 instant), also how many the gate decided by itself since then, by state — what
     * {@code release list} reports beside what needs a person.
     */
    public void list(Exchange exchange) {
        Principal principal = auth.require(exchange);
        ReleaseState state = exchange.query("state").map(ReleaseState::parse).orElse(null);
        java.time.Instant since;
        try {
            since = exchange.query("decided_since")
                    .map(java.time.Instant::parse)
                    .orElse(null);
        } catch (java.time.format.DateTimeParseException e) {
            throw new Refusal.Invalid("decided_since is an ISO-8601 instant such as 2026-04-30T03:00:00Z");
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (Release release : catalog.releases(state)) {
            if (mayRead(principal, release)) {
                out.add(json(release));
            }
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("as_of", clock.instant().toString()); // the next "since" (the server's clock, not the client's)
        answer.put("releases", out);
        if (since != null) {
            Map<String, Integer> automatic = new java.util.TreeMap<>();
            for (Release release : catalog.releases(null)) {
                if ("policy".equals(release.decidedBy())
                        && release.decidedAt() != null
                        && !release.decidedAt().isBefore(since)
                        && mayRead(principal, release)) {
                    automatic.merge(release.state().wireName(), 1, Integer::sum);
                }
            }
            answer.put("decided_automatically", automatic);
        }
        exchange.json(answer);
    }

    public void show(Exchange exchange) {
        Principal principal = auth.require(exchange);
        Release release = find(exchange);
        if (!mayRead(principal, release)) {
            throw new Refusal.NotFound("No such release.");
        }
        exchange.json(json(release));
    }

    /**
     * Long poll for CI: answers as soon as the release is no longer held (or after {@code timeout}
     * seconds, at most 60, with the release still held), so {@code portcullis release wait} can
     * block until a person decided. The answer is the release, with each file's SHA-256.
     */
    public void waitForDecision(Exchange exchange) throws InterruptedException {
        Principal principal = auth.require(exchange);
        Release release = find(exchange);
        if (!mayRead(principal, release)) {
            throw new Refusal.NotFound("No such release.");
        }
        int timeout;
        try {
            timeout = Math.max(
                    0,
                    Math.min(
                            60, exchange.query("timeout").map(Integer::parseInt).orElse(30)));
        } catch (NumberFormatException e) {
            throw new Refusal.Invalid("timeout is a number of seconds (at most 60)");
        }
        gate.waits()
                .await(
                        () -> catalog.getRelease(release.id()).state() != ReleaseState.HELD,
                        java.time.Duration.ofSeconds(timeout));
        exchange.json(json(catalog.getRelease(release.id())));
    }

    public void approve(Exchange exchange) {
        Principal principal = auth.require(exchange);
        DecisionRequest body = exchange.jsonBody(DecisionRequest.class, 16 * 1024);
        answer(
                exchange,
                gate.approve(
                        principal,
                        body.otp(),
                        exchange.pathParam("project"),
                        exchange.pathParam("version"),
                        body.comment(),
                        body.files(),
                        exchange.origin()));
    }

    public void reject(Exchange exchange) {
        Principal principal = auth.require(exchange);
        DecisionRequest body = exchange.jsonBody(DecisionRequest.class, 16 * 1024);
        String reason = body.reason() != null ? body.reason() : body.comment();
        answer(
                exchange,
                gate.reject(
                        principal,
                        body.otp(),
                        exchange.pathParam("project"),
                        exchange.pathParam("version"),
                        reason,
                        exchange.origin()));
    }

    public void quarantine(Exchange exchange) {
        Principal principal = auth.require(exchange);
        DecisionRequest body = exchange.jsonBody(DecisionRequest.class, 16 * 1024);
        answer(
                exchange,
                gate.quarantine(
                        principal,
                        body.otp(),
                        exchange.pathParam("project"),
                        exchange.pathParam("version"),
                        body.reason(),
                        exchange.origin()));
    }

    public void unquarantine(Exchange exchange) {
        Principal principal = auth.require(exchange);
        DecisionRequest body = exchange.jsonBody(DecisionRequest.class, 16 * 1024);
        answer(
                exchange,
                gate.unquarantine(
                        principal,
                        body.otp(),
                        exchange.pathParam("project"),
                        exchange.pathParam("version"),
                        body.comment(),
                        body.files(),
                        exchange.origin()));
    }

    public void yank(Exchange exchange) {
        Principal principal = auth.require(exchange);
        DecisionRequest body = exchange.jsonBody(DecisionRequest.class, 16 * 1024);
        answer(
                exchange,
                gate.yank(
                        principal,
                        body.otp(),
                        exchange.pathParam("project"),
                        exchange.pathParam("version"),
                        body.reason(),
                        exchange.origin()));
    }

    private void answer(Exchange exchange, Decision decision) {
        switch (decision) {
            case Decision.Decided d -> exchange.json(json(d.release()));
            case Decision.Pending p -> {
                Map<String, Object> out = json(p.release());
                out.put("message", p.approvals() + " of " + p.required() + " approvals; waiting for more.");
                exchange.status(202).json(out);
            }
            case Decision.AlreadyDecided a ->
                throw new Refusal.Conflict("Release " + a.release().version() + " of '"
                        + a.release().project() + "': " + a.reason() + "; nothing changed.");
            case Decision.Forbidden f -> throw new Refusal.Forbidden("Forbidden: " + f.reason() + ".");
            case Decision.NotFound n ->
                throw new Refusal.NotFound("No release " + n.version() + " of '" + n.project() + "'.");
        }
    }

    private static boolean mayRead(Principal principal, Release release) {
        return principal.maySee(release.project());
    }

    private Release find(Exchange exchange) {
        return catalog.requireRelease(exchange.pathParam("project"), exchange.pathParam("version"));
    }

    private Map<String, Object> json(Release release) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("project", release.project());
        out.put("version", release.version());
        out.put("state", release.state().wireName());
        out.put("created_at", release.createdAt().toString());
        out.put(
                "decided_at",
                release.decidedAt() == null ? null : release.decidedAt().toString());
        out.put("decided_by", release.decidedBy());
        out.put("decision_reason", release.decisionReason());
        List<DecisionRecord> decisions = gate.decisions(release);
        if (!decisions.isEmpty()) {
            DecisionRecord latest = decisions.getFirst();
            Map<String, Object> decision = new LinkedHashMap<>();
            decision.put("outcome", latest.outcome().name().toLowerCase(java.util.Locale.ROOT));
            decision.put("risk", latest.risk());
            decision.put("policy_version", latest.policyVersion());
            decision.put("decided_at", latest.decidedAt().toString());
            decision.put("reasons", latest.reasons());
            out.put("decision", decision);
        }
        out.put("approvals", gate.approvers(release));
        out.put(
                "approval_records",
                gate.approvals(release).stream()
                        .map(a -> {
                            Map<String, Object> approval = new LinkedHashMap<>();
                            approval.put("kind", a.kind());
                            approval.put("user", a.user());
                            approval.put("approved_at", a.approvedAt().toString());
                            approval.put("files", a.fileDigests());
                            approval.put("counts", a.current());
                            return approval;
                        })
                        .toList());
        out.put(
                "approvals_required",
                gate.policies().active(release.project()).approval().required());
        List<Map<String, Object>> files = new ArrayList<>();
        List<Artifact> artifacts = catalog.artifactsOf(release.id());
        Map<Long, Map<String, Object>> provenance =
                this.provenance.apply(artifacts.stream().map(Artifact::id).toList());
        for (Artifact f : artifacts) {
            Map<String, Object> file = new LinkedHashMap<>();
            file.put("filename", f.filename());
            file.put("kind", f.kind());
            file.put("size", f.size());
            file.put("sha256", f.sha256());
            file.put("uploaded_at", f.uploadedAt().toString());
            file.put("uploaded_by", f.uploadedBy());
            file.put("yanked", f.yanked());
            file.put("yanked_reason", f.yankedReason());
            file.put("credential", f.viaTrustedPublisher() ? "trusted-publisher" : "api-token");
            file.put("provenance", provenance.get(f.id()));
            files.add(file);
        }
        out.put("files", files);
        return out;
    }
}
