package dev.portcullis.inspect;

import java.util.Locale;
import java.util.Optional;

/**
 * The container formats the walker reads: zip and tar, plain or gzip-compressed. Chosen by file
 * name — the generic extensions here, and an ecosystem's own through {@link
 * PackageFormat#container} (a wheel is a zip); the reader then checks the bytes.
 */
public enum ArchiveFormat {
    ZIP,
    TAR_GZ,
    TAR;

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
