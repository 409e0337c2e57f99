package dev.portcullis.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.core.Refusal;
import dev.portcullis.http.ErrorStyle;
import dev.portcullis.http.Routes;
import dev.portcullis.identity.ApiAuthenticator;
import dev.portcullis.identity.Principal;
import dev.portcullis.inspect.Finding;
import dev.portcullis.inspect.ManifestEntry;
import dev.portcullis.inspect.PackageFormat;
import dev.portcullis.inspect.PackageMetadata;
import dev.portcullis.inspect.Severity;
import dev.portcullis.publish.Artifact;
import dev.portcullis.publish.ContentInspection;
import dev.portcullis.publish.Ecosystem;
import dev.portcullis.publish.Ecosystems;
import dev.portcullis.publish.Submission;
import dev.portcullis.publish.UploadResult;
import dev.portcullis.registry.Registry;
import dev.portcullis.store.Database;
import dev.portcullis.store.StagedBlob;
import dev.portcullis.upstream.UpstreamProtocol;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.jdbi.v3.core.Handle;

/**
 * A second ecosystem that exists only in tests: the smallest complete registry plug-in, to prove
 * that the core is neutral (a project of its own can have a PyPI project's name, and nothing in the
 * core changes for it) and to run the registry contract against something that is not PyPI.
 *
 * <p>Its package files are zips named {@code NAME-VERSION.zip} holding a {@code fake.json} manifest
 * ({@code {"name", "version", "dependencies": ["other@^1"]}}). Protocol: {@code PUT
 * /fake/P/V/FILE} (the body is the file, Bearer token; 201 staged, 200 unchanged, 400/403/409 with
 * {@code {"error"}}), {@code GET /fake/P} (released files), {@code GET /fake/P/FILE} (a released
 * file's bytes). Names: lower-case letters, digits and '-'; versions: dotted numbers, trailing
 * {@code .0}s ignored.
 */
public final class FakeRegistry implements Registry {

    public static final String ID = "fake";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Ecosystem ecosystem = new Ecosystem() {
        @Override
        public String id() {
            return ID;
        }

        @Override
        public Named name(String written) {
            if (written == null || !written.toLowerCase(Locale.ROOT).matches("[a-z0-9][a-z0-9-]{0,50}")) {
                throw new Refusal.Invalid("'" + written + "' is not a fake project name");
            }
            return new Named(written, written.toLowerCase(Locale.ROOT));
        }

        @Override
        public Versioned version(String written) {
            if (written == null || !written.matches("[0-9]+(\\.[0-9]+){0,5}")) {
                throw new Refusal.Invalid("'" + written + "' is not a fake version");
            }
            return new Versioned(written, written.replaceAll("(\\.0)+$", ""));
        }

        /** {@code name@constraint}. */
        @Override
        public Dependency dependency(String written) {
            int at = written.indexOf('@', 1);
            return at < 0
                    ? new Dependency(written.strip(), "", written)
                    : new Dependency(written.substring(0, at).strip(), written.substring(at + 1), written);
        }
    };

    private final PackageFormat format = new PackageFormat() {
        @Override
        public Ecosystem ecosystem() {
            return ecosystem;
        }

        @Override
        public boolean reads(String filename) {
            return filename.endsWith(".zip");
        }

        @Override
        public boolean isMetadata(String path) {
            return path.equals("fake.json");
        }

        @Override
        public PackageMetadata metadata(String filename, Map<String, byte[]> files) {
            byte[] manifest = files.get("fake.json");
            if (manifest == null) {
                return PackageMetadata.NONE;
            }
            try {
                JsonNode m = JSON.readTree(manifest);
                List<String> dependencies = new ArrayList<>();
                m.path("dependencies").forEach(d -> dependencies.add(d.asText()));
                return new PackageMetadata(
                        m.path("name").asText(null),
                        m.path("version").asText(null),
                        null,
                        dependencies,
                        Map.of(),
                        null,
                        Map.of());
            } catch (IOException e) {
                return PackageMetadata.NONE;
            }
        }

        @Override
        public List<Finding> check(
                String filename, PackageMetadata metadata, Map<String, byte[]> files, List<ManifestEntry> manifest) {
            if (metadata.name() == null || !filename.equals(metadata.name() + "-" + metadata.version() + ".zip")) {
                return List.of(Finding.of(
                        "metadata", Severity.HIGH, "fake.json does not name this file's project and version"));
            }
            return List.of();
        }

        @Override
        public String stablePath(String filename, String path) {
            return path;
        }

        @Override
        public String variant(String filename) {
            return "zip";
        }
    };

    @Override
    public Ecosystem ecosystem() {
        return ecosystem;
    }

