package dev.portcullis.registry.maven;

import dev.portcullis.store.Database;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
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

        /** All four of {@code bytes}. */
        static Digests of(byte[] bytes) {
            Digesting digesting = new Digesting(new java.io.ByteArrayInputStream(bytes));
            try (digesting) {
                digesting.transferTo(java.io.OutputStream.nullOutputStream());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return digesting.digests();
        }
    }

    /** A stream that computes the four digests of what is read through it: a file's digests as it arrives, in the one reading. */
    static final class Digesting extends java.io.FilterInputStream {
        private final MessageDigest md5 = digest("MD5");
        private final MessageDigest sha1 = digest("SHA-1");
        private final MessageDigest sha256 = digest("SHA-256");
        private final MessageDigest sha512 = digest("SHA-512");

        Digesting(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                update(new byte[] {(byte) b}, 0, 1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                update(buffer, offset, n);
            }
            return n;
        }

        private void update(byte[] buffer, int offset, int length) {
            md5.update(buffer, offset, length);
            sha1.update(buffer, offset, length);
            sha256.update(buffer, offset, length);
            sha512.update(buffer, offset, length);
        }

        /** The digests of everything read so far (call once, at the end). */
        Digests digests() {
            HexFormat hex = HexFormat.of();
            return new Digests(
                    hex.formatHex(md5.digest()),
                    hex.formatHex(sha1.digest()),
                    hex.formatHex(sha256.digest()),
                    hex.formatHex(sha512.digest()));
        }

        private static MessageDigest digest(String algorithm) {
            try {
                return MessageDigest.getInstance(algorithm);
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
