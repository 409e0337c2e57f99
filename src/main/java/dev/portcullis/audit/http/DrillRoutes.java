package dev.portcullis.audit.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.portcullis.audit.drill.DrillSandboxes;
import dev.portcullis.core.Refusal;
import dev.portcullis.http.ErrorStyle;
import dev.portcullis.http.Exchange;
import dev.portcullis.http.HttpRouter;
import dev.portcullis.http.Routes;
import dev.portcullis.identity.ApiAuthenticator;
import dev.portcullis.identity.Principal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** The drill API (docs/API.md, docs/DRILLS.md): sandboxes, drill identity tokens, results. Global admins only. */
public final class DrillRoutes implements Routes {

    public record OpenRequest(String scenario, String policy) {}

    public record IdentityRequest(
            @JsonProperty("issued_seconds_ago") Long issuedSecondsAgo,
            @JsonProperty("lifetime_seconds") Long lifetimeSeconds) {}

    private final ApiAuthenticator auth;
    private final DrillSandboxes sandboxes;
    private final java.time.Clock clock;

    public DrillRoutes(ApiAuthenticator auth, DrillSandboxes sandboxes, java.time.Clock clock) {
        this.auth = auth;
        this.sandboxes = sandboxes;
        this.clock = clock;
    }

    @Override
    public void register(HttpRouter router) {
        router.get("/api/v1/drills/sandboxes", ErrorStyle.JSON, this::list)
                .post("/api/v1/drills/sandboxes", ErrorStyle.JSON, this::open)
                .post("/api/v1/drills/sandboxes/{project}/identity-token", ErrorStyle.JSON, this::identityToken)
                .post("/api/v1/drills/sandboxes/{project}/attestation", ErrorStyle.JSON, this::attestation)
                .post("/api/v1/drills/sandboxes/{project}/close", ErrorStyle.JSON, this::close)
                .post("/api/v1/drills/results", ErrorStyle.JSON, this::record);
    }

    public void open(Exchange exchange) {
        Principal principal = auth.require(exchange);
        OpenRequest body = exchange.jsonBody(OpenRequest.class, 64 * 1024);
        DrillSandboxes.Sandbox s = sandboxes.open(principal, body.scenario(), body.policy(), exchange.origin());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("project", s.project());
        out.put("scenario", s.scenario());
        out.put("history", s.history());
        out.put("history_network", s.historyNetwork());
        out.put("history_hour_utc", s.historyHourUtc());
        out.put("publish_windows", s.publishWindows());
        out.put("upload_token", s.uploadToken());
        out.put("approve_token", s.approveToken());
        out.put("retired_tokens", s.retiredTokens());
        out.put("owner_token_id", s.ownerTokenId());
        exchange.status(201).json(out);
    }

    public void list(Exchange exchange) {
        Principal principal = auth.require(exchange);
        exchange.json(Map.of(
                "sandboxes",
                sandboxes.openSandboxes(principal, exchange.origin()).stream()
                        .map(s -> Map.of(
                                "project",
                                s.project(),
                                "scenario",
                                s.scenario(),
                                "opened_at",
                                s.openedAt().toString(),
                                "age_seconds",
                                Math.max(
                                        0,
                                        java.time.Duration.between(s.openedAt(), clock.instant())
                                                .toSeconds())))
                        .toList()));
    }

    public void identityToken(Exchange exchange) {
        Principal principal = auth.require(exchange);
        IdentityRequest body = exchange.jsonBody(IdentityRequest.class, 4 * 1024);
        long ago = body.issuedSecondsAgo() == null ? 0 : body.issuedSecondsAgo();
        long lifetime = body.lifetimeSeconds() == null ? 300 : body.lifetimeSeconds();
        if (ago < 0 || lifetime < 1 || lifetime > 3600 || ago > 86_400) {
            throw new Refusal.Invalid("issued_seconds_ago is 0-86400 and lifetime_seconds 1-3600");
        }
        exchange.json(Map.of(
                "token",
                sandboxes.identityToken(
                        principal,
                        exchange.pathParam("project"),
                        Duration.ofSeconds(ago),
                        Duration.ofSeconds(lifetime),
                        exchange.origin())));
    }

    /** A drill attestation for one file: {@code {"filename", "sha256", "ref", "trigger"}} → {@code {"attestation": {…}}}. */
    public void attestation(Exchange exchange) {
        Principal principal = auth.require(exchange);
        AttestationRequest body = exchange.jsonBody(AttestationRequest.class, 4 * 1024);
        String attestation = sandboxes.attestation(
                principal,
                exchange.pathParam("project"),
                body.filename(),
                body.sha256(),
                body.ref(),
                body.trigger(),
                exchange.origin());
        try {
            exchange.json(Map.of("attestation", JSON.readTree(attestation)));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public record AttestationRequest(String filename, String sha256, String ref, String trigger) {}

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    public void close(Exchange exchange) {
        Principal principal = auth.require(exchange);
        sandboxes.close(principal, exchange.pathParam("project"), exchange.origin());
        exchange.json(Map.of("closed", exchange.pathParam("project")));
    }

    @SuppressWarnings("unchecked")
    public void record(Exchange exchange) {
        Principal principal = auth.require(exchange);
        Map<String, Object> scorecard = exchange.jsonBody(Map.class, 1024 * 1024);
        if (!(scorecard.get("passed") instanceof Boolean)
                || !(scorecard.get("scenarios") instanceof java.util.List<?>)) {
            throw new Refusal.Invalid("a scorecard has 'passed' (true/false) and 'scenarios' (a list)");
        }
        exchange.status(201).json(Map.of("event", sandboxes.record(principal, scorecard, exchange.origin())));
    }
}
