package dev.portcullis.registry.maven;

import dev.portcullis.core.Refusal;
import dev.portcullis.http.ErrorStyle;
import dev.portcullis.http.Exchange;
import dev.portcullis.http.HttpRouter;
import dev.portcullis.http.Routes;
import dev.portcullis.identity.ApiAuthenticator;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Principal;
import dev.portcullis.publish.Artifact;
import dev.portcullis.publish.Catalog;
import dev.portcullis.publish.Ecosystems;
import dev.portcullis.publish.PublishService;
import dev.portcullis.publish.Submission;
import dev.portcullis.publish.UploadResult;
import dev.portcullis.store.BlobStore;
import dev.portcullis.store.BlobTooLargeException;
import dev.portcullis.store.StagedBlob;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Maven's repository protocol under {@code /maven2/}. {@code PUT} of a deployment's files stages
 * them, one held release per {@code groupId:artifactId} {@code version}; a checksum {@code PUT}
 * ({@code .md5}, {@code .sha1}, {@code .sha256}, {@code .sha512}) is compared with the file it
 * names, and a mismatch refused; a {@code maven-metadata.xml} PUT is accepted and not kept.
 * {@code GET}/{@code HEAD} serve released files only, their checksums, and {@code
 * maven-metadata.xml} generated from released versions. Deploys authenticate with HTTP Basic, user
 * {@code __token__}, an API token as password (settings.xml); Maven sends it without waiting for a
 * challenge on PUT, and a 401 asks for Basic.
 */
final class MavenRoutes implements Routes {

    private static final int SMALL_BODY = 1 << 20;
    private static final DateTimeFormatter LAST_UPDATED =
            DateTimeFormatter.ofPattern("yyyyMMddHHmmss", Locale.ROOT).withZone(ZoneOffset.UTC);

    private final ApiAuthenticator auth;
    private final PublishService publish;
    private final Catalog catalog;
    private final BlobStore blobs;
    private final MavenFiles files;
    private final MavenEcosystem ecosystem;

    MavenRoutes(
            ApiAuthenticator auth,
            PublishService publish,
            Catalog catalog,
            BlobStore blobs,
            MavenFiles files,
            MavenEcosystem ecosystem) {
        this.auth = auth;
        this.publish = publish;
        this.catalog = catalog;
        this.blobs = blobs;
        this.files = files;
        this.ecosystem = ecosystem;
    }

    @Override
    public void register(HttpRouter router) {
        router.put("/maven2/*", ErrorStyle.MAVEN, this::put).getPublic("/maven2/*", ErrorStyle.MAVEN, this::get);
    }

    // ---------------------------------------------------------------- deploy

    private void put(Exchange exchange) throws IOException {
        Principal principal = auth.require(exchange);
        MavenPath path;
        Ecosystems.ProjectRef project;
        try {
            path = MavenPath.parse(exchange.pathParam("*"));
            project = project(path);
        } catch (Refusal.Invalid | Refusal.NotFound e) {
            publish.refuse(principal, null, UploadResult.Why.INVALID, e.getMessage(), exchange.origin());
            throw e;
        }
        if (path.isMetadata()) {
            requireUpload(principal, project, path, exchange);
            drain(exchange);
            // Portcullis writes maven-metadata.xml from what was released; what a client merged is not kept.
            // It comes last in a deploy: the deployment is complete, and the gate decides its release now.
            if (path.checksum() == null) {
                publish.complete(project);
            }
            exchange.status(201).text("text/plain; charset=utf-8", "");
            return;
        }
        if (path.checksum() != null) {
            requireUpload(principal, project, path, exchange);
            checksum(exchange, principal, project, path);
            return;
        }
        InputStream body = exchange.body(publish.settings().maxFileBytes() + 1);
        if (path.filename().endsWith(MavenFormat.SIGSTORE)) {
            body = provenance(exchange, principal, path, body);
        }
        StagedBlob content;
        MavenFiles.Digesting digesting = new MavenFiles.Digesting(body);
        try {
            content = publish.receive(digesting); // the checksums Maven sends and asks for, as the bytes arrive
        } catch (BlobTooLargeException e) {
            throw refused(publish.refuse(
                    principal, path.filename(), UploadResult.Why.TOO_LARGE, e.getMessage(), exchange.origin()));
        }
        UploadResult result = publish.upload(
                principal,
                new Submission(
                        ecosystem,
                        path.project(),
                        path.version(),
                        path.filename(),
                        path.kind(),
                        content,
                        null,
                        new MavenUpload(path, digesting.digests())),
                exchange.origin());
        switch (result) {
            case UploadResult.Staged s -> exchange.status(201).text("text/plain; charset=utf-8", "");
            case UploadResult.Unchanged u -> exchange.status(200).text("text/plain; charset=utf-8", "");
            case UploadResult.Refused r -> throw refused(r);
        }
    }

