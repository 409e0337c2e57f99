package dev.portcullis.inspect;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import dev.portcullis.publish.Ecosystem;
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
 * What changed from one release's file to the next one's of the same variant (wheel to wheel,
 * sdist to sdist, tarball to tarball): files added, removed and changed (with unified diffs of text
 * files up to a size), size deltas, new top-level names and hidden folders, dependencies added,
 * removed and re-pinned, other declared facts that changed, new entry points, and changed
 * import-time code. The findings it raises are the ones only a comparison can see: a reviewer
 * looking at "what changed since the last release" would have seen lightning 2.6.2 at once.
 *
 * <p>Paths are compared as the ecosystem's {@link PackageFormat#stablePath} gives them (without
 * {@code name-1.0.dist-info/} or an sdist's top folder), so a version bump is not "every file
 * replaced"; dependencies are told apart by the ecosystem's {@link Ecosystem#dependency} key.
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
        List<String> addedDependencies,
        List<String> removedDependencies,
        List<String> changedDependencies,
        List<String> changedFacts,
        List<String> addedEntryPoints,
        List<String> importTimeChanges,
        List<FileDiff> diffs,
        List<Finding> findings) {

    /** One file present in both, with different bytes. */
    public record Change(String path, long sizeBefore, long sizeAfter, FileKind kindBefore, FileKind kindAfter) {}

    /** Files, uncompressed bytes and archive bytes, before and after. */
    public record Totals(
            int filesBefore,
            int filesAfter,
            long bytesBefore,
            long bytesAfter,
            long archiveBefore,
            long archiveAfter) {}

    /** A unified diff of one text file (an added file diffs against nothing). */
    public record FileDiff(String path, String unified) {}

    static final long MAX_DIFFED_FILE = 256 * 1024;
    static final long MAX_ADDED_SHOWN = 64 * 1024;
    static final int MAX_FILE_DIFFS = 50;
    static final int MAX_DIFF_CHARS = 1 << 20;
    static final String RULE = "diff";

    /**
     * Compares {@code before} and {@code after}, two files of {@code format}'s ecosystem; {@code
     * beforeFile} and {@code afterFile} are read again (bounded) only for the text diffs, and may be
     * null to skip them.
     */
    public static ReleaseDiff between(
            Inspection before,
            Path beforeFile,
            Inspection after,
            Path afterFile,
            PackageFormat format,
            Limits limits,
            Clock clock) {
        Paths paths = new Paths(format, before, after);
        Map<String, ManifestEntry> old = paths.byKey(before);
        Map<String, ManifestEntry> now = paths.byKey(after);
        List<ManifestEntry> added = new ArrayList<>();
        List<ManifestEntry> removed = new ArrayList<>();
        List<Change> changed = new ArrayList<>();
        for (Map.Entry<String, ManifestEntry> e : now.entrySet()) {
            ManifestEntry previous = old.get(e.getKey());
            if (previous == null) {
                added.add(e.getValue());
            } else if (!previous.sha256().equals(e.getValue().sha256())) {
                changed.add(new Change(
                        e.getValue().path(),
                        previous.size(),
                        e.getValue().size(),
                        previous.kind(),
                        e.getValue().kind()));
            }
        }
        for (Map.Entry<String, ManifestEntry> e : old.entrySet()) {
            if (!now.containsKey(e.getKey())) {
                removed.add(e.getValue());
            }
        }
        Totals totals = new Totals(
                before.manifest().size(),
                after.manifest().size(),
                before.contentBytes(),
                after.contentBytes(),
                before.size(),
                after.size());
        Set<String> oldDirs = directories(old.keySet());
        Set<String> newDirs = new TreeSet<>(directories(now.keySet()));
        newDirs.removeAll(oldDirs);
        Set<String> oldTop = topLevel(old.keySet());
        List<String> newTop =
                topLevel(now.keySet()).stream().filter(t -> !oldTop.contains(t)).toList();
        List<String> hidden =
                newDirs.stream().filter(ReleaseDiff::hidden).map(paths::display).toList();

        Map<String, Ecosystem.Dependency> reqBefore =
                byKey(format.ecosystem(), before.metadata().dependencies());
        Map<String, Ecosystem.Dependency> reqAfter =
                byKey(format.ecosystem(), after.metadata().dependencies());
        List<String> addedReqs = reqAfter.entrySet().stream()
                .filter(e -> !reqBefore.containsKey(e.getKey()))
                .map(e -> e.getValue().written())
                .toList();
        List<String> removedReqs = reqBefore.entrySet().stream()
                .filter(e -> !reqAfter.containsKey(e.getKey()))
                .map(e -> e.getValue().written())
                .toList();
        List<String> changedReqs = reqAfter.entrySet().stream()
                .filter(e -> reqBefore.containsKey(e.getKey())
                        && !reqBefore
                                .get(e.getKey())
                                .constraint()
                                .equals(e.getValue().constraint()))
                .map(e -> reqBefore.get(e.getKey()).written() + " -> "
                        + e.getValue().written())
                .toList();
        List<String> changedFacts = new ArrayList<>();
        after.metadata().facts().forEach((key, value) -> {
            String was = before.metadata().facts().get(key);
            if (!value.equals(was)) {
                changedFacts.add(key + ": " + (was == null ? "(none)" : was) + " -> " + value);
            }
        });
        Set<String> oldEntryPoints = entryPoints(before.metadata());
        List<String> addedEntryPoints = entryPoints(after.metadata()).stream()
                .filter(x -> !oldEntryPoints.contains(x))
                .toList();
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
        List<FileDiff> diffs = beforeFile == null || afterFile == null
                ? List.of()
                : textDiffs(before, beforeFile, after, afterFile, added, changed, paths, limits, clock);
        List<Finding> findings =
                new ArrayList<>(findings(before, after, added, totals, newDirs, paths, addedReqs, addedEntryPoints));
        findings.addAll(format.compare(before.metadata(), after.metadata()));
        findings.addAll(format.compareFiles(before, after));
        return new ReleaseDiff(
                before.filename(),
                after.filename(),
                added,
                removed,
                changed,
                totals,
                newTop,
                newDirs.stream().map(paths::display).toList(),
                hidden,
                addedReqs,
                removedReqs,
                changedReqs,
                List.copyOf(changedFacts),
                addedEntryPoints,
                importTime,
                diffs,
                findings);
    }

    /** A new file of a foreign kind this large is high on its own in a pure package (lightning's was 11 MB). */
    private static final long LARGE_FOREIGN = 1 << 20;

    // ------------------------------------------------------------------ findings

    private static List<Finding> findings(
            Inspection before,
            Inspection after,
            List<ManifestEntry> added,
            Totals totals,
            Set<String> newDirs,
            Paths paths,
            List<String> addedReqs,
            List<String> addedEntryPoints) {
        List<Finding> findings = new ArrayList<>();
        for (String dir : newDirs) {
            if (!hidden(dir)) {
                continue;
            }
            List<ManifestEntry> inside = added.stream()
                    .filter(e -> paths.stableAfter(e.path()).startsWith(dir + "/"))
                    .toList();
            long bytes = inside.stream().mapToLong(ManifestEntry::size).sum();
            List<String> foreign = inside.stream()
                    .map(ManifestEntry::kind)
                    .filter(paths.format().foreignKinds()::contains)
                    .map(FileKind::wireName)
                    .distinct()
                    .sorted()
                    .toList();
            boolean dot = dir.substring(dir.lastIndexOf('/') + 1).startsWith(".");
            // A dot folder of text (.github/FUNDING.yml) is packaging litter; one holding code is hidden code.
            boolean code = inside.stream().anyMatch(e -> e.kind().isScript());
            Severity severity = !foreign.isEmpty() || (dot && code) ? Severity.MEDIUM : Severity.LOW;
            findings.add(Finding.at(
                    RULE,
                    severity,
                    "adds a hidden folder with " + inside.size() + " file(s), " + Bytes.human(bytes)
                            + (foreign.isEmpty() ? "" : ", holding " + String.join(" and ", foreign) + " code"),
                    paths.display(dir) + "/"));
        }
        boolean pure = after.metadata().declaresPure();
        Set<FileKind> hadKinds = new java.util.HashSet<>();
        before.manifest().forEach(e -> hadKinds.add(e.kind()));
        for (ManifestEntry e : added) {
            if (paths.format().foreignKinds().contains(e.kind())) {
                boolean first = !hadKinds.contains(e.kind());
                // Alone it is medium (a vendored launcher, a shell completion, a browser worker); high when the
                // new kind comes in a new hidden folder or as a large file, as lightning's 11 MB _runtime/ script did.
                boolean hiddenFolder = newDirs.stream()
                        .filter(ReleaseDiff::hidden)
                        .anyMatch(dir -> paths.stableAfter(e.path()).startsWith(dir + "/"));
                Severity severity =
                        first && pure && (hiddenFolder || e.size() >= LARGE_FOREIGN) ? Severity.HIGH : Severity.MEDIUM;
                findings.add(Finding.at(
                        RULE,
                        severity,
                        "adds " + article(e.kind()) + " file of " + Bytes.human(e.size())
                                + (first ? " where the previous release had none" : ""),
                        e.path()));
            }
            String name = e.path().substring(e.path().lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
            if (name.endsWith(".pth") || name.equals("sitecustomize.py") || name.equals("usercustomize.py")) {
                // a new .pth is worth a look; what its lines do is the startup-hook rule's to judge
                findings.add(Finding.at(
                        RULE,
                        name.endsWith(".pth") ? Severity.MEDIUM : Severity.HIGH,
                        "adds a start-up hook that Python runs at every interpreter start",
                        e.path()));
            }
        }
        long delta = totals.bytesAfter() - totals.bytesBefore();
        if (delta > (1 << 20) && totals.bytesAfter() > 2 * Math.max(1, totals.bytesBefore())) {
            double factor = (double) totals.bytesAfter() / Math.max(1, totals.bytesBefore());
            // Growth is normal (new builds, bundled assets); a payload dropped in is one new file that is most of it.
            java.util.Optional<ManifestEntry> dropped = added.stream()
                    .max(java.util.Comparator.comparingLong(ManifestEntry::size))
                    .filter(e -> e.size() * 2 >= delta);
            // data (word lists, weights) is what packages grow by; code dropped in is what payloads are
            boolean code = dropped.filter(e -> e.kind().isScript() || e.kind() == FileKind.NATIVE)
                    .isPresent();
            findings.add(Finding.of(
                    RULE,
                    factor >= 5 && code ? Severity.HIGH : Severity.MEDIUM,
                    String.format(
                                    Locale.ROOT,
                                    "the unpacked size grew %.1f times, from %s to %s (archive %s to %s)",
                                    factor,
                                    Bytes.human(totals.bytesBefore()),
                                    Bytes.human(totals.bytesAfter()),
                                    Bytes.human(totals.archiveBefore()),
                                    Bytes.human(totals.archiveAfter()))
                            + dropped.map(e -> ", most of it one new file: " + e.path() + " (" + Bytes.human(e.size())
                                            + ")")
                                    .orElse("")));
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

    private static List<FileDiff> textDiffs(
            Inspection before,
            Path beforeFile,
            Inspection after,
            Path afterFile,
            List<ManifestEntry> added,
            List<Change> changed,
            Paths paths,
            Limits limits,
            Clock clock) {
        Map<String, String> oldPaths = new HashMap<>();
        before.manifest().forEach(e -> oldPaths.put(paths.stableBefore(e.path()), e.path()));
        Set<String> wantedAfter = new LinkedHashSet<>();
        Set<String> wantedBefore = new LinkedHashSet<>();
        for (Change c : changed) {
            if (textual(c.kindBefore())
                    && textual(c.kindAfter())
                    && c.sizeBefore() <= MAX_DIFFED_FILE
                    && c.sizeAfter() <= MAX_DIFFED_FILE
                    && wantedAfter.size() < MAX_FILE_DIFFS) {
                wantedAfter.add(c.path());
                wantedBefore.add(oldPaths.get(paths.stableAfter(c.path())));
            }
        }
        for (ManifestEntry e : added) {
            if (textual(e.kind()) && e.size() <= MAX_ADDED_SHOWN && wantedAfter.size() < MAX_FILE_DIFFS) {
                wantedAfter.add(e.path());
            }
        }
        Map<String, String> oldText = TextContents.read(
                beforeFile, before.filename(), wantedBefore, MAX_DIFFED_FILE, limits, clock, paths.format());
        Map<String, String> newText = TextContents.read(
                afterFile, after.filename(), wantedAfter, MAX_DIFFED_FILE, limits, clock, paths.format());
        List<FileDiff> diffs = new ArrayList<>();
        int budget = MAX_DIFF_CHARS;
        for (String path : wantedAfter) {
            String oldPath = oldPaths.get(paths.stableAfter(path));
            boolean isNew = !wantedBefore.contains(oldPath);
            String a = isNew ? "" : oldText.get(oldPath);
            String b = newText.get(path);
            if (a == null || b == null) {
                continue;
            }
            List<String> aLines = a.isEmpty() ? List.of() : a.lines().toList();
            List<String> bLines = b.lines().toList();
            List<String> unified = UnifiedDiffUtils.generateUnifiedDiff(
                    isNew ? "/dev/null" : "a/" + oldPath, "b/" + path, aLines, DiffUtils.diff(aLines, bLines), 3);
            String text = String.join(
                    "\n", unified.stream().map(ReleaseDiff::clipLine).toList());
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

    /** Entries by their stable path, as each side's file name says. */
    private record Paths(PackageFormat format, Inspection before, Inspection after) {

        String stableBefore(String path) {
            return format.stablePath(before.filename(), path);
        }

        String stableAfter(String path) {
            return format.stablePath(after.filename(), path);
        }

        Map<String, ManifestEntry> byKey(Inspection side) {
            Map<String, ManifestEntry> map = new TreeMap<>();
            for (ManifestEntry e : side.manifest()) {
                map.putIfAbsent(format.stablePath(side.filename(), e.path()), e);
            }
            return map;
        }

        /** A stable directory as it is written in the new file (its sdist top folder put back). */
        String display(String stableDir) {
            for (ManifestEntry e : after.manifest()) {
                String stable = stableAfter(e.path());
                if (stable.startsWith(stableDir + "/") && e.path().endsWith(stable)) {
                    return e.path().substring(0, e.path().length() - stable.length()) + stableDir;
                }
            }
            return stableDir;
        }
    }

    private static Map<String, Ecosystem.Dependency> byKey(Ecosystem ecosystem, List<String> dependencies) {
        Map<String, Ecosystem.Dependency> map = new LinkedHashMap<>();
        for (String written : dependencies) {
            Ecosystem.Dependency d = ecosystem.dependency(written);
            map.putIfAbsent(d.key(), d);
        }
        return map;
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
        return name.equals("__init__.py")
                || name.endsWith(".pth")
                || name.equals("sitecustomize.py")
                || name.equals("usercustomize.py")
                || name.equals("setup.py")
                || name.equals("package.json");
    }

    private static Set<String> entryPoints(PackageMetadata metadata) {
        Set<String> all = new TreeSet<>();
        metadata.entryPoints()
                .forEach((section, entries) ->
                        entries.forEach((name, ref) -> all.add(section + ": " + name + " = " + ref)));
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

        static Map<String, String> read(
                Path file,
                String filename,
                Set<String> wanted,
                long maxBytes,
                Limits limits,
                Clock clock,
                PackageFormat format) {
            if (wanted.isEmpty()) {
                return Map.of();
            }
            TextContents contents = new TextContents(wanted, maxBytes);
            ArchiveWalker.walk(file, filename, limits, clock, contents, format);
            return contents.texts;
        }

        @Override
        public EntrySink file(String path, long declaredSize) {
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
