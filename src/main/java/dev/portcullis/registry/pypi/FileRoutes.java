package dev.portcullis.registry.pypi;

import dev.portcullis.core.Refusal;
import dev.portcullis.http.ErrorStyle;
import dev.portcullis.http.Exchange;
import dev.portcullis.http.HttpRouter;
import dev.portcullis.http.Routes;
import dev.portcullis.publish.Artifact;
import dev.portcullis.publish.Catalog;
import dev.portcullis.store.BlobStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Downloads: {@code /files/<project>/<filename>} and its PEP 658/714 {@code .metadata}. Only files
 * of released releases are served; a held file is as absent as an unknown one. Supports a single
 * byte range (uv reads wheel metadata with range requests when no {@code .metadata} is offered).
 */
public final class FileRoutes implements Routes {

    private final Catalog catalog;
    private final BlobStore blobs;

    private final PypiCatalog pypi;

    FileRoutes(Catalog catalog, BlobStore blobs, PypiCatalog pypi) {
        this.pypi = pypi;
        this.catalog = catalog;
        this.blobs = blobs;
    }

    @Override
    public void register(HttpRouter router) {
        router.getPublic("/files/{project}/{filename}", ErrorStyle.PYPI, this::download);
    }

    public void download(Exchange exchange) throws IOException {
        String project = exchange.pathParam("project");
        String filename = exchange.pathParam("filename");
        if (!ProjectName.isValid(project) || filename == null) {
            throw new Refusal.NotFound("Not Found");
        }
        String normalized = ProjectName.normalize(project);
        boolean metadata = filename.endsWith(".metadata");
        String distribution = metadata ? filename.substring(0, filename.length() - ".metadata".length()) : filename;
        Artifact artifact = catalog.findReleasedArtifact(normalized, distribution)
                .orElseThrow(() -> {
                    // A quarantined file is kept for forensics but never served; say so instead of "Not Found" —
                    // and no more: the decision's reasons (addresses, token ids, people) are for the project's
                    // approvers.
                    return catalog.isQuarantined(normalized, distribution)
                            ? new Refusal.Forbidden(
                                    "This file is quarantined and cannot be downloaded; the project's approvers can see why.")
                            : new Refusal.NotFound("Not Found");
                });
        String sha256 =
                metadata ? pypi.attributes(List.of(artifact)).get(artifact.id()).metadataSha256() : artifact.sha256();
        if (sha256 == null) {
            throw new Refusal.NotFound("Not Found");
        }
        Path path = blobs.find(sha256).orElseThrow(() -> new IllegalStateException("blob missing for " + filename));
        exchange.download(path, sha256, metadata ? "text/plain; charset=utf-8" : "application/octet-stream");
    }
}