    /**
     * A Sigstore bundle for a deployed file ({@code X.sigstore.json} beside {@code X}): verified
     * against {@code X} and recorded as its provenance before the bundle itself is staged — a
     * forged or malformed one refuses the PUT and nothing changes. Returns the bundle's bytes to stage.
     */
    private InputStream provenance(Exchange exchange, Principal principal, MavenPath path, InputStream body)
            throws IOException {
        byte[] bundle;
        try (body) {
            bundle = body.readNBytes(MAX_BUNDLE + 1);
        }
        String named = path.filename().substring(0, path.filename().length() - MavenFormat.SIGSTORE.length());
        if (bundle.length > MAX_BUNDLE) {
            throw refused(publish.refuse(
                    principal,
                    path.filename(),
                    UploadResult.Why.TOO_LARGE,
                    "a Sigstore bundle is at most " + MAX_BUNDLE + " bytes",
                    exchange.origin()));
        }
        String sha256 = MavenFiles.Digests.of(bundle).sha256();
        boolean resent = catalog
                .findRelease(project(path).key(), path.version())
                .map(r -> catalog.artifactsOf(r.id()))
                .orElse(List.of())
                .stream()
                .anyMatch(
                        a -> a.filename().equals(path.filename()) && a.sha256().equals(sha256));
        if (resent) {
            return new java.io.ByteArrayInputStream(bundle); // a retry of the same bundle: unchanged
        }
        Optional<UploadResult.Refused> refusal = publish.attest(
                principal,
                ecosystem,
                path.project(),
                path.version(),
                named,
                new String(bundle, StandardCharsets.UTF_8),
                new MavenUpload(path, MavenFiles.Digests.of(bundle)),
                exchange.origin());
        if (refusal.isPresent()) {
            throw refused(refusal.get());
        }
        return new java.io.ByteArrayInputStream(bundle);
    }

    private static final int MAX_BUNDLE = 256 * 1024;

    static Refusal refused(UploadResult.Refused r) {
        return switch (r.why()) {
            case NOT_AUTHENTICATED -> new Refusal.Unauthenticated(r.message());
            case FORBIDDEN -> new Refusal.Forbidden(r.message());
            case FILE_EXISTS, RELEASE_DECIDED -> new Refusal.Conflict(r.message());
            case INVALID -> new Refusal.Invalid(r.message());
            case TOO_LARGE -> new Refusal.TooLarge(r.message());
        };
    }

    private void requireUpload(Principal principal, Ecosystems.ProjectRef project, MavenPath path, Exchange exchange) {
        if (!principal.can(Permission.UPLOAD, project.key())) {
            throw refused(publish.refuse(
                    principal,
                    path.filename(),
                    UploadResult.Why.FORBIDDEN,
                    "The given token isn't allowed to upload to project '"
                            + project.name().display() + "'.",
                    exchange.origin()));
        }
    }

    /** A checksum of a file this deployment sent: it must be the file's, or the deployment fails. */
    private void checksum(Exchange exchange, Principal principal, Ecosystems.ProjectRef project, MavenPath path)
            throws IOException {
        String sent;
        try (InputStream in = exchange.body(SMALL_BODY)) {
            String text = new String(in.readNBytes(1024), StandardCharsets.US_ASCII).strip();
            sent = text.isEmpty() ? "" : text.split("\\s+")[0].toLowerCase(Locale.ROOT);
        }
        String name = path.filename() + "." + path.checksum();
        Optional<Artifact> file = catalog.findRelease(project.key(), path.version())
                .map(r -> catalog.artifactsOf(r.id()))
                .flatMap(all -> all.stream()
                        .filter(a -> a.filename().equals(path.filename()))
                        .findFirst());
        if (file.isEmpty()) {
            throw refused(publish.refuse(
                    principal,
                    name,
                    UploadResult.Why.INVALID,
                    "a checksum of " + path.filename() + ", which was not deployed",
                    exchange.origin()));
        }
        String actual = files.find(file.get().id(), file.get().sha256())
                .flatMap(d -> d.of(path.checksum()))
                .orElseThrow(() -> new IllegalStateException("no digests kept for " + path.filename()));
        if (!actual.equals(sent)) {
            throw refused(publish.refuse(
                    principal,
                    name,
                    UploadResult.Why.INVALID,
                    "the " + path.checksum() + " sent for " + path.filename() + " does not match the file that arrived",
                    exchange.origin()));
        }
        exchange.status(201).text("text/plain; charset=utf-8", "");
    }

