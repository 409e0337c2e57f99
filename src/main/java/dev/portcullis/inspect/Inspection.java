package dev.portcullis.inspect;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The inspection of one distribution file: what it holds ({@code manifest}), what it says about
 * itself ({@code metadata}), and what the inspector found. {@code complete} is false when a limit
 * or a malformed structure ended the walk early; such a file is never released without a person.
 */
public record Inspection(
    String filename, long size, String sha256, boolean complete, PackageMetadata metadata,
    List<ManifestEntry> manifest, List<Finding> findings) {

  public Inspection {
    manifest = List.copyOf(manifest);
    findings = List.copyOf(findings);
  }

  public Severity maxSeverity() {
    return findings.stream().map(Finding::severity).max(Comparator.naturalOrder()).orElse(Severity.INFO);
  }

  /** Total uncompressed bytes of the files inside. */
  public long contentBytes() {
    return manifest.stream().mapToLong(ManifestEntry::size).sum();
  }

  /**
   * Why the file must not be stored at all: a critical structural hazard (traversal, absolute
   * path, duplicate entry, bomb, device file, malformed archive). Registries refuse such files.
   */
  public Optional<String> refusal() {
    return findings.stream()
        .filter(f -> f.severity() == Severity.CRITICAL && f.rule().equals(ArchiveWalker.RULE))
        .findFirst()
        .map(Finding::explain);
  }

  /** Findings, most severe first (stable within a severity). */
  public List<Finding> findingsBySeverity() {
    return findings.stream().sorted(Comparator.comparing(Finding::severity).reversed()).toList();
  }
}
