package dev.portcullis.upstream.http;

import dev.portcullis.core.Refusal;
import dev.portcullis.http.ErrorStyle;
import dev.portcullis.http.Exchange;
import dev.portcullis.http.HttpRouter;
import dev.portcullis.http.Routes;
import dev.portcullis.identity.ApiAuthenticator;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Principal;
import dev.portcullis.upstream.Promoter;
import dev.portcullis.upstream.UpstreamWatcher;
import java.util.LinkedHashMap;
import java.util.Map;

/** The upstream API: watches ({@code /api/v1/watch}) and promotion targets (docs/API.md). */
public final class UpstreamRoutes implements Routes {

    public record WatchRequest(
            String index,
            String ecosystem,
            String name,
            Boolean dependency,
            String project,

            @com.fasterxml.jackson.annotation.JsonProperty("accept_existing")
            Boolean acceptExisting,

            String otp) {}

    public record TargetRequest(
            @com.fasterxml.jackson.annotation.JsonProperty("upload_url")
            String uploadUrl,

            String credential,
            String otp) {}

    private final ApiAuthenticator auth;
    private final UpstreamWatcher watcher;
    private final Promoter promoter;

    public UpstreamRoutes(ApiAuthenticator auth, UpstreamWatcher watcher, Promoter promoter) {
        this.auth = auth;
        this.watcher = watcher;
        this.promoter = promoter;
    }

    @Override
    public void register(HttpRouter router) {
        router.get("/api/v1/watch", ErrorStyle.JSON, this::list)
                .post("/api/v1/watch", ErrorStyle.JSON, this::add)
                .post("/api/v1/watch/{id}/remove", ErrorStyle.JSON, this::remove)
                .get("/api/v1/projects/{project}/upstream", ErrorStyle.JSON, this::showTarget)
                .post("/api/v1/projects/{project}/upstream", ErrorStyle.JSON, this::setTarget);
    }

    public void list(Exchange exchange) {
        Principal principal = auth.require(exchange);
        if (!principal.canEverywhere(Permission.READ)) {
            throw new Refusal.Forbidden("Forbidden: listing watches needs a global read role (admin or auditor).");
        }
        exchange.json(Map.of(
                "watches", watcher.list().stream().map(UpstreamRoutes::watch).toList()));
    }

    public void add(Exchange exchange) {
        Principal principal = auth.require(exchange);
        WatchRequest body = exchange.jsonBody(WatchRequest.class, 16 * 1024);
        if (body.name() == null) {
            throw new Refusal.Invalid("name must be a valid project name");
        }
        exchange.status(201)
                .json(watch(watcher.add(
                        principal,
                        body.index() == null ? "pypi" : body.index(),
                        body.ecosystem(),
                        body.name(),
                        Boolean.TRUE.equals(body.dependency()),
                        body.project(),
                        Boolean.TRUE.equals(body.acceptExisting()),
                        exchange.origin())));
    }

    public void remove(Exchange exchange) {
        Principal principal = auth.require(exchange);
        WatchRequest body = exchange.jsonBody(WatchRequest.class, 16 * 1024);
        long id;
        try {
            id = Long.parseLong(exchange.pathParam("id"));
        } catch (NumberFormatException e) {
            throw new Refusal.NotFound("No such watch.");
        }
        watcher.remove(principal, body.otp(), id, exchange.origin());
        exchange.json(Map.of("removed", id));
    }

    public void setTarget(Exchange exchange) {
        Principal principal = auth.require(exchange);
        TargetRequest body = exchange.jsonBody(TargetRequest.class, 64 * 1024);
        exchange.status(201)
                .json(target(promoter.set(
                        principal,
                        body.otp(),
                        exchange.pathParam("project"),
                        body.uploadUrl(),
                        body.credential(),
                        exchange.origin())));
    }

    public void showTarget(Exchange exchange) {
        Principal principal = auth.require(exchange);
        String project = watcher.projectKey(exchange.pathParam("project"));
        if (!principal.can(Permission.READ, project)) {
            throw new Refusal.NotFound("No upstream for '" + project + "'.");
        }
        exchange.json(target(promoter.target(project)
                .orElseThrow(() -> new Refusal.NotFound("No upstream for '" + project + "'."))));
    }

    private static Map<String, Object> watch(UpstreamWatcher.Watch w) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", w.id());
        out.put("ecosystem", w.ecosystem());
        out.put("name", w.name());
        out.put("index", w.indexUrl());
        out.put("kind", w.kind());
        out.put("project", w.localProject());
        out.put("state", w.state());
        out.put("failures", w.failures());
        out.put(
                "last_ok_at",
                w.lastOkAt() == null
                        ? null
                        : java.time.Instant.ofEpochMilli(w.lastOkAt()).toString());
        out.put("last_error", w.lastError());
        return out;
    }

    private static Map<String, Object> target(Promoter.Target t) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("project", t.project());
        out.put("upload_url", t.uploadUrl());
        out.put("created_at", t.createdAt().toString());
        out.put("created_by", t.createdBy());
        out.put("last_used_at", t.lastUsedAt() == null ? null : t.lastUsedAt().toString());
        return out;
    }
}
