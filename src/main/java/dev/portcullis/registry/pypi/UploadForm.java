package dev.portcullis.registry.pypi;

/**
 * The fields of one upload as the client sent them (unvalidated). {@code filename} is the name of
 * the file part; digests are hex strings or {@code null} when not sent; {@code attestations} is the
 * PEP 740 JSON array, or {@code null}.
 */
public record UploadForm(
        String name,
        String version,
        String filetype,
        String pyversion,
        String metadataVersion,
        String sha256,
        String blake2b256,
        String md5,
        String requiresPython,
        String filename,
        String attestations) {}