    @Override
    public PackageFormat format() {
        return format;
    }

    @Override
    public Optional<UpstreamProtocol> upstream(Database database) {
        return Optional.empty();
    }

    /** A fake package file: a zip with {@code fake.json} naming {@code name} and {@code version}, and {@code files}. */
    public static byte[] packageFile(
            String name, String version, List<String> dependencies, Map<String, String> files) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("fake.json"));
            zip.write(JSON.writeValueAsBytes(Map.of("name", name, "version", version, "dependencies", dependencies)));
            for (Map.Entry<String, String> f : files.entrySet()) {
                zip.putNextEntry(new ZipEntry(f.getKey()));
                zip.write(f.getValue().getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    @Override
    public Routes routes(Services s) {
        ApiAuthenticator auth = new ApiAuthenticator(s.identity());
        return router -> router.put("/fake/{project}/{version}/{filename}", ErrorStyle.JSON, exchange -> {
                    Principal principal = auth.require(exchange);
                    StagedBlob content = s.publish()
                            .receive(exchange.body(s.publish().settings().maxFileBytes()));
                    String filename = exchange.pathParam("filename");
                    UploadResult result = s.publish()
                            .upload(
                                    principal,
                                    new Submission(
                                            ecosystem,
                                            exchange.pathParam("project"),
                                            exchange.pathParam("version"),
                                            filename,
                                            "zip",
                                            content,
                                            null,
                                            rules(filename)),
                                    exchange.origin());
                    switch (result) {
                        case UploadResult.Staged staged ->
                            exchange.status(201).json(Map.of("staged", staged.filename(), "version", staged.version()));
                        case UploadResult.Unchanged unchanged ->
                            exchange.json(Map.of("unchanged", unchanged.filename()));
                        case UploadResult.Refused refused ->
                            throw switch (refused.why()) {
                                case NOT_AUTHENTICATED, FORBIDDEN -> new Refusal.Forbidden(refused.message());
                                case FILE_EXISTS, RELEASE_DECIDED -> new Refusal.Conflict(refused.message());
                                case INVALID, TOO_LARGE -> new Refusal.Invalid(refused.message());
                            };
                    }
                })
                .get("/fake/{project}", ErrorStyle.JSON, exchange -> {
                    String key = s.catalog()
                            .ecosystems()
                            .project(ecosystem, exchange.pathParam("project"))
                            .key();
                    exchange.json(Map.of(
                            "files",
                            s.catalog().releasedArtifacts(key).stream()
                                    .map(a -> Map.of(
                                            "filename", a.filename(), "sha256", a.sha256(), "version", a.version()))
                                    .toList()));
                })
                .get("/fake/{project}/{filename}", ErrorStyle.JSON, exchange -> {
                    String key = s.catalog()
                            .ecosystems()
                            .project(ecosystem, exchange.pathParam("project"))
                            .key();
                    Artifact file = s.catalog()
                            .findReleasedArtifact(key, exchange.pathParam("filename"))
                            .orElseThrow(() -> new Refusal.NotFound("Not Found"));
                    exchange.header("Content-Type", "application/zip");
                    try (InputStream in =
                            Files.newInputStream(s.blobs().find(file.sha256()).orElseThrow())) {
                        in.transferTo(exchange.output());
                    }
                });
    }

    /** The fake protocol's checks: the file name is {@code NAME-VERSION.zip}, and its manifest says so too. */
    private static Submission.Rules rules(String filename) {
        return new Submission.Rules() {
            @Override
            public Optional<String> check(Ecosystems.ProjectRef project, Ecosystem.Versioned version) {
                return filename.equals(project.name().normalized() + "-" + version.display() + ".zip")
                        ? Optional.empty()
                        : Optional.of("the file must be named " + project.name().normalized() + "-" + version.display()
                                + ".zip");
            }

            @Override
            public Optional<String> checkContent(
                    Ecosystems.ProjectRef project, Ecosystem.Versioned version, ContentInspection.Declared declared) {
                if (declared == null || declared.name() == null) {
                    return Optional.of("the file has no readable fake.json");
                }
                return declared.name().equals(project.name().normalized())
                                && version.display().equals(declared.version())
                        ? Optional.empty()
                        : Optional.of(
                                "fake.json names " + declared.name() + " " + declared.version() + ", not this upload");
            }

            @Override
            public Optional<String> conflict(List<Artifact> releaseFiles) {
                return Optional.empty();
            }

            @Override
            public String fileExists(Handle h, Artifact existing) {
                return "file " + existing.filename() + " already exists with other bytes";
            }

            @Override
            public void record(Handle h, long fileId) {}
        };
    }
}
