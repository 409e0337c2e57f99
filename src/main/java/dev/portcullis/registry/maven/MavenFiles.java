package dev.portcullis.registry.maven;

import dev.portcullis.store.Database;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** Maven's digests of a deployed file, in the table registry/maven owns ({@code maven_files}). */
final class MavenFiles {

    /** The digests a Maven client may ask for beside a file, in lower-case hex. */
    record Digests(String md5, String sha1, String sha256, String sha512) {

        /** The digest a checksum file of extension {@code algorithm} ({@code sha1}, …) carries. */
        Optional<String> of(String algorithm) {
            return switch (algorithm) {
                case "md5" -> Optional.of(md5);
                case "sha1" -> Optional.of(sha1);
                case "sha256" -> Optional.of(sha256);
                case "sha512" -> Optional.of(sha512);
                default -> Optional.empty();
            };
        }

        /** All four, in one reading of {@code file}. */
        static Digests of(Path file) {
            try (InputStream in = Files.newInputStream(file)) {
                MessageDigest md5 = MessageDigest.getInstance("MD5");
                MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
                MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
                MessageDigest sha512 = MessageDigest.getInstance("SHA-512");
                byte[] buffer = new byte[64 * 1024];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    md5.update(buffer, 0, n);
                    sha1.update(buffer, 0, n);
                    sha256.update(buffer, 0, n);
                    sha512.update(buffer, 0, n);
                }
                HexFormat hex = HexFormat.of();
                return new Digests(
                        hex.formatHex(md5.digest()),
                        hex.formatHex(sha1.digest()),
                        hex.formatHex(sha256.digest()),
                        hex.formatHex(sha512.digest()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private final Database database;

    MavenFiles(Database database) {
        this.database = database;
    }

    static void insert(Handle h, long fileId, Digests d) {
        h.createUpdate("INSERT INTO maven_files (file_id, md5, sha1, sha512) VALUES (:id, :md5, :sha1, :sha512)")
                .bind("id", fileId)
                .bind("md5", d.md5())
                .bind("sha1", d.sha1())
                .bind("sha512", d.sha512())
                .execute();
    }

    Optional<Digests> find(long fileId, String sha256) {
        return database.withHandle(h -> h.createQuery("SELECT md5, sha1, sha512 FROM maven_files WHERE file_id = :id")
                .bind("id", fileId)
                .map((rs, ctx) ->
                        new Digests(rs.getString("md5"), rs.getString("sha1"), sha256, rs.getString("sha512")))
                .findOne());
    }
}
