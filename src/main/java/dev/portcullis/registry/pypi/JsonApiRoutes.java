package dev.portcullis.registry.pypi;

import dev.portcullis.core.Refusal;
import dev.portcullis.http.ErrorStyle;
import dev.portcullis.http.Exchange;
import dev.portcullis.http.HttpRouter;
import dev.portcullis.http.Routes;
import dev.portcullis.publish.Artifact;
import dev.portcullis.publish.Catalog;
import dev.portcullis.publish.Project;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * PyPI's JSON API, {@code /pypi/<project>/json} and {@code /pypi/<project>/<version>/json}, over
 * released files only. "Latest" is the most recently released version (by approval time).
 */
public final class JsonApiRoutes implements Routes {

    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern(
                    "yyyy-MM-dd'T'HH:mm:ss", java.util.Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern(
                    "yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'", java.util.Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private final Catalog catalog;
    private final PypiCatalog pypi;
    private final Supplier<String> baseUrl;

    JsonApiRoutes(Catalog catalog, PypiCatalog pypi, Supplier<String> baseUrl) {
        this.catalog = catalog;
        this.pypi = pypi;
        this.baseUrl = baseUrl;
    }

    @Override
    public void register(HttpRouter router) {
        router.getPublic("/pypi/{project}/json", ErrorStyle.JSON, this::project)
                .getPublic("/pypi/{project}/{version}/json", ErrorStyle.JSON, this::version);
    }

    public void project(Exchange exchange) {
        Released released = released(exchange.pathParam("project"));
        String latest = released.files().getLast().version();
        exchange.jsonWithEtag(body(released, latest));
    }

    public void version(Exchange exchange) {
        Released released = released(exchange.pathParam("project"));
        String requested;
        try {
            requested = Pep440Version.parse(exchange.pathParam("version")).canonical();
        } catch (IllegalArgumentException e) {
            throw new Refusal.NotFound("Not Found");
        }
        String version = released.files().stream()
                .map(Artifact::version)
                .filter(v -> Pep440Version.parse(v).canonical().equals(requested))
                .findFirst()
                .orElseThrow(() -> new Refusal.NotFound("Not Found"));
        exchange.jsonWithEtag(body(released, version));
    }

    private record Released(Project project, List<Artifact> files) {}

    private Released released(String name) {
        if (!ProjectName.isValid(name)) {
            throw new Refusal.NotFound("Not Found");
        }
        String normalized = ProjectName.normalize(name);
        Project project = catalog.findProject(normalized).orElseThrow(() -> new Refusal.NotFound("Not Found"));
        List<Artifact> files = catalog.releasedArtifacts(normalized);
        if (files.isEmpty()) {
            throw new Refusal.NotFound("Not Found");
        }
        return new Released(project, files);
    }

    private Map<String, Object> body(Released released, String version) {
        Map<String, List<Map<String, Object>>> releases = new LinkedHashMap<>();
        List<Map<String, Object>> urls = new ArrayList<>();
        String requiresPython = null;
        Map<Long, PypiFiles.Attributes> attributes = pypi.attributes(released.files());
        for (Artifact f : released.files()) {
            PypiFiles.Attributes a = attributes.get(f.id());
            Map<String, Object> file = file(f, a);
            releases.computeIfAbsent(f.version(), v -> new ArrayList<>()).add(file);
            if (f.version().equals(version)) {
                urls.add(file);
                requiresPython = a.requiresPython() == null ? requiresPython : a.requiresPython();
            }
        }
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("name", released.project().displayName());
        info.put("version", version);
        info.put("requires_python", requiresPython);
        info.put("package_url", baseUrl.get() + "/pypi/" + released.project().name() + "/");
        info.put("release_url", baseUrl.get() + "/pypi/" + released.project().name() + "/" + version + "/");
        info.put("yanked", urls.stream().allMatch(u -> Boolean.TRUE.equals(u.get("yanked"))));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("info", info);
        body.put("last_serial", 0);
        body.put("releases", releases);
        body.put("urls", urls);
        body.put("vulnerabilities", List.of());
        return body;
    }

    private Map<String, Object> file(Artifact f, PypiFiles.Attributes a) {
        Map<String, Object> file = new LinkedHashMap<>();
        file.put("filename", f.filename());
        file.put("url", baseUrl.get() + SimpleIndexRoutes.fileUrl(f));
        Map<String, Object> digests = new LinkedHashMap<>();
        digests.put("sha256", f.sha256());
        digests.put("blake2b_256", a.blake2b256());
        file.put("digests", digests);
        file.put("size", f.size());
        file.put("packagetype", PypiUpload.type(f.kind()).wireName());
        file.put("python_version", a.pythonVersion());
        file.put("requires_python", a.requiresPython());
        file.put("upload_time", SECONDS.format(f.releasedAt()));
        file.put("upload_time_iso_8601", ISO.format(f.releasedAt()));
        file.put("yanked", f.yanked());
        file.put("yanked_reason", f.yankedReason());
        return file;
    }
}
