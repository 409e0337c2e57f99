package dev.portcullis.registry.pypi;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * What only PyPI knows about a file, in the table registry/pypi owns ({@code pypi_files}): the
 * upload form's Python version and {@code Requires-Python}, the BLAKE2b-256 and MD5 digests PyPI's
 * clients and APIs show, and the digest of the wheel's core metadata served as its PEP 658 file.
 */
final class PypiFiles {

    /** One file's PyPI attributes; {@code metadataSha256} only for wheels. */
    record Attributes(
            String pythonVersion, String requiresPython, String blake2b256, String md5, String metadataSha256) {}

    static final Attributes UNKNOWN = new Attributes("py3", null, null, null, null);

    private PypiFiles() {}

    static void insert(Handle h, long fileId, Attributes a) {
        h.createUpdate(
                        "INSERT INTO pypi_files (file_id, python_version, requires_python, blake2_256, md5, metadata_sha256)"
                                + " VALUES (:id, :py, :rp, :blake, :md5, :meta)")
                .bind("id", fileId)
                .bind("py", a.pythonVersion())
                .bind("rp", a.requiresPython())
                .bind("blake", a.blake2b256())
                .bind("md5", a.md5())
                .bind("meta", a.metadataSha256())
                .execute();
    }

    static Optional<Attributes> find(Handle h, long fileId) {
        return h.createQuery("SELECT * FROM pypi_files WHERE file_id = :id")
                .bind("id", fileId)
                .map((rs, ctx) -> new Attributes(
                        rs.getString("python_version"),
                        rs.getString("requires_python"),
                        rs.getString("blake2_256"),
                        rs.getString("md5"),
                        rs.getString("metadata_sha256")))
                .findOne();
    }

    /** The attributes of each of {@code fileIds}; a file without a row (a drill's seeded history) gets {@link #UNKNOWN}. */
    static Map<Long, Attributes> of(Handle h, List<Long> fileIds) {
        Map<Long, Attributes> out = new HashMap<>();
        if (fileIds.isEmpty()) {
            return out;
        }
        h.createQuery("SELECT * FROM pypi_files WHERE file_id IN (<ids>)")
                .bindList("ids", fileIds)
                .map((rs, ctx) -> Map.entry(
                        rs.getLong("file_id"),
                        new Attributes(
                                rs.getString("python_version"),
                                rs.getString("requires_python"),
                                rs.getString("blake2_256"),
                                rs.getString("md5"),
                                rs.getString("metadata_sha256"))))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        fileIds.forEach(id -> out.putIfAbsent(id, UNKNOWN));
        return out;
    }
}
