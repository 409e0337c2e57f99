package dev.portcullis.registry.pypi;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The few core-metadata fields the pipeline cross-checks, read from a METADATA / PKG-INFO file
 * (an RFC 822 style header block; the body after the first blank line is the description).
 */
public record CoreMetadata(String name, String version, byte[] raw) {

  public static Optional<CoreMetadata> parse(byte[] raw) {
    String text = new String(raw, StandardCharsets.UTF_8);
    String name = null;
    String version = null;
    for (String line : text.split("\r?\n", -1)) {
      if (line.isEmpty()) {
        break;
      }
      int colon = line.indexOf(':');
      if (colon <= 0 || Character.isWhitespace(line.charAt(0))) {
        continue;
      }
      String key = line.substring(0, colon).trim();
      String value = line.substring(colon + 1).trim();
      if (key.equalsIgnoreCase("Name") && name == null) {
        name = value;
      } else if (key.equalsIgnoreCase("Version") && version == null) {
        version = value;
      }
    }
    if (name == null || version == null) {
      return Optional.empty();
    }
    return Optional.of(new CoreMetadata(name, version, raw));
  }
}
