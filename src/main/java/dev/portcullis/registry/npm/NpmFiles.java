package dev.portcullis.registry.npm;

import dev.portcullis.store.Database;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** npm's attributes of a tarball, in the table registry/npm owns ({@code npm_files}). */
final class NpmFiles {

    /** One tarball's npm attributes: SRI integrity, sha1 shasum, its own package.json, the dist-tag asked for. */
    record Attributes(String integrity, String shasum, String manifest, String tag) {}

    private final Database database;

    NpmFiles(Database database) {
        this.database = database;
    }

    static void insert(Handle h, long fileId, Attributes a) {
        h.createUpdate("INSERT INTO npm_files (file_id, integrity, shasum, manifest, tag) VALUES (:id, :i, :s, :m, :t)")
                .bind("id", fileId)
                .bind("i", a.integrity())
                .bind("s", a.shasum())
                .bind("m", a.manifest())
                .bind("t", a.tag())
                .execute();
    }

    Optional<Attributes> find(long fileId) {
        return Optional.ofNullable(of(List.of(fileId)).get(fileId));
    }

    /** The attributes of each of {@code fileIds} that has them. */
    Map<Long, Attributes> of(List<Long> fileIds) {
        Map<Long, Attributes> out = new HashMap<>();
        if (fileIds.isEmpty()) {
            return out;
        }
        database.withHandle(h -> h.createQuery("SELECT * FROM npm_files WHERE file_id IN (<ids>)")
                .bindList("ids", fileIds)
                .map((rs, ctx) -> out.put(
                        rs.getLong("file_id"),
                        new Attributes(
                                rs.getString("integrity"),
                                rs.getString("shasum"),
                                rs.getString("manifest"),
                                rs.getString("tag"))))
                .list());
        return out;
    }
}
