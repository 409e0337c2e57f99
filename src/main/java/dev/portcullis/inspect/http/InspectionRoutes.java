package dev.portcullis.inspect.http;

import dev.portcullis.core.Refusal;
import dev.portcullis.http.ErrorStyle;
import dev.portcullis.http.Exchange;
import dev.portcullis.http.HttpRouter;
import dev.portcullis.http.Routes;
import dev.portcullis.identity.ApiAuthenticator;
import dev.portcullis.identity.Principal;
import dev.portcullis.inspect.InspectionService;
import dev.portcullis.publish.Catalog;
import dev.portcullis.publish.Release;
import java.util.Map;

/** What inspecting each file of a release found, and its diff against the previous release: the approver's view (docs/API.md). */
public final class InspectionRoutes implements Routes {

    private final ApiAuthenticator auth;
    private final Catalog catalog;
    private final InspectionService inspection;

    public InspectionRoutes(ApiAuthenticator auth, Catalog catalog, InspectionService inspection) {
        this.auth = auth;
        this.catalog = catalog;
        this.inspection = inspection;
    }

    @Override
    public void register(HttpRouter router) {
        router.get("/api/v1/projects/{project}/releases/{version}/inspection", ErrorStyle.JSON, this::inspection);
    }

    public void inspection(Exchange exchange) {
        Principal principal = auth.require(exchange);
        Release release = catalog.requireRelease(exchange.pathParam("project"), exchange.pathParam("version"));
        if (!principal.maySee(release.project())) {
            throw new Refusal.NotFound("No such release.");
        }
        exchange.json(Map.of(
                "project", release.project(), "version", release.version(), "files", inspection.reports(release)));
    }
}
