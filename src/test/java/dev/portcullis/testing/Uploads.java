package dev.portcullis.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Hand-made distributions and upload forms, for requests real clients would never send. */
public final class Uploads {

  private Uploads() {}

  /** A minimal but valid wheel for {@code name} {@code version}. */
  public static byte[] wheel(String name, String version) {
    return wheel(name, version, name, version);
  }

  /** A wheel whose METADATA claims {@code metadataName} {@code metadataVersion}. */
  public static byte[] wheel(String name, String version, String metadataName, String metadataVersion) {
    String dist = name.replace('-', '_') + "-" + version;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      entry(zip, name.replace('-', '_') + "/__init__.py", "VERSION = \"" + version + "\"\n");
      entry(zip, dist + ".dist-info/METADATA", "Metadata-Version: 2.1\nName: " + metadataName + "\nVersion: " + metadataVersion + "\n\n");
      entry(zip, dist + ".dist-info/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n");
      entry(zip, dist + ".dist-info/RECORD", "");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  public static String wheelName(String name, String version) {
    return name.replace('-', '_') + "-" + version + "-py3-none-any.whl";
  }

  /** The form twine would send for a wheel, with a correct SHA-256. */
  public static Multipart wheelForm(String name, String version, String filename, byte[] content) {
    return new Multipart()
        .field(":action", "file_upload")
        .field("protocol_version", "1")
        .field("metadata_version", "2.1")
        .field("name", name)
        .field("version", version)
        .field("filetype", "bdist_wheel")
        .field("pyversion", "py3")
        .field("sha256_digest", sha256(content))
        .file("content", filename, content);
  }

  public static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void entry(ZipOutputStream zip, String name, String text) throws IOException {
    zip.putNextEntry(new ZipEntry(name));
    zip.write(text.getBytes(StandardCharsets.UTF_8));
    zip.closeEntry();
  }
}
