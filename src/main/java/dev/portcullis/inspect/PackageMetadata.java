package dev.portcullis.inspect;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a distribution says about itself: core metadata ({@code METADATA} / {@code PKG-INFO}), entry
 * points, top-level packages and wheel tags. Parsed leniently — a malformed line is skipped, never
 * fatal — because a hostile file must still produce a report.
 */
public record PackageMetadata(
    String metadataVersion,
    String name,
    String version,
    String summary,
    List<String> requiresDist,
    String requiresPython,
    List<String> providesExtra,
    List<String> projectUrls,
    String author,
    String authorEmail,
    String maintainer,
    String maintainerEmail,
    Map<String, Map<String, String>> entryPoints,
    List<String> topLevel,
    List<String> wheelTags,
    Boolean rootIsPurelib) {

  public static final PackageMetadata NONE = new PackageMetadata(null, null, null, null, List.of(), null, List.of(), List.of(),
      null, null, null, null, Map.of(), List.of(), List.of(), null);

  /** Parses a core-metadata header block (RFC 822 style: continuation lines start with whitespace; the body follows a blank line). */
  public static Map<String, List<String>> headers(String text) {
    Map<String, List<String>> fields = new LinkedHashMap<>();
    String key = null;
    StringBuilder value = new StringBuilder();
    for (String line : text.split("\r?\n", -1)) {
      if (line.isEmpty()) {
        break;
      }
      if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && key != null) {
        value.append('\n').append(line.strip());
        continue;
      }
      if (key != null) {
        fields.computeIfAbsent(key, k -> new ArrayList<>()).add(value.toString().strip());
        key = null;
      }
      int colon = line.indexOf(':');
      if (colon > 0) {
        key = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
        value.setLength(0);
        value.append(line.substring(colon + 1));
      }
    }
    if (key != null) {
      fields.computeIfAbsent(key, k -> new ArrayList<>()).add(value.toString().strip());
    }
    return fields;
  }

  /** Core metadata, plus the other dist-info files when present (each may be null). */
  public static PackageMetadata parse(String coreMetadata, String entryPointsText, String topLevelText, String wheelText) {
    Map<String, List<String>> h = coreMetadata == null ? Map.of() : headers(coreMetadata);
    Map<String, List<String>> wheel = wheelText == null ? Map.of() : headers(wheelText);
    String purelib = first(wheel, "root-is-purelib");
    return new PackageMetadata(
        first(h, "metadata-version"), first(h, "name"), first(h, "version"), first(h, "summary"),
        all(h, "requires-dist"), first(h, "requires-python"), all(h, "provides-extra"), all(h, "project-url"),
        first(h, "author"), first(h, "author-email"), first(h, "maintainer"), first(h, "maintainer-email"),
        entryPointsText == null ? Map.of() : entryPoints(entryPointsText),
        topLevelText == null ? List.of() : topLevelText.lines().map(String::strip).filter(s -> !s.isEmpty()).toList(),
        all(wheel, "tag"),
        purelib == null ? null : purelib.equalsIgnoreCase("true"));
  }

  /** {@code entry_points.txt}: INI sections of {@code name = object reference}. */
  static Map<String, Map<String, String>> entryPoints(String text) {
    Map<String, Map<String, String>> sections = new TreeMap<>();
    String section = null;
    for (String raw : text.split("\r?\n")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
        continue;
      }
      if (line.startsWith("[") && line.endsWith("]")) {
        section = line.substring(1, line.length() - 1).strip();
        sections.computeIfAbsent(section, s -> new TreeMap<>());
        continue;
      }
      int eq = line.indexOf('=');
      if (section != null && eq > 0) {
        sections.get(section).put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
      }
    }
    return sections;
  }

  /** The distribution name a requirement string names ({@code "requests[socks]>=2; extra == 'x'"} → {@code requests}). */
  public static String requirementName(String requirement) {
    int end = 0;
    while (end < requirement.length()) {
      char c = requirement.charAt(end);
      if (!(Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '.')) {
        break;
      }
      end++;
    }
    return requirement.substring(0, end).toLowerCase(Locale.ROOT).replaceAll("[-_.]+", "-");
  }

  /**
   * Requirements keyed by what identifies one: the normalized name plus its environment marker
   * ({@code numpy} and {@code numpy; python_version<'3.9'} are two). The first of duplicates wins.
   */
  public static Map<String, String> requirementsByKey(List<String> requirements) {
    Map<String, String> map = new LinkedHashMap<>();
    for (String r : requirements) {
      String marker = r.contains(";") ? r.substring(r.indexOf(';')).replace(" ", "") : "";
      map.putIfAbsent(requirementName(r.strip()) + marker, r);
    }
    return map;
  }

  /** Whether the wheel holds only pure Python (Root-Is-Purelib, or every tag platform-independent). */
  public boolean pure() {
    if (Boolean.TRUE.equals(rootIsPurelib)) {
      return true;
    }
    return !wheelTags.isEmpty() && wheelTags.stream().allMatch(t -> t.endsWith("-none-any"));
  }

  private static String first(Map<String, List<String>> h, String key) {
    List<String> values = h.get(key);
    return values == null || values.isEmpty() ? null : values.getFirst();
  }

  private static List<String> all(Map<String, List<String>> h, String key) {
    return List.copyOf(h.getOrDefault(key, List.of()));
  }
}
