package dev.portcullis.inspect;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One file's inspection and, when there was a previous release to compare with, the diff: what
 * the approver reads ({@code release inspect}, the release API) and what {@code portcullis inspect}
 * prints. {@code diff} is null for a project's first release.
 */
public record Report(Inspection inspection, ReleaseDiff diff) {

    /** The inspection's findings and the diff's, most severe first. */
    public List<Finding> findings() {
        List<Finding> all = new ArrayList<>(inspection.findings());
        if (diff != null) {
            all.addAll(diff.findings());
        }
        all.sort(Comparator.comparing(Finding::severity).reversed());
        return all;
    }

    public Severity maxSeverity() {
        return findings().stream().map(Finding::severity).findFirst().orElse(Severity.INFO);
    }

    /** The terminal's width ({@code COLUMNS}), or 100. */
    static int width() {
        try {
            return Math.max(
                    60,
                    Integer.parseInt(
                            System.getenv().getOrDefault("COLUMNS", "100").trim()));
        } catch (NumberFormatException e) {
            return 100;
        }
    }

    /**
     * {@code text} wrapped at spaces to {@code width}, at most {@code maxLines} lines, the last cut
     * with "…" (a minified line in an excerpt must not flood the terminal; JSON output keeps all of it).
     */
    static List<String> wrap(String text, int width, int maxLines) {
        List<String> lines = new ArrayList<>();
        String rest = text.replaceAll("\\s+", " ").strip();
        while (!rest.isEmpty() && lines.size() < maxLines) {
            if (rest.length() <= width) {
                lines.add(rest);
                rest = "";
                break;
            }
            int cut = rest.lastIndexOf(' ', width);
            if (cut <= width / 2) {
                cut = width;
            }
            lines.add(rest.substring(0, cut).stripTrailing());
            rest = rest.substring(cut).strip();
        }
        if (!rest.isEmpty()) {
            String last = lines.removeLast();
            lines.add((last.length() >= width ? last.substring(0, width - 1) : last) + "…");
        }
        return lines.isEmpty() ? List.of("") : lines;
    }

    /** Prints the report for a person; {@code showDiffs} adds the unified diffs of text files. */
    public void print(PrintWriter out, boolean showDiffs) {
        Inspection i = inspection;
        PackageMetadata m = i.metadata();
        out.printf(java.util.Locale.ROOT, "%s  %s  sha256 %s%n", i.filename(), Bytes.human(i.size()), i.sha256());
        out.printf(
                java.util.Locale.ROOT,
                "  %s %s · %d files, %s unpacked%s%n",
                m.name(),
                m.version(),
                i.manifest().size(),
                Bytes.human(i.contentBytes()),
                i.complete() ? "" : " · INCOMPLETE: not every entry was read");
        m.facts().entrySet().stream()
                .filter(e -> !e.getKey().startsWith("author") && !e.getKey().equals("metadata-version"))
                .forEach(e -> out.println("  " + e.getKey() + " " + e.getValue()));
        if (!m.dependencies().isEmpty()) {
            out.println("  requires " + String.join(", ", m.dependencies()));
        }
        List<Finding> findings = findings();
        List<Finding> shown =
                findings.stream().filter(f -> f.severity() != Severity.INFO).toList();
        out.printf(
                java.util.Locale.ROOT,
                "%nFindings: %d, highest %s%n",
                shown.size(),
                maxSeverity().wireName());
        for (Finding f : shown) {
            String head = String.format(
                    java.util.Locale.ROOT, "  %-8s %-16s ", f.severity().wireName(), f.rule());
            List<String> lines = wrap(f.explain(), Math.max(40, width() - head.length()), 4);
            out.println(head + lines.getFirst());
            lines.stream().skip(1).forEach(line -> out.println(" ".repeat(head.length()) + line));
        }
        if (diff == null) {
            return;
        }
        ReleaseDiff d = diff;
        ReleaseDiff.Totals t = d.totals();
        out.printf(java.util.Locale.ROOT, "%nChanges since %s%n", d.from());
        out.printf(
                java.util.Locale.ROOT,
                "  files %d -> %d (%d added, %d removed, %d changed); unpacked %s -> %s; archive %s -> %s%n",
                t.filesBefore(),
                t.filesAfter(),
                d.added().size(),
                d.removed().size(),
                d.changed().size(),
                Bytes.human(t.bytesBefore()),
                Bytes.human(t.bytesAfter()),
                Bytes.human(t.archiveBefore()),
                Bytes.human(t.archiveAfter()));
        d.added()
                .forEach(e -> out.printf(
                        java.util.Locale.ROOT,
                        "  + %s (%s, %s)%n",
                        e.path(),
                        Bytes.human(e.size()),
                        e.kind().wireName()));
        d.removed().forEach(e -> out.printf(java.util.Locale.ROOT, "  - %s%n", e.path()));
        d.changed()
                .forEach(c -> out.printf(
                        java.util.Locale.ROOT,
                        "  ~ %s (%s -> %s)%n",
                        c.path(),
                        Bytes.human(c.sizeBefore()),
                        Bytes.human(c.sizeAfter())));
        list(out, "new top-level names", d.newTopLevel());
        list(out, "new hidden folders", d.hiddenDirectories());
        list(out, "import-time code changed", d.importTimeChanges());
        list(out, "dependencies added", d.addedDependencies());
        list(out, "dependencies removed", d.removedDependencies());
        list(out, "dependencies changed", d.changedDependencies());
        list(out, "declared facts changed", d.changedFacts());
        list(out, "entry points added", d.addedEntryPoints());
        if (showDiffs) {
            for (ReleaseDiff.FileDiff diffText : d.diffs()) {
                out.println();
                out.println(diffText.unified());
            }
        }
    }

    private static void list(PrintWriter out, String label, List<String> items) {
        if (!items.isEmpty()) {
            out.println("  " + label + ": " + String.join(", ", items));
        }
    }
}
