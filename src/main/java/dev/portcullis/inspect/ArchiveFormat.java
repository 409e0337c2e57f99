package dev.portcullis.inspect;

import java.util.Locale;
import java.util.Optional;

/**
 * The container formats the walker reads: zip and tar, plain or gzip-compressed. Chosen by file
 * name — the generic extensions here, and an ecosystem's own through {@link
 * PackageFormat#container} (a wheel is a zip); the reader then checks the bytes. {@link #PLAIN} is
 * a package file that is no archive at all (a Maven pom, a detached signature): the walk reads it
 * as one entry named like the file. Only an ecosystem names it, and only at the top: inside an
 * archive such a name is an ordinary entry.
 */
public enum ArchiveFormat {
    ZIP,
    TAR_GZ,
    TAR,
    PLAIN;

    public static Optional<ArchiveFormat> forName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.endsWith(".zip") || n.endsWith(".jar") || n.endsWith(".war")) {
            return Optional.of(ZIP);
        }
        if (n.endsWith(".tar.gz") || n.endsWith(".tgz")) {
            return Optional.of(TAR_GZ);
        }
        if (n.endsWith(".tar")) {
            return Optional.of(TAR);
        }
        return Optional.empty();
    }
}
