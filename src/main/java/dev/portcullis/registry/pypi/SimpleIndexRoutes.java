package dev.portcullis.registry.pypi;

import dev.portcullis.core.Refusal;
import dev.portcullis.http.ErrorStyle;
import dev.portcullis.http.Exchange;
import dev.portcullis.http.HttpRouter;
import dev.portcullis.http.Routes;
import dev.portcullis.publish.Artifact;
import dev.portcullis.publish.Catalog;
import dev.portcullis.publish.Project;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The Simple Repository API: {@code /simple/} and {@code /simple/<project>/}, as HTML (PEP 503)
 * or JSON (PEP 691) by content negotiation, with PEP 700 size, versions and upload-time (the time
 * the file became installable, so installer cool-downs count from approval), PEP 714 core-metadata
 * and PEP 592 yank markers. Only released files appear.
 */
public final class SimpleIndexRoutes implements Routes {

    static final String API_VERSION = "1.3";
    private static final DateTimeFormatter UPLOAD_TIME = DateTimeFormatter.ofPattern(
                    "yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'", java.util.Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private final Catalog catalog;
    private final PypiCatalog pypi;

    SimpleIndexRoutes(Catalog catalog, PypiCatalog pypi) {
        this.catalog = catalog;
        this.pypi = pypi;
    }

    @Override
    public void register(HttpRouter router) {
        router.getPublic("/simple", ErrorStyle.PYPI, this::index)
                .getPublic("/simple/{project}", ErrorStyle.PYPI, this::project);
    }

    public void index(Exchange exchange) {
        if (!exchange.path().endsWith("/")) {
            exchange.redirect(301, "/simple/");
            return;
        }
        String type = MediaTypes.choose(exchange.header("Accept"));
        List<Project> projects = catalog.releasedProjects(PypiEcosystem.ID);
        exchange.header("Vary", "Accept");
        if (type.equals(MediaTypes.JSON_V1)) {
            List<Map<String, Object>> list = new ArrayList<>();
            for (Project p : projects) {
                list.add(Map.of("name", p.displayName()));
            }
            exchange.json(type, Map.of("meta", Map.of("api-version", API_VERSION), "projects", list));
            return;
        }
        StringBuilder html = htmlHead("Simple index");
        for (Project p : projects) {
            html.append("    <a href=\"/simple/")
                    .append(escape(p.name()))
                    .append("/\">")
                    .append(escape(p.displayName()))
                    .append("</a><br />\n");
        }
        exchange.text(htmlType(type), html.append("  </body>\n</html>\n").toString());
    }

    public void project(Exchange exchange) {
        String requested = exchange.pathParam("project");
        if (requested == null || requested.isEmpty()) {
            index(exchange); // Undertow routes "/simple/" here, with an empty project
            return;
        }
        String normalized = normalizedOr404(requested);
        // PEP 503: project URLs end in '/', and non-normalized names redirect to the normalized one.
        if (!normalized.equals(requested) || !exchange.path().endsWith("/")) {
            exchange.redirect(301, "/simple/" + normalized + "/");
            return;
        }
        List<Artifact> files = catalog.releasedArtifacts(normalized);
        if (files.isEmpty()) {
            throw new Refusal.NotFound("Not Found");
        }
        Map<Long, PypiFiles.Attributes> attributes = pypi.attributes(files);
        String type = MediaTypes.choose(exchange.header("Accept"));
        exchange.header("Vary", "Accept");
        if (type.equals(MediaTypes.JSON_V1)) {
            exchange.json(type, projectJson(normalized, files, attributes));
            return;
        }
        StringBuilder html = htmlHead("Links for " + normalized);
        html.append("    <h1>Links for ").append(escape(normalized)).append("</h1>\n");
        for (Artifact f : files) {
            PypiFiles.Attributes a = attributes.get(f.id());
            html.append("    <a href=\"")
                    .append(escape(fileUrl(f)))
                    .append("#sha256=")
                    .append(f.sha256())
                    .append('"');
            if (a.requiresPython() != null) {
                html.append(" data-requires-python=\"")
                        .append(escape(a.requiresPython()))
                        .append('"');
            }
            if (a.metadataSha256() != null) {
                html.append(" data-dist-info-metadata=\"sha256=")
                        .append(a.metadataSha256())
                        .append('"');
                html.append(" data-core-metadata=\"sha256=")
                        .append(a.metadataSha256())
                        .append('"');
            }
            if (f.yanked()) {
                html.append(" data-yanked=\"")
                        .append(escape(f.yankedReason() == null ? "" : f.yankedReason()))
                        .append('"');
            }
            html.append('>').append(escape(f.filename())).append("</a><br />\n");
        }
        exchange.text(htmlType(type), html.append("  </body>\n</html>\n").toString());
    }

    private Map<String, Object> projectJson(
            String normalized, List<Artifact> files, Map<Long, PypiFiles.Attributes> attributes) {
        LinkedHashSet<String> versions = new LinkedHashSet<>();
        List<Map<String, Object>> out = new ArrayList<>();
        for (Artifact f : files) {
            PypiFiles.Attributes a = attributes.get(f.id());
            versions.add(f.version());
            Map<String, Object> file = new LinkedHashMap<>();
            file.put("filename", f.filename());
            file.put("url", fileUrl(f));
            file.put("hashes", Map.of("sha256", f.sha256()));
            file.put("requires-python", a.requiresPython());
            file.put("size", f.size());
            file.put("upload-time", UPLOAD_TIME.format(f.releasedAt()));
            Object yanked = f.yanked()
                    ? (f.yankedReason() == null || f.yankedReason().isEmpty() ? true : f.yankedReason())
                    : false;
            file.put("yanked", yanked);
            // PEP 740: where the file's verified provenance is, or null.
            file.put(
                    "provenance",
                    f.provenanceVerified()
                            ? "/integrity/" + f.project() + "/" + f.version() + "/"
                                    + URLEncoder.encode(f.filename(), StandardCharsets.UTF_8) + "/provenance"
                            : null);
            Object metadata = a.metadataSha256() == null ? false : Map.of("sha256", a.metadataSha256());
            // PEP 714: "core-metadata", plus "data-dist-info-metadata" for older clients. Never the
            // original "dist-info-metadata" key: pip 22.3-23.0 crash on its dict value (PEP 714's cause).
            file.put("core-metadata", metadata);
            file.put("data-dist-info-metadata", metadata);
            out.add(file);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("meta", Map.of("api-version", API_VERSION));
        body.put("name", normalized);
        body.put("versions", versions);
        body.put("files", out);
        return body;
    }

    static String fileUrl(Artifact f) {
        return "/files/" + f.project() + "/" + URLEncoder.encode(f.filename(), StandardCharsets.UTF_8);
    }

    private static String normalizedOr404(String name) {
        if (!ProjectName.isValid(name)) {
            throw new Refusal.NotFound("Not Found");
        }
        return ProjectName.normalize(name);
    }

    private static String htmlType(String chosen) {
        return chosen.equals(MediaTypes.HTML_V1) ? MediaTypes.HTML_V1 : "text/html; charset=utf-8";
    }

    private static StringBuilder htmlHead(String title) {
        return new StringBuilder("<!DOCTYPE html>\n<html>\n  <head>\n")
                .append("    <meta name=\"pypi:repository-version\" content=\"")
                .append(API_VERSION)
                .append("\">\n")
                .append("    <title>")
                .append(escape(title))
                .append("</title>\n  </head>\n  <body>\n");
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#x27;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
