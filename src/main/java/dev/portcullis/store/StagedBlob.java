package dev.portcullis.store;

import java.nio.file.Path;

/**
 * Bytes received into the blob store's temporary area, fsynced, with their digests. Not yet
 * visible: {@link BlobStore#commit} makes it a content-addressed blob, {@link BlobStore#discard}
 * removes it.
 */
public record StagedBlob(Path path, long size, Digests digests) {}
