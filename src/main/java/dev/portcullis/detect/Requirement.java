package dev.portcullis.detect;

import dev.portcullis.inspect.PackageMetadata;

/** The parts of a PEP 508 requirement string the dependency detector compares. */
final class Requirement {

  private Requirement() {}

  /** The normalized distribution name ({@code "Requests[socks]>=2; extra=='x'"} → {@code requests}). */
  static String name(String requirement) {
    return PackageMetadata.requirementName(requirement.strip());
  }

  /** Everything after the name (extras, specifier, marker), without spaces. */
  static String spec(String requirement) {
    String stripped = requirement.strip();
    int end = 0;
    while (end < stripped.length() && (Character.isLetterOrDigit(stripped.charAt(end)) || "-_.".indexOf(stripped.charAt(end)) >= 0)) {
      end++;
    }
    return stripped.substring(end).replace(" ", "");
  }
}
