package dev.portcullis.store;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Files only the server's user may read: the data directory (0700 when created), the SQLite
 * database (0600, and made so when found looser), and key files written whole or not at all.
 * On a file system without POSIX permissions the defaults stay.
 */
public final class PrivateFiles {

    private PrivateFiles() {}

    /** Creates {@code dir} and its missing parents, owner-only. */
    public static void createDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        if (dir.toAbsolutePath().getParent() != null) {
            Files.createDirectories(dir.toAbsolutePath().getParent());
        }
        try {
            Files.createDirectory(
                    dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException e) {
            Files.createDirectories(dir);
        } catch (FileAlreadyExistsException e) {
            // created concurrently
        }
    }

    /** Makes {@code file} exist and be readable and writable by the owner only. */
    public static void ownerOnly(Path file) throws IOException {
        try {
            if (!Files.exists(file)) {
                try {
                    Files.createFile(
                            file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                } catch (FileAlreadyExistsException e) {
                    // created concurrently
                }
            }
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            if (!Files.exists(file)) {
                Files.createFile(file);
            }
        }
    }

    /** Writes {@code content} to {@code file} owner-only, through a temporary file and an atomic rename. */
    public static void writeAtomically(Path file, byte[] content) throws IOException {
        createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        ownerOnly(tmp);
        Files.write(tmp, content);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Removes a directory and everything in it (a scratch copy, a benchmark's data); nothing when it is absent. */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
