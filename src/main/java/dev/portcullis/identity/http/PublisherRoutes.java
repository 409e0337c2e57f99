package dev.portcullis.identity.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.portcullis.core.Refusal;
import dev.portcullis.http.ErrorStyle;
import dev.portcullis.http.Exchange;
import dev.portcullis.http.HttpRouter;
import dev.portcullis.http.Routes;
import dev.portcullis.identity.ApiAuthenticator;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Principal;
import dev.portcullis.identity.ProjectNames;
import dev.portcullis.identity.TrustedPublisher;
import dev.portcullis.identity.TrustedPublishing;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Trusted publishers of a project under {@code /api/v1/projects/<p>/publishers} (docs/API.md). */
public final class PublisherRoutes implements Routes {

    /** A publisher to add: {@code kind} selects which of the other fields apply. */
    public record Body(
            String otp,
            String kind,
            String owner,
            @JsonProperty("owner_id") String ownerId,
            String repository,
            String workflow,
            String environment,
            @JsonProperty("project_path") String projectPath,
            @JsonProperty("ci_config_path") String ciConfigPath,
            String issuer,
            String email,
            String sub,
            String audience,
            Map<String, String> claims,
            String mode,
            String ref,
            java.util.List<String> triggers,
            String runner) {

        dev.portcullis.identity.BuildRules rules() {
            return new dev.portcullis.identity.BuildRules(ref, triggers, runner);
        }
    }

    private final ApiAuthenticator auth;
    private final TrustedPublishing publishing;

    private final ProjectNames projectNames;

    public PublisherRoutes(ApiAuthenticator auth, TrustedPublishing publishing, ProjectNames projectNames) {
        this.projectNames = projectNames;
        this.auth = auth;
        this.publishing = publishing;
    }

    @Override
    public void register(HttpRouter router) {
        router.get("/api/v1/projects/{project}/publishers", ErrorStyle.JSON, this::list)
                .post("/api/v1/projects/{project}/publishers", ErrorStyle.JSON, this::add)
                .post("/api/v1/projects/{project}/publishers/{id}/remove", ErrorStyle.JSON, this::remove)
                .post("/api/v1/projects/{project}/token-uploads", ErrorStyle.JSON, this::tokenUploads);
    }

    /** The project's publishers, for its readers, approvers and owners only. */
    public void list(Exchange exchange) {
        Principal principal = auth.require(exchange);
        String project = project(exchange);
        if (!principal.can(Permission.READ, project) && !principal.can(Permission.APPROVE, project)) {
            throw new Refusal.NotFound("No publishers of '" + project + "' that this token may read.");
        }
        List<Map<String, Object>> out = publishing.list(project).stream()
                .map(r -> {
                    Map<String, Object> json = new LinkedHashMap<>();
                    json.put("id", r.id());
                    json.put("kind", r.publisher().kind());
                    json.put("description", r.publisher().describe());
                    json.put("issuer", r.publisher().issuer(publishing.settings()));
                    json.put("config", r.publisher().config());
                    json.put("created_at", r.createdAt().toString());
                    json.put("created_by", r.createdBy());
                    return json;
                })
                .toList();
        exchange.json(Map.of(
                "project",
                project,
                "token_uploads",
                publishing.tokenUploads(project).name().toLowerCase(Locale.ROOT),
                "publishers",
                out));
    }

    public void add(Exchange exchange) {
        Principal principal = auth.require(exchange);
        String project = project(exchange);
        Body body = exchange.jsonBody(Body.class, 16 * 1024);
        TrustedPublisher publisher = switch (body.kind() == null ? "" : body.kind()) {
            case "github" ->
                new TrustedPublisher.GitHub(
                        body.owner(),
                        body.ownerId(),
                        body.repository(),
                        body.workflow(),
                        body.environment(),
                        body.rules());
            case "gitlab" ->
                new TrustedPublisher.GitLab(
                        body.issuer(), body.projectPath(), body.ciConfigPath(), body.environment(), body.rules());
            case "google" -> new TrustedPublisher.Google(body.email(), body.sub());
            case "generic" ->
                new TrustedPublisher.Generic(
                        body.issuer(), body.audience(), body.claims() == null ? Map.of() : body.claims());
            default -> throw new Refusal.Invalid("kind must be github, gitlab, google or generic");
        };
        TrustedPublishing.Registered registered =
                publishing.add(principal, body.otp(), project, publisher, exchange.origin());
        exchange.status(201)
                .json(Map.of("id", registered.id(), "project", project, "description", publisher.describe()));
    }

    public void remove(Exchange exchange) {
        Principal principal = auth.require(exchange);
        String project = project(exchange);
        Body body = exchange.jsonBody(Body.class, 16 * 1024);
        long id;
        try {
            id = Long.parseLong(exchange.pathParam("id"));
        } catch (NumberFormatException e) {
            throw new Refusal.NotFound("No such publisher.");
        }
        publishing.remove(principal, body.otp(), project, id, exchange.origin());
        exchange.json(Map.of("removed", id));
    }

    public void tokenUploads(Exchange exchange) {
        Principal principal = auth.require(exchange);
        String project = project(exchange);
        Body body = exchange.jsonBody(Body.class, 16 * 1024);
        TrustedPublishing.TokenUploads mode;
        try {
            mode = TrustedPublishing.TokenUploads.valueOf(
                    String.valueOf(body.mode()).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new Refusal.Invalid("mode must be allow or deny");
        }
        publishing.setTokenUploads(principal, body.otp(), project, mode, exchange.origin());
        exchange.json(Map.of("project", project, "token_uploads", mode.name().toLowerCase(Locale.ROOT)));
    }

    private String project(Exchange exchange) {
        return projectNames.normalize(exchange.pathParam("project"));
    }
}
