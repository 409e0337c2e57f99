package dev.portcullis.inspect;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What changed from one release's file to the next one's of the same kind (wheel to wheel, sdist
 * to sdist): files added, removed and changed (with unified diffs of text files up to a size), size
 * deltas, new top-level packages and hidden folders, new requirements, extras and entry points,
 * and changed import-time code. The findings it raises are the ones only a comparison can see: a
 * reviewer looking at "what changed since the last release" would have seen lightning 2.6.2 at once.
 *
 * <p>Paths are compared without their version-specific prefix ({@code name-1.0.dist-info/} and an
 * sdist's top folder), so a version bump is not "every file replaced".
 */
public record ReleaseDiff(
    String from,
    String to,
    List<ManifestEntry> added,
    List<ManifestEntry> removed,
    List<Change> changed,
    Totals totals,
    List<String> newTopLevel,
    List<String> newDirectories,
    List<String> hiddenDirectories,
    List<String> addedRequirements,
    List<String> removedRequirements,
    List<String> changedRequirements,
    List<String> addedExtras,
    List<String> addedEntryPoints,
    List<String> importTimeChanges,
    List<FileDiff> diffs,
    List<Finding> findings) {

  /** One file present in both, with different bytes. */
  public record Change(String path, long sizeBefore, long sizeAfter, FileKind kindBefore, FileKind kindAfter) {}

  /** Files, uncompressed bytes and archive bytes, before and after. */
  public record Totals(int filesBefore, int filesAfter, long bytesBefore, long bytesAfter, long archiveBefore, long archiveAfter) {}

  /** A unified diff of one text file (an added file diffs against nothing). */
  public record FileDiff(String path, String unified) {}

  static final long MAX_DIFFED_FILE = 256 * 1024;
  static final long MAX_ADDED_SHOWN = 64 * 1024;
  static final int MAX_FILE_DIFFS = 50;
  static final int MAX_DIFF_CHARS = 1 << 20;
  static final String RULE = "diff";

  /**
   * Compares {@code before} and {@code after}; {@code beforeFile} and {@code afterFile} are read
   * again (bounded) only for the text diffs, and may be null to skip them.
   */
  public static ReleaseDiff between(Inspection before, Path beforeFile, Inspection after, Path afterFile, Limits limits, Clock clock) {
    boolean sdist = !after.filename().toLowerCase(Locale.ROOT).endsWith(".whl");
    Map<String, ManifestEntry> old = byKey(before.manifest(), sdist);
    Map<String, ManifestEntry> now = byKey(after.manifest(), sdist);
    List<ManifestEntry> added = new ArrayList<>();
    List<ManifestEntry> removed = new ArrayList<>();
    List<Change> changed = new ArrayList<>();
    for (Map.Entry<String, ManifestEntry> e : now.entrySet()) {
      ManifestEntry previous = old.get(e.getKey());
      if (previous == null) {
        added.add(e.getValue());
      } else if (!previous.sha256().equals(e.getValue().sha256())) {
        changed.add(new Change(e.getValue().path(), previous.size(), e.getValue().size(), previous.kind(), e.getValue().kind()));
      }
    }
    for (Map.Entry<String, ManifestEntry> e : old.entrySet()) {
      if (!now.containsKey(e.getKey())) {
        removed.add(e.getValue());
      }
    }
    Totals totals = new Totals(before.manifest().size(), after.manifest().size(), before.contentBytes(), after.contentBytes(),
        before.size(), after.size());
    Set<String> oldDirs = directories(old.keySet());
    Set<String> newDirs = new TreeSet<>(directories(now.keySet()));
    newDirs.removeAll(oldDirs);
    Set<String> oldTop = topLevel(old.keySet());
    List<String> newTop = topLevel(now.keySet()).stream().filter(t -> !oldTop.contains(t)).toList();
    List<String> hidden = newDirs.stream().filter(ReleaseDiff::hidden).map(d -> display(d, after, sdist)).toList();

    Map<String, String> reqBefore = PackageMetadata.requirementsByKey(before.metadata().requiresDist());
    Map<String, String> reqAfter = PackageMetadata.requirementsByKey(after.metadata().requiresDist());
    List<String> addedReqs = reqAfter.entrySet().stream().filter(e -> !reqBefore.containsKey(e.getKey())).map(Map.Entry::getValue).toList();
    List<String> removedReqs = reqBefore.entrySet().stream().filter(e -> !reqAfter.containsKey(e.getKey())).map(Map.Entry::getValue).toList();
    List<String> changedReqs = reqAfter.entrySet().stream()
        .filter(e -> reqBefore.containsKey(e.getKey()) && !reqBefore.get(e.getKey()).equals(e.getValue()))
        .map(e -> reqBefore.get(e.getKey()) + " -> " + e.getValue()).toList();
    List<String> addedExtras = after.metadata().providesExtra().stream().filter(x -> !before.metadata().providesExtra().contains(x)).toList();
    Set<String> oldEntryPoints = entryPoints(before.metadata());
    List<String> addedEntryPoints = entryPoints(after.metadata()).stream().filter(x -> !oldEntryPoints.contains(x)).toList();
    List<String> importTime = new ArrayList<>();
    for (ManifestEntry e : added) {
      if (importTimeFile(e.path())) {
        importTime.add(e.path() + " (new)");
      }
    }
    for (Change c : changed) {
      if (importTimeFile(c.path())) {
        importTime.add(c.path());
      }
    }
    List<FileDiff> diffs = beforeFile == null || afterFile == null ? List.of()
        : textDiffs(before, beforeFile, after, afterFile, added, changed, sdist, limits, clock);
    List<Finding> findings = findings(before, after, added, totals, newDirs, sdist, addedReqs, addedEntryPoints);
    return new ReleaseDiff(before.filename(), after.filename(), added, removed, changed, totals, newTop,
        newDirs.stream().map(d -> display(d, after, sdist)).toList(), hidden, addedReqs, removedReqs, changedReqs, addedExtras,
        addedEntryPoints, importTime, diffs, findings);
  }

  // ------------------------------------------------------------------ findings

  private static List<Finding> findings(Inspection before, Inspection after, List<ManifestEntry> added, Totals totals, Set<String> newDirs,
      boolean sdist, List<String> addedReqs, List<String> addedEntryPoints) {
    List<Finding> findings = new ArrayList<>();
    for (String dir : newDirs) {
      if (!hidden(dir)) {
        continue;
      }
      List<ManifestEntry> inside = added.stream().filter(e -> key(e.path(), sdist).startsWith(dir + "/")).toList();
      long bytes = inside.stream().mapToLong(ManifestEntry::size).sum();
      boolean foreign = inside.stream().anyMatch(e -> e.kind() != FileKind.PYTHON && e.kind() != FileKind.TEXT && e.kind() != FileKind.BYTECODE);
      boolean dot = dir.substring(dir.lastIndexOf('/') + 1).startsWith(".");
      Severity severity = dot || foreign ? Severity.MEDIUM : Severity.LOW;
      findings.add(Finding.at(RULE, severity, "adds a hidden folder with " + inside.size() + " file(s), " + Bytes.human(bytes)
          + (foreign ? ", not only Python" : ""), display(dir, after, sdist) + "/"));
    }
    boolean pure = after.metadata().pure();
    Set<FileKind> hadKinds = new java.util.HashSet<>();
    before.manifest().forEach(e -> hadKinds.add(e.kind()));
    for (ManifestEntry e : added) {
      if (e.kind() == FileKind.NATIVE || e.kind() == FileKind.JAVASCRIPT || e.kind() == FileKind.SHELL) {
        boolean first = !hadKinds.contains(e.kind());
        Severity severity = first && (pure || sdist) ? Severity.HIGH : Severity.MEDIUM;
        findings.add(Finding.at(RULE, severity, "adds " + article(e.kind()) + " file of " + Bytes.human(e.size())
            + (first ? " where the previous release had none" : ""), e.path()));
      }
      String name = e.path().substring(e.path().lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
      if (name.endsWith(".pth") || name.equals("sitecustomize.py") || name.equals("usercustomize.py")) {
        findings.add(Finding.at(RULE, Severity.HIGH, "adds a start-up hook that Python runs at every interpreter start", e.path()));
      }
    }
    long delta = totals.bytesAfter() - totals.bytesBefore();
    if (delta > (1 << 20) && totals.bytesAfter() > 2 * Math.max(1, totals.bytesBefore())) {
      double factor = (double) totals.bytesAfter() / Math.max(1, totals.bytesBefore());
      findings.add(Finding.of(RULE, factor >= 5 ? Severity.HIGH : Severity.MEDIUM, String.format(Locale.ROOT,
          "the unpacked size grew %.1f times, from %s to %s (archive %s to %s)", factor, Bytes.human(totals.bytesBefore()),
          Bytes.human(totals.bytesAfter()), Bytes.human(totals.archiveBefore()), Bytes.human(totals.archiveAfter()))));
    }
    if (!addedReqs.isEmpty()) {
      findings.add(Finding.of(RULE, Severity.LOW, "adds dependencies: " + String.join(", ", addedReqs)));
    }
    if (!addedEntryPoints.isEmpty()) {
      findings.add(Finding.of(RULE, Severity.LOW, "adds entry points: " + String.join(", ", addedEntryPoints)));
    }
    return findings;
  }

  private static String article(FileKind kind) {
    return switch (kind) {
      case NATIVE -> "a native-code";
      case JAVASCRIPT -> "a JavaScript";
      case SHELL -> "a shell-script";
      default -> "a " + kind.wireName();
    };
  }

  // ------------------------------------------------------------------ text diffs

  private static List<FileDiff> textDiffs(Inspection before, Path beforeFile, Inspection after, Path afterFile, List<ManifestEntry> added,
      List<Change> changed, boolean sdist, Limits limits, Clock clock) {
    Map<String, String> oldPaths = new HashMap<>();
    before.manifest().forEach(e -> oldPaths.put(key(e.path(), sdist), e.path()));
    Set<String> wantedAfter = new LinkedHashSet<>();
    Set<String> wantedBefore = new LinkedHashSet<>();
    for (Change c : changed) {
      if (textual(c.kindBefore()) && textual(c.kindAfter()) && c.sizeBefore() <= MAX_DIFFED_FILE && c.sizeAfter() <= MAX_DIFFED_FILE
          && wantedAfter.size() < MAX_FILE_DIFFS) {
        wantedAfter.add(c.path());
        wantedBefore.add(oldPaths.get(key(c.path(), sdist)));
      }
    }
    for (ManifestEntry e : added) {
      if (textual(e.kind()) && e.size() <= MAX_ADDED_SHOWN && wantedAfter.size() < MAX_FILE_DIFFS) {
        wantedAfter.add(e.path());
      }
    }
    Map<String, String> oldText = TextContents.read(beforeFile, before.filename(), wantedBefore, MAX_DIFFED_FILE, limits, clock);
    Map<String, String> newText = TextContents.read(afterFile, after.filename(), wantedAfter, MAX_DIFFED_FILE, limits, clock);
    List<FileDiff> diffs = new ArrayList<>();
    int budget = MAX_DIFF_CHARS;
    for (String path : wantedAfter) {
      String oldPath = oldPaths.get(key(path, sdist));
      boolean isNew = !wantedBefore.contains(oldPath);
      String a = isNew ? "" : oldText.get(oldPath);
      String b = newText.get(path);
      if (a == null || b == null) {
        continue;
      }
      List<String> aLines = a.isEmpty() ? List.of() : a.lines().toList();
      List<String> bLines = b.lines().toList();
      List<String> unified = UnifiedDiffUtils.generateUnifiedDiff(isNew ? "/dev/null" : "a/" + oldPath, "b/" + path, aLines,
          DiffUtils.diff(aLines, bLines), 3);
      String text = String.join("\n", unified.stream().map(ReleaseDiff::clipLine).toList());
      if (text.length() > budget) {
        break;
      }
      budget -= text.length();
      diffs.add(new FileDiff(path, text));
    }
    return diffs;
  }

  private static String clipLine(String line) {
    return line.length() > 400 ? line.substring(0, 400) + "… (" + line.length() + " characters)" : line;
  }

  private static boolean textual(FileKind kind) {
    return kind.isScript() || kind == FileKind.TEXT;
  }

  // ------------------------------------------------------------------ paths and metadata

  private static Map<String, ManifestEntry> byKey(List<ManifestEntry> manifest, boolean sdist) {
    Map<String, ManifestEntry> map = new TreeMap<>();
    for (ManifestEntry e : manifest) {
      map.putIfAbsent(key(e.path(), sdist), e);
    }
    return map;
  }

  /** The path without the version-specific prefix. */
  static String key(String path, boolean sdist) {
    if (sdist) {
      int slash = path.indexOf('/');
      return slash < 0 ? path : path.substring(slash + 1);
    }
    return path.replaceFirst("^[^/]+\\.dist-info/", "{dist-info}/").replaceFirst("^[^/]+\\.data/", "{data}/");
  }

  private static String display(String keyDir, Inspection after, boolean sdist) {
    if (!sdist) {
      return keyDir;
    }
    String first = after.manifest().isEmpty() ? "" : after.manifest().getFirst().path();
    int slash = first.indexOf('/');
    return slash < 0 ? keyDir : first.substring(0, slash + 1) + keyDir;
  }

  private static Set<String> directories(Set<String> keys) {
    Set<String> dirs = new TreeSet<>();
    for (String k : keys) {
      int slash = k.lastIndexOf('/');
      while (slash > 0) {
        k = k.substring(0, slash);
        dirs.add(k);
        slash = k.lastIndexOf('/');
      }
    }
    return dirs;
  }

  private static Set<String> topLevel(Set<String> keys) {
    Set<String> top = new TreeSet<>();
    for (String k : keys) {
      int slash = k.indexOf('/');
      String first = slash < 0 ? k : k.substring(0, slash);
      if (!first.startsWith("{")) {
        top.add(first.endsWith(".py") ? first.substring(0, first.length() - 3) : first);
      }
    }
    return top;
  }

  private static boolean hidden(String dir) {
    String last = dir.substring(dir.lastIndexOf('/') + 1);
    return (last.startsWith(".") || last.startsWith("_")) && !last.equals("__pycache__") && !dir.startsWith("{");
  }

  private static boolean importTimeFile(String path) {
    String name = path.substring(path.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
    return name.equals("__init__.py") || name.endsWith(".pth") || name.equals("sitecustomize.py") || name.equals("usercustomize.py")
        || name.equals("setup.py") || name.equals("package.json");
  }

  private static Set<String> entryPoints(PackageMetadata metadata) {
    Set<String> all = new TreeSet<>();
    metadata.entryPoints().forEach((section, entries) -> entries.forEach((name, ref) -> all.add(section + ": " + name + " = " + ref)));
    return all;
  }

  /** Reads selected text entries of an archive (each up to a size), through the same safe walker. */
  static final class TextContents implements ArchiveVisitor {
    private final Set<String> wanted;
    private final long maxBytes;
    private final Map<String, String> texts = new HashMap<>();

    private TextContents(Set<String> wanted, long maxBytes) {
      this.wanted = wanted;
      this.maxBytes = maxBytes;
    }

    static Map<String, String> read(Path file, String filename, Set<String> wanted, long maxBytes, Limits limits, Clock clock) {
      if (wanted.isEmpty()) {
        return Map.of();
      }
      TextContents contents = new TextContents(wanted, maxBytes);
      ArchiveWalker.walk(file, filename, limits, clock, contents);
      return contents.texts;
    }

    @Override
    public EntrySink file(String path) {
      if (!wanted.contains(path)) {
        return DISCARD;
      }
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      return new EntrySink() {
        @Override
        public void accept(byte[] buffer, int offset, int length) {
          int room = (int) Math.max(0, maxBytes - out.size());
          out.write(buffer, offset, Math.min(room, length));
        }

        @Override
        public void end() {
          texts.put(path, out.toString(StandardCharsets.UTF_8));
        }
      };
    }

    @Override
    public void finding(Finding finding) {
      // the inspection already reported it
    }

    private static final EntrySink DISCARD = new EntrySink() {
      @Override
      public void accept(byte[] buffer, int offset, int length) {}

      @Override
      public void end() {}
    };
  }
}