    private static void drain(Exchange exchange) throws IOException {
        try (InputStream in = exchange.body(SMALL_BODY)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
    }

    private Ecosystems.ProjectRef project(MavenPath path) {
        return catalog.ecosystems().project(ecosystem, path.project());
    }

    // ---------------------------------------------------------------- resolve

    private void get(Exchange exchange) throws IOException {
        MavenPath path = MavenPath.parse(exchange.pathParam("*"));
        Ecosystems.ProjectRef project;
        try {
            project = project(path);
        } catch (Refusal.Invalid e) {
            throw new Refusal.NotFound("Not Found");
        }
        if (path.isMetadata()) {
            byte[] xml = metadata(project, path).getBytes(StandardCharsets.UTF_8);
            if (path.checksum() != null) {
                exchange.text(
                        "text/plain; charset=utf-8",
                        MavenFiles.Digests.of(xml).of(path.checksum()).orElseThrow());
            } else {
                exchange.text("application/xml; charset=utf-8", new String(xml, StandardCharsets.UTF_8));
            }
            return;
        }
        Artifact artifact = catalog.findReleasedArtifact(project.key(), path.filename())
                .filter(a -> a.version().equals(path.version()))
                .orElseThrow(() -> catalog.isQuarantined(project.key(), path.filename())
                        ? new Refusal.Forbidden("This file is quarantined and cannot be downloaded")
                        : new Refusal.NotFound("Not Found"));
        if (path.checksum() != null) {
            String digest = files.find(artifact.id(), artifact.sha256())
                    .flatMap(d -> d.of(path.checksum()))
                    .orElseThrow(() -> new Refusal.NotFound("Not Found"));
            exchange.text("text/plain; charset=utf-8", digest);
            return;
        }
        exchange.download(
                blobs.find(artifact.sha256())
                        .orElseThrow(() -> new IllegalStateException("blob missing for " + artifact.filename())),
                artifact.sha256(),
                path.filename().endsWith(".pom") ? "application/xml" : "application/octet-stream");
    }

    /** maven-metadata.xml of an artifact, from its released versions in the order they were released. */
    private String metadata(Ecosystems.ProjectRef project, MavenPath path) {
        List<Artifact> released = catalog.releasedArtifacts(project.key());
        Set<String> versions = new LinkedHashSet<>();
        java.time.Instant last = null;
        for (Artifact a : released) {
            versions.add(a.version());
            if (a.releasedAt() != null && (last == null || a.releasedAt().isAfter(last))) {
                last = a.releasedAt();
            }
        }
        if (versions.isEmpty()) {
            throw new Refusal.NotFound("Not Found");
        }
        String newest = List.copyOf(versions).getLast();
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<metadata>\n")
                .append("  <groupId>")
                .append(path.groupId())
                .append("</groupId>\n")
                .append("  <artifactId>")
                .append(path.artifactId())
                .append("</artifactId>\n")
                .append("  <versioning>\n")
                .append("    <latest>")
                .append(newest)
                .append("</latest>\n")
                .append("    <release>")
                .append(newest)
                .append("</release>\n")
                .append("    <versions>\n");
        for (String v : versions) {
            xml.append("      <version>").append(v).append("</version>\n");
        }
        xml.append("    </versions>\n")
                .append("    <lastUpdated>")
                .append(last == null ? "" : LAST_UPDATED.format(last))
                .append("</lastUpdated>\n")
                .append("  </versioning>\n</metadata>\n");
        return xml.toString();
    }
}
