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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Downloads: {@code /files/<project>/<filename>} and its PEP 658/714 {@code .metadata}. Only files
 * of released releases are served; a held file is as absent as an unknown one. Supports a single
 * byte range (uv reads wheel metadata with range requests when no {@code .metadata} is offered).
 */
public final class FileRoutes implements Routes {

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");

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
        send(exchange, path, sha256, metadata ? "text/plain; charset=utf-8" : "application/octet-stream");
    }

    private static void send(Exchange exchange, Path path, String sha256, String contentType) throws IOException {
        long size = Files.size(path);
        long start = 0;
        long end = size - 1;
        exchange.header("Accept-Ranges", "bytes").header("ETag", "\"" + sha256 + "\"");
        exchange.header("Content-Type", contentType);
        String range = exchange.header("Range");
        if (range != null) {
            Matcher m = RANGE.matcher(range.trim());
            if (m.matches() && !(m.group(1).isEmpty() && m.group(2).isEmpty())) {
                if (m.group(1).isEmpty()) {
                    start = Math.max(0, size - Long.parseLong(m.group(2)));
                } else {
                    start = Long.parseLong(m.group(1));
                    end = m.group(2).isEmpty() ? size - 1 : Math.min(size - 1, Long.parseLong(m.group(2)));
                }
                if (start > end || start >= size) {
                    exchange.status(416)
                            .header("Content-Range", "bytes */" + size)
                            .text("text/plain; charset=utf-8", "");
                    return;
                }
                exchange.status(206).header("Content-Range", "bytes " + start + "-" + end + "/" + size);
            }
        }
        exchange.sendFile(path, start, end - start + 1);
    }
}
