package dev.portcullis.registry.pypi;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.http.ErrorStyle;
import dev.portcullis.http.Exchange;
import dev.portcullis.http.HttpRouter;
import dev.portcullis.http.Routes;
import dev.portcullis.provenance.ProvenanceStore;
import dev.portcullis.publish.Catalog;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * PEP 740's Integrity API: {@code GET /integrity/<project>/<version>/<filename>/provenance}, the
 * verified attestations of a released file grouped under the trusted publisher they match, in
 * PyPI's response shape and negotiation (warehouse/api/integrity.py).
 */
public final class IntegrityRoutes implements Routes {

    private static final String MEDIA_TYPE = "application/vnd.pypi.integrity.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Catalog catalog;
    private final ProvenanceStore provenance;

    IntegrityRoutes(Catalog catalog, ProvenanceStore provenance) {
        this.catalog = catalog;
        this.provenance = provenance;
    }

    @Override
    public void register(HttpRouter router) {
        router.getPublic("/integrity/{project}/{version}/{filename}/provenance", ErrorStyle.JSON, this::provenance);
    }

    public void provenance(Exchange exchange) throws Exception {
        String accept = exchange.header("Accept");
        exchange.header("Vary", "Accept");
        String type = accept == null || accept.contains(MEDIA_TYPE) || accept.contains("*/*")
                ? MEDIA_TYPE
                : accept.contains("application/json") ? "application/json" : null;
        if (type == null) {
            exchange.status(406).json(Map.of("message", "Request not acceptable"));
            return;
        }
        String filename = exchange.pathParam("filename");
        Optional<ProvenanceStore.Verified> stored = Optional.empty();
        try {
            String project = ProjectName.of(exchange.pathParam("project")).normalized();
            String version = Pep440Version.parse(exchange.pathParam("version")).canonical();
            stored = catalog.findReleasedArtifact(project, filename)
                    .filter(f -> Pep440Version.parse(f.version()).canonical().equals(version))
                    .flatMap(f -> provenance.verified(f.id()));
        } catch (IllegalArgumentException e) {
            // unknown shapes have no provenance
        }
        if (stored.isEmpty()) {
            exchange.status(404).json(Map.of("message", "No provenance available for " + filename));
            return;
        }
        Map<String, String> config =
                JSON.readValue(stored.get().publisherConfig(), new TypeReference<Map<String, String>>() {});
        Map<String, Object> publisher = new LinkedHashMap<>();
        switch (stored.get().publisherKind()) {
            case "github" -> {
                publisher.put("kind", "GitHub");
                publisher.put("repository", config.get("owner") + "/" + config.get("repository"));
                publisher.put("workflow", config.get("workflow"));
                publisher.put("environment", config.get("environment"));
            }
            case "gitlab" -> {
                publisher.put("kind", "GitLab");
                publisher.put("repository", config.get("project_path"));
                publisher.put("workflow_filepath", config.get("ci_config_path"));
                publisher.put("environment", config.get("environment"));
            }
            default -> {
                publisher.put("kind", "Google");
                publisher.put("email", config.get("email"));
            }
        }
        List<JsonNode> attestations =
                JSON.readValue(stored.get().attestations(), new TypeReference<List<JsonNode>>() {});
        exchange.json(
                type,
                Map.of(
                        "version",
                        1,
                        "attestation_bundles",
                        List.of(Map.of("publisher", publisher, "attestations", attestations))));
    }
}
