package dev.portcullis.inspect;

import dev.portcullis.python.Pep440Version;
import dev.portcullis.python.ProjectName;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The checks that need the whole file: core metadata present and naming the file's project and
 * version; {@code RECORD} listing every file with its real hash (a mismatch means the wheel was
 * edited after it was built); foreign payloads in a pure-Python wheel (JavaScript, shell, native
 * code); binaries disguised under a source file's name (num2words 0.5.15's PE named {@code _build.py}).
 */
final class ManifestChecks {

  static final String METADATA = "metadata";
  static final String RECORD = "record";
  static final String FOREIGN = "foreign-payload";
  static final long LARGE_SCRIPT = 1 << 20;

  private ManifestChecks() {}

  static List<Finding> check(String filename, boolean hasCoreMetadata, PackageMetadata metadata, List<ManifestEntry> manifest,
      String record) {
    List<Finding> findings = new ArrayList<>();
    boolean wheel = filename.toLowerCase(Locale.ROOT).endsWith(".whl");
    if (wheel || filename.endsWith(".tar.gz") || filename.endsWith(".zip")) {
      crossCheck(filename, wheel, hasCoreMetadata, metadata, findings);
    }
    if (wheel) {
      record(record, manifest, findings);
      if (metadata.pure()) {
        foreign(manifest, findings);
      }
    }
    for (ManifestEntry e : manifest) {
      String name = e.path().toLowerCase(Locale.ROOT);
      boolean sourceName = name.endsWith(".py") || name.endsWith(".txt") || name.endsWith(".js") || name.endsWith(".json")
          || name.endsWith(".md") || name.endsWith(".cfg") || name.endsWith(".toml");
      if (e.kind() == FileKind.NATIVE && sourceName) {
        findings.add(Finding.at(FOREIGN, Severity.HIGH, "native executable code hides under a source file's name", e.path()));
      }
    }
    return findings;
  }

  private static void crossCheck(String filename, boolean wheel, boolean hasCoreMetadata, PackageMetadata metadata, List<Finding> findings) {
    if (!hasCoreMetadata || metadata.name() == null || metadata.version() == null) {
      findings.add(Finding.of(METADATA, Severity.HIGH, "the file has no readable core metadata (" + (wheel ? "*.dist-info/METADATA" : "PKG-INFO")
          + " with Name and Version)"));
      return;
    }
    String stem = wheel ? filename.substring(0, filename.length() - 4)
        : filename.endsWith(".tar.gz") ? filename.substring(0, filename.length() - 7) : filename.substring(0, filename.length() - 4);
    String namePart;
    String versionPart;
    if (wheel) {
      String[] parts = stem.split("-");
      if (parts.length < 5) {
        findings.add(Finding.of(METADATA, Severity.MEDIUM, "the file name is not a valid wheel name"));
        return;
      }
      namePart = parts[0];
      versionPart = parts[1];
    } else {
      int dash = stem.lastIndexOf('-');
      namePart = dash > 0 ? stem.substring(0, dash) : stem;
      versionPart = dash > 0 ? stem.substring(dash + 1) : "";
    }
    if (!ProjectName.normalize(metadata.name()).equals(ProjectName.normalize(namePart))) {
      findings.add(Finding.of(METADATA, Severity.HIGH, "the metadata names project '" + metadata.name() + "', the file name '" + namePart + "'"));
    }
    if (!sameVersion(metadata.version(), versionPart)) {
      findings.add(Finding.of(METADATA, Severity.HIGH, "the metadata has version '" + metadata.version() + "', the file name '" + versionPart + "'"));
    }
  }

  private static boolean sameVersion(String a, String b) {
    try {
      return Pep440Version.parse(a).canonical().equals(Pep440Version.parse(b).canonical());
    } catch (IllegalArgumentException e) {
      return a.equals(b);
    }
  }

  /** RECORD: {@code path,sha256=<urlsafe base64, no padding>,size}; RECORD itself and its signatures carry no hash. */
  private static void record(String record, List<ManifestEntry> manifest, List<Finding> findings) {
    if (record == null) {
      findings.add(Finding.of(RECORD, Severity.MEDIUM, "the wheel has no RECORD, so nothing says which files its build produced"));
      return;
    }
    Map<String, String> listed = new HashMap<>();
    for (String line : record.split("\r?\n")) {
      List<String> fields = csv(line);
      if (fields.size() >= 2 && !fields.getFirst().isEmpty()) {
        listed.put(fields.getFirst(), fields.get(1));
      }
    }
    List<String> unlisted = new ArrayList<>();
    int mismatched = 0;
    Finding firstMismatch = null;
    for (ManifestEntry e : manifest) {
      if (e.path().contains("!/")) {
        continue;
      }
      String hash = listed.remove(e.path());
      if (hash == null) {
        if (!e.path().matches("[^/]+\\.dist-info/RECORD(\\.jws|\\.p7s)?")) {
          unlisted.add(e.path());
        }
        continue;
      }
      if (hash.isEmpty()) {
        continue;
      }
      if (!hash.equals("sha256=" + urlsafe(e.sha256()))) {
        mismatched++;
        if (firstMismatch == null) {
          firstMismatch = Finding.at(RECORD, Severity.HIGH, "a file's hash differs from the one RECORD lists: it was changed after the wheel was built",
              e.path());
        }
      }
    }
    if (firstMismatch != null) {
      findings.add(mismatched == 1 ? firstMismatch : new Finding(RECORD, Severity.HIGH, firstMismatch.message() + " (" + mismatched + " files)",
          firstMismatch.path(), null, null));
    }
    if (!unlisted.isEmpty()) {
      findings.add(Finding.at(RECORD, Severity.MEDIUM, unlisted.size() + " file(s) are not listed in RECORD: added after the build?", unlisted.getFirst()));
    }
    listed.keySet().stream().filter(p -> !p.endsWith("/")).sorted().findFirst().ifPresent(p ->
        findings.add(Finding.at(RECORD, Severity.LOW, "RECORD lists " + listed.size() + " file(s) the wheel does not contain", p)));
  }

  private static void foreign(List<ManifestEntry> manifest, List<Finding> findings) {
    for (ManifestEntry e : manifest) {
      FileKind kind = e.kind();
      if (kind == FileKind.NATIVE) {
        findings.add(Finding.at(FOREIGN, Severity.LOW, "native code (" + e.size() + " bytes) in a wheel that declares itself pure Python", e.path()));
      } else if (kind == FileKind.JAVASCRIPT || kind == FileKind.SHELL) {
        boolean large = e.size() >= LARGE_SCRIPT;
        findings.add(Finding.at(FOREIGN, large ? Severity.MEDIUM : Severity.LOW, (kind == FileKind.JAVASCRIPT ? "JavaScript" : "a shell script")
            + " (" + e.size() + " bytes) in a pure-Python wheel", e.path()));
      }
    }
  }

  static String urlsafe(String hex) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(HexFormat.of().parseHex(hex));
  }

  /** One CSV line (RFC 4180 quoting), as Python's csv module writes RECORD. */
  static List<String> csv(String line) {
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          field.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          field.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        fields.add(field.toString());
        field.setLength(0);
      } else {
        field.append(c);
      }
    }
    fields.add(field.toString());
    return fields;
  }
}
