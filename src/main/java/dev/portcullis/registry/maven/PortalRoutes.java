package dev.portcullis.registry.maven;

import dev.portcullis.core.Refusal;
import dev.portcullis.gate.Decision;
import dev.portcullis.gate.ReleaseGate;
import dev.portcullis.http.ErrorStyle;
import dev.portcullis.http.Exchange;
import dev.portcullis.http.HttpRouter;
import dev.portcullis.http.MalformedMultipartException;
import dev.portcullis.http.MultipartReader;
import dev.portcullis.http.Routes;
import dev.portcullis.identity.ApiAuthenticator;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Principal;
import dev.portcullis.publish.Catalog;
import dev.portcullis.publish.Ecosystems;
import dev.portcullis.publish.PublishService;
import dev.portcullis.publish.Release;
import dev.portcullis.publish.ReleaseState;
import dev.portcullis.publish.Submission;
import dev.portcullis.publish.UploadResult;
import dev.portcullis.store.BlobTooLargeException;
import dev.portcullis.store.StagedBlob;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Sonatype's Central Publisher Portal API, so tools that publish to Maven Central (the
 * central-publishing-maven-plugin, scripts against the Portal) publish to Portcullis unchanged
 * (docs/MAVEN.md). A bundle — a zip in repository layout — is checked whole before anything is
 * staged: every entry a repository path of one project the token may upload to, every checksum
 * the digest of the file it names, no version already decided; then its files are staged exactly
 * as {@code mvn deploy}'s PUTs are, one held release per {@code groupId:artifactId} version, and
 * the deployment id answered. "Publish" is an approval of each of its releases (the approver's
 * second factor in {@code X-Portcullis-OTP}; the policy's N-of-M counts it), "drop" a rejection;
 * the status is read from the releases' states.
 */
final class PortalRoutes implements Routes {

    private static final String OTP_HEADER = "X-Portcullis-OTP";
    private static final int MAX_ENTRIES = 2_000;
    /** A bundle's files together may be this many times the largest file allowed (jar, sources, javadoc, pom, …). */
    private static final int BUNDLE_FILES = 4;

    private final ApiAuthenticator auth;
    private final PublishService publish;
    private final Catalog catalog;
    private final ReleaseGate gate;
    private final MavenEcosystem ecosystem;
    private final Deployments deployments;
    private final Clock clock;

    PortalRoutes(
            ApiAuthenticator auth,
            PublishService publish,
            Catalog catalog,
            ReleaseGate gate,
            MavenEcosystem ecosystem,
            Deployments deployments,
            Clock clock) {
        this.auth = auth;
        this.publish = publish;
        this.catalog = catalog;
        this.gate = gate;
        this.ecosystem = ecosystem;
        this.deployments = deployments;
        this.clock = clock;
    }

    @Override
    public void register(HttpRouter router) {
        router.post("/api/v1/publisher/upload", ErrorStyle.MAVEN, this::upload)
                .post("/api/v1/publisher/status", ErrorStyle.MAVEN, this::status)
                .post("/api/v1/publisher/deployment/{id}", ErrorStyle.MAVEN, this::publishDeployment)
                .delete("/api/v1/publisher/deployment/{id}", ErrorStyle.MAVEN, this::drop)
                .get("/api/v1/publisher/published", ErrorStyle.MAVEN, this::published);
    }

    // ---------------------------------------------------------------- upload

    private void upload(Exchange exchange) throws IOException {
        Principal principal = auth.require(exchange);
        String type = exchange.query("publishingType").orElse("USER_MANAGED").toUpperCase(Locale.ROOT);
        if (!type.equals("USER_MANAGED") && !type.equals("AUTOMATIC")) {
            throw new Refusal.Invalid("publishingType is USER_MANAGED or AUTOMATIC, not " + type);
        }
        String boundary = MultipartReader.boundaryOf(exchange.header("Content-Type"));
        if (boundary == null) {
            throw new Refusal.Invalid("the bundle is sent as multipart/form-data, in a part named bundle");
        }
        StagedBlob bundle = null;
        try (InputStream body = exchange.body(publish.settings().maxFileBytes() + 64 * 1024)) {
            MultipartReader reader = new MultipartReader(body, boundary);
            for (MultipartReader.Part part = reader.next(); part != null; part = reader.next()) {
                if ("bundle".equals(part.name()) && bundle == null) {
                    bundle = publish.receive(part.body());
                } else {
                    part.body().transferTo(java.io.OutputStream.nullOutputStream());
                }
            }
        } catch (MalformedMultipartException e) {
            discard(bundle);
            throw new Refusal.Invalid("the request is not well-formed multipart/form-data: " + e.getMessage());
        } catch (BlobTooLargeException e) {
            discard(bundle);
            throw new Refusal.TooLarge(
                    "the bundle is larger than " + publish.settings().maxFileBytes() + " bytes");
        }
        if (bundle == null) {
            throw new Refusal.Invalid("no part named bundle");
        }
        try {
            List<Long> releases = stage(principal, bundle, exchange);
            String id = UUID.randomUUID().toString();
            String name = exchange.query("name").orElse("Deployment");
            deployments.insert(new Deployments.Deployment(
                    id,
                    name.length() > 255 ? name.substring(0, 255) : name,
                    type,
                    principal.actor(),
                    clock.instant(),
                    releases));
            exchange.status(201).text("text/plain; charset=utf-8", id);
        } finally {
            discard(bundle);
        }
    }

    /** One file of the bundle: where it goes, its bytes received (inflated once) and their digests. */
    private record Entry(ZipEntry zip, MavenPath path, StagedBlob content, MavenFiles.Digests digests) {}

    /**
     * Checks the whole bundle, then stages its files; returns the releases they went into. Each
     * file is inflated once, into the blob store's temporary area (bounded there by the file size
     * limit); on any refusal every one of them is discarded.
     */
    private List<Long> stage(Principal principal, StagedBlob bundle, Exchange exchange) throws IOException {
        List<Entry> files = new ArrayList<>();
        try (ZipFile zip = new ZipFile(bundle.path().toFile())) {
            Map<String, String> checksums = new LinkedHashMap<>();
            int count = 0;
            long total = 0;
            long maxFile = publish.settings().maxFileBytes();
            Set<String> names = new HashSet<>();
            for (Enumeration<? extends ZipEntry> all = zip.entries(); all.hasMoreElements(); ) {
                ZipEntry entry = all.nextElement();
                if (++count > MAX_ENTRIES) {
                    throw invalid(principal, exchange, "the bundle has more than " + MAX_ENTRIES + " entries");
                }
                if (entry.isDirectory()) {
                    continue;
                }
                if (!names.add(entry.getName())) {
                    throw invalid(principal, exchange, entry.getName() + " is in the bundle twice");
                }
                MavenPath path;
                try {
                    path = MavenPath.parse(entry.getName());
                } catch (Refusal e) {
                    throw invalid(principal, exchange, entry.getName() + ": " + e.getMessage());
                }
                Ecosystems.ProjectRef project = catalog.ecosystems().project(ecosystem, path.project());
                if (!principal.can(Permission.UPLOAD, project.key())) {
                    throw MavenRoutes.refused(publish.refuse(
                            principal,
                            entry.getName(),
                            UploadResult.Why.FORBIDDEN,
                            "The given token isn't allowed to upload to project '"
                                    + project.name().display() + "'.",
                            exchange.origin()));
                }
                if (path.isMetadata()) {
                    continue; // Portcullis writes maven-metadata.xml from what was released
                }
                if (path.checksum() != null) {
                    try (InputStream in = zip.getInputStream(entry)) {
                        String text = new String(in.readNBytes(1024), StandardCharsets.US_ASCII).strip();
                        checksums.put(
                                entry.getName(), text.isEmpty() ? "" : text.split("\\s+")[0].toLowerCase(Locale.ROOT));
                    }
                    continue;
                }
                // What an entry inflates to is the bundle's word only: the blob store bounds it.
                MavenFiles.Digesting digesting = new MavenFiles.Digesting(zip.getInputStream(entry));
                StagedBlob content;
                try (digesting) {
                    content = publish.receive(digesting);
                } catch (BlobTooLargeException e) {
                    throw tooLarge(
                            principal,
                            exchange,
                            entry.getName(),
                            entry.getName() + " is larger than " + maxFile + " bytes");
                }
                files.add(new Entry(entry, path, content, digesting.digests()));
                total += content.size();
                if (total > BUNDLE_FILES * maxFile) {
                    throw tooLarge(
                            principal,
                            exchange,
                            entry.getName(),
                            "the bundle's files come to more than " + BUNDLE_FILES * maxFile + " bytes");
                }
            }
            for (Map.Entry<String, String> sum : checksums.entrySet()) {
                String named = sum.getKey().substring(0, sum.getKey().lastIndexOf('.'));
                String algorithm = sum.getKey().substring(sum.getKey().lastIndexOf('.') + 1);
                Optional<Entry> file = files.stream()
                        .filter(f -> f.zip().getName().equals(named))
                        .findFirst();
                if (file.isEmpty()) {
                    throw invalid(principal, exchange, sum.getKey() + " is a checksum of a file the bundle lacks");
                }
                if (!file.get().digests().of(algorithm).orElse("").equals(sum.getValue())) {
                    throw invalid(
                            principal,
                            exchange,
                            "the " + algorithm + " in " + sum.getKey() + " does not match " + named);
                }
            }
            if (files.isEmpty()) {
                throw invalid(principal, exchange, "the bundle holds no files to publish");
            }
            for (Entry f : files) {
                Ecosystems.ProjectRef project =
                        catalog.ecosystems().project(ecosystem, f.path().project());
                Optional<Release> existing =
                        catalog.findRelease(project.key(), f.path().version());
                if (existing.isPresent() && existing.get().state() != ReleaseState.HELD) {
                    throw MavenRoutes.refused(publish.refuse(
                            principal,
                            f.path().filename(),
                            UploadResult.Why.RELEASE_DECIDED,
                            f.path().project() + " " + f.path().version() + " is already "
                                    + existing.get().state().name().toLowerCase(Locale.ROOT) + "; nothing was staged",
                            exchange.origin()));
                }
            }
            List<Long> releases = new ArrayList<>();
            for (Entry f : files) {
                UploadResult result = publish.upload(
                        principal,
                        new Submission(
                                ecosystem,
                                f.path().project(),
                                f.path().version(),
                                f.path().filename(),
                                f.path().kind(),
                                f.content(),
                                null,
                                new MavenUpload(f.path(), f.digests())),
                        exchange.origin());
                if (result instanceof UploadResult.Refused r) {
                    throw MavenRoutes.refused(r);
                }
                Ecosystems.ProjectRef project =
                        catalog.ecosystems().project(ecosystem, f.path().project());
                catalog.findRelease(project.key(), f.path().version())
                        .map(Release::id)
                        .filter(id -> !releases.contains(id))
                        .ifPresent(releases::add);
            }
            // The bundle is the whole deployment: its releases are decided now, with every file there.
            files.stream()
                    .map(f -> catalog.ecosystems().project(ecosystem, f.path().project()))
                    .distinct()
                    .forEach(publish::complete);
            return releases;
        } catch (ZipException e) {
            throw invalid(principal, exchange, "the bundle is not a zip file");
        } finally {
            files.forEach(f -> publish.discard(f.content())); // no-op for the ones stored
        }
    }

    private Refusal tooLarge(Principal principal, Exchange exchange, String filename, String message) {
        return MavenRoutes.refused(
                publish.refuse(principal, filename, UploadResult.Why.TOO_LARGE, message, exchange.origin()));
    }

    // ---------------------------------------------------------------- status, publish, drop

    private void status(Exchange exchange) {
        Principal principal = auth.require(exchange);
        Deployments.Deployment d = deployment(principal, exchange.query("id").orElse(""));
        List<Release> releases = d.releases().stream().map(catalog::getRelease).toList();
        List<String> purls = new ArrayList<>();
        Map<String, List<String>> errors = new LinkedHashMap<>();
        for (Release r : releases) {
            String[] ga = catalog.ecosystems().nameOf(r.project()).split(":", 2);
            String purl = "pkg:maven/" + ga[0] + "/" + (ga.length > 1 ? ga[1] : "") + "@" + r.version();
            purls.add(purl);
            if (r.state() == ReleaseState.REJECTED || r.state() == ReleaseState.QUARANTINED) {
                errors.put(
                        purl,
                        List.of(r.state().name().toLowerCase(Locale.ROOT)
                                + (r.decisionReason() == null ? "" : ": " + r.decisionReason())));
            }
        }
        String state;
        if (!errors.isEmpty()) {
            state = "FAILED";
        } else if (releases.stream().allMatch(r -> r.state() == ReleaseState.RELEASED)) {
            state = "PUBLISHED";
        } else if (releases.stream()
                .anyMatch(r ->
                        r.state() == ReleaseState.RELEASED || !gate.approvals(r).isEmpty())) {
            state = "PUBLISHING";
        } else {
            state = "VALIDATED";
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("deploymentId", d.id());
        out.put("deploymentName", d.name());
        out.put("deploymentState", state);
        out.put("purls", purls);
        out.put("errors", errors);
        exchange.json(out);
    }

    /** "Publish": an approval of each release of the deployment, with the approver's second factor. */
    private void publishDeployment(Exchange exchange) {
        Principal principal = auth.require(exchange);
        Deployments.Deployment d = deployment(principal, exchange.pathParam("id"));
        String otp = exchange.header(OTP_HEADER);
        for (long id : d.releases()) {
            Release r = catalog.getRelease(id);
            if (r.state() == ReleaseState.RELEASED) {
                continue;
            }
            answer(gate.approve(
                    principal,
                    otp,
                    r.project(),
                    r.version(),
                    "published deployment " + d.id(),
                    null,
                    exchange.origin()));
        }
        exchange.status(204).text("text/plain; charset=utf-8", "");
    }

    /** "Drop": a rejection of each release of the deployment still held. */
    private void drop(Exchange exchange) {
        Principal principal = auth.require(exchange);
        Deployments.Deployment d = deployment(principal, exchange.pathParam("id"));
        String otp = exchange.header(OTP_HEADER);
        for (long id : d.releases()) {
            Release r = catalog.getRelease(id);
            if (r.state() == ReleaseState.HELD) {
                answer(gate.reject(
                        principal, otp, r.project(), r.version(), "dropped deployment " + d.id(), exchange.origin()));
            }
        }
        exchange.status(204).text("text/plain; charset=utf-8", "");
    }

    /** Whether a version is published (released) here: {@code {"published": true|false}}. */
    private void published(Exchange exchange) {
        auth.require(exchange);
        String namespace = exchange.query("namespace").orElse("");
        String name = exchange.query("name").orElse("");
        String version = exchange.query("version").orElse("");
        Ecosystems.ProjectRef project = catalog.ecosystems().project(ecosystem, namespace + ":" + name);
        boolean released = catalog.findRelease(project.key(), version)
                .map(r -> r.state() == ReleaseState.RELEASED)
                .orElse(false);
        exchange.json(Map.of("published", released));
    }

    private static void answer(Decision decision) {
        switch (decision) {
            case Decision.Decided d -> {}
            case Decision.Pending p -> {}
            case Decision.AlreadyDecided a -> {}
            case Decision.Forbidden f -> throw new Refusal.Forbidden("Forbidden: " + f.reason() + ".");
            case Decision.NotFound n -> throw new Refusal.NotFound("No release " + n.version() + " of " + n.project());
        }
    }

    /** The deployment, if the caller may read every project in it; otherwise as if it did not exist. */
    private Deployments.Deployment deployment(Principal principal, String id) {
        Optional<Deployments.Deployment> d = id.matches("[0-9a-f-]{36}") ? deployments.find(id) : Optional.empty();
        if (d.isEmpty()
                || d.get().releases().stream()
                        .map(catalog::getRelease)
                        .anyMatch(r -> !principal.can(Permission.READ, r.project())
                                && !principal.can(Permission.UPLOAD, r.project()))) {
            throw new Refusal.NotFound("No deployment " + id + ".");
        }
        return d.get();
    }

    private Refusal invalid(Principal principal, Exchange exchange, String message) {
        return MavenRoutes.refused(
                publish.refuse(principal, null, UploadResult.Why.INVALID, message, exchange.origin()));
    }

    private void discard(StagedBlob bundle) {
        if (bundle != null) {
            publish.discard(bundle);
        }
    }
}
