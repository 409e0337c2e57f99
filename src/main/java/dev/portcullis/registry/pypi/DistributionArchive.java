package dev.portcullis.registry.pypi;

import dev.portcullis.python.DistributionFilename;
import dev.portcullis.python.Pep440Version;
import dev.portcullis.python.ProjectName;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * The structural checks every distribution passes before it is staged: it is the archive its
 * extension says, and its core metadata names the uploaded project and version. Reads only what it
 * needs (the zip central directory and one bounded entry), never extracts anything to disk.
 * Deep inspection (manifests, content rules, diffs) is the inspect feature's work.
 */
final class DistributionArchive {

  static final int MAX_METADATA_BYTES = 1024 * 1024;
  private static final int MAX_TAR_ENTRIES_SCANNED = 100_000;

  private DistributionArchive() {}

  /**
   * Checks the archive and returns its core metadata. For a wheel that is {@code
   * {stem}.dist-info/METADATA}, which is also served as the PEP 658 {@code .metadata} file.
   */
  static CoreMetadata check(
      Path file, DistributionFilename name, ProjectName project, Pep440Version version) {
    CoreMetadata metadata =
        switch (name.type()) {
          case WHEEL -> fromZip(file, name.stem() + ".dist-info/METADATA", name);
          case SDIST ->
              name.filename().endsWith(".zip")
                  ? fromZip(file, name.stem() + "/PKG-INFO", name)
                  : fromTarGz(file, name.stem() + "/PKG-INFO", name);
        };
    if (!ProjectName.normalize(metadata.name()).equals(project.normalized())) {
      throw invalid("its metadata names project '" + metadata.name() + "', not '" + project.display() + "'.");
    }
    Pep440Version metadataVersion;
    try {
      metadataVersion = Pep440Version.parse(metadata.version());
    } catch (IllegalArgumentException e) {
      throw invalid("its metadata has an invalid version '" + metadata.version() + "'.");
    }
    if (!metadataVersion.canonical().equals(version.canonical())) {
      throw invalid(
          "its metadata has version '" + metadata.version() + "', not '" + version.normalized() + "'.");
    }
    return metadata;
  }

  private static CoreMetadata fromZip(Path file, String entryName, DistributionFilename name) {
    try (ZipFile zip = new ZipFile(file.toFile())) {
      ZipEntry entry = zip.getEntry(entryName);
      if (entry == null || entry.isDirectory()) {
        throw invalid("'" + name.filename() + "' does not contain the required file " + entryName + ".");
      }
      try (InputStream in = zip.getInputStream(entry)) {
        return parse(readBounded(in), entryName);
      }
    } catch (ZipException e) {
      throw invalid("'" + name.filename() + "' is not a valid zip archive.");
    } catch (IOException e) {
      throw invalid("'" + name.filename() + "' could not be read: " + e.getMessage());
    }
  }

  private static CoreMetadata fromTarGz(Path file, String entryName, DistributionFilename name) {
    try (InputStream raw = Files.newInputStream(file);
        GzipCompressorInputStream gz = new GzipCompressorInputStream(raw);
        TarArchiveInputStream tar = new TarArchiveInputStream(gz)) {
      TarArchiveEntry entry;
      int scanned = 0;
      while ((entry = tar.getNextEntry()) != null && scanned++ < MAX_TAR_ENTRIES_SCANNED) {
        if (entry.isFile() && entry.getName().equals(entryName)) {
          return parse(readBounded(tar), entryName);
        }
      }
      throw invalid("'" + name.filename() + "' does not contain the required file " + entryName + ".");
    } catch (IOException | IllegalArgumentException e) {
      if (e instanceof InvalidDistributionException invalid) {
        throw invalid;
      }
      throw invalid("'" + name.filename() + "' is not a valid gzip-compressed tar archive.");
    }
  }

  private static CoreMetadata parse(byte[] raw, String entryName) {
    return CoreMetadata.parse(raw)
        .orElseThrow(() -> invalid(entryName + " lacks the required Name and Version fields."));
  }

  private static byte[] readBounded(InputStream in) throws IOException {
    byte[] bytes = in.readNBytes(MAX_METADATA_BYTES + 1);
    if (bytes.length > MAX_METADATA_BYTES) {
      throw invalid("its metadata file is larger than " + MAX_METADATA_BYTES + " bytes.");
    }
    return bytes;
  }

  static InvalidDistributionException invalid(String why) {
    return new InvalidDistributionException("Invalid distribution file. " + why);
  }

  /** The archive failed a structural check; the message is shown to the uploader. */
  static final class InvalidDistributionException extends IllegalArgumentException {
    InvalidDistributionException(String message) {
      super(message);
    }
  }
}
