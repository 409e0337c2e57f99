package dev.portcullis.inspect;

import java.util.Locale;
import java.util.Optional;

/**
 * The container formats the walker reads: zip (wheels, zip sdists, jars, eggs) and tar, plain or
 * gzip-compressed (sdists, npm tarballs). Chosen by file name; the reader then checks the bytes.
 */
public enum ArchiveFormat {
  ZIP,
  TAR_GZ,
  TAR;

  public static Optional<ArchiveFormat> forName(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    if (n.endsWith(".whl") || n.endsWith(".zip") || n.endsWith(".jar") || n.endsWith(".egg") || n.endsWith(".war")) {
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
