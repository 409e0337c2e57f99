package dev.portcullis.gate.http;

import dev.portcullis.core.Refusal;
import dev.portcullis.gate.Policies;
import dev.portcullis.http.ErrorStyle;
import dev.portcullis.http.Exchange;
import dev.portcullis.http.HttpRouter;
import dev.portcullis.http.Routes;
import dev.portcullis.identity.ApiAuthenticator;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Principal;
import java.util.LinkedHashMap;
import java.util.Map;

/** A project's policy: {@code GET/POST /api/v1/projects/<p>/policy} and confirmation of a pending change. */
public final class PolicyRoutes implements Routes {

    /** A proposed policy: the YAML text and a fresh one-time code. */
    public record Body(String document, String otp) {}

    private final ApiAuthenticator auth;
    private final Policies policies;

    private final dev.portcullis.publish.Ecosystems ecosystems;

    public PolicyRoutes(ApiAuthenticator auth, Policies policies, dev.portcullis.publish.Ecosystems ecosystems) {
        this.ecosystems = ecosystems;
        this.auth = auth;
        this.policies = policies;
    }

    @Override
    public void register(HttpRouter router) {
        router.get("/api/v1/projects/{project}/policy", ErrorStyle.JSON, this::show)
                .post("/api/v1/projects/{project}/policy", ErrorStyle.JSON, this::propose)
                .post("/api/v1/projects/{project}/policy/{version}/confirm", ErrorStyle.JSON, this::confirm);
    }

    /**
     * The project's policy versions, for its readers, approvers and owners. Webhook URLs carry their
     * receivers' secrets: only the project's owner (or a global admin) sees them whole.
     */
    public void show(Exchange exchange) {
        Principal principal = auth.require(exchange);
        String project = project(exchange);
        boolean owner = principal.can(Permission.ADMIN, project);
        if (!owner && !principal.can(Permission.READ, project) && !principal.can(Permission.APPROVE, project)) {
            throw new Refusal.NotFound("No policy for '" + project + "' that this token may read.");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("project", project);
        out.put(
                "versions",
                policies.versions(project).stream()
                        .map(v -> {
                            Map<String, Object> json = new LinkedHashMap<>();
                            json.put("version", v.version());
                            json.put("status", v.status());
                            json.put("created_at", v.createdAt().toString());
                            json.put("created_by", v.createdBy());
                            json.put("confirmed_by", v.confirmedBy());
                            json.put("document", owner ? v.document() : Policies.redacted(v.document()));
                            return json;
                        })
                        .toList());
        out.put(
                "active",
                policies.activeVersion(project).map(Policies.Version::version).orElse(0));
        exchange.json(out);
    }

    public void propose(Exchange exchange) {
        Principal principal = auth.require(exchange);
        Body body = exchange.jsonBody(Body.class, 128 * 1024);
        Policies.Version version =
                policies.propose(principal, body.otp(), project(exchange), body.document(), exchange.origin());
        exchange.status(201)
                .json(Map.of("project", version.project(), "version", version.version(), "status", version.status()));
    }

    public void confirm(Exchange exchange) {
        Principal principal = auth.require(exchange);
        Body body = exchange.jsonBody(Body.class, 16 * 1024);
        int number;
        try {
            number = Integer.parseInt(exchange.pathParam("version"));
        } catch (NumberFormatException e) {
            throw new Refusal.NotFound("No such policy version.");
        }
        Policies.Version version =
                policies.confirm(principal, body.otp(), project(exchange), number, exchange.origin());
        exchange.json(Map.of("project", version.project(), "version", version.version(), "status", version.status()));
    }

    private String project(Exchange exchange) {
        return ecosystems.project(exchange.pathParam("project")).key();
    }
}
