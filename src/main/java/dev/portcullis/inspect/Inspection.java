package dev.portcullis.inspect;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The inspection of one package file: what it holds ({@code manifest}), what it says about itself
 * ({@code metadata}), and what the inspector found. {@code complete} is false when a limit or a
 * malformed structure ended the walk early; such a file is never released without a person.
 *
 * <p>Stored as JSON with the file. {@code format} is the report layout's number ({@link #FORMAT});
 * a report of an older layout is inspected again from the file's bytes when it is next read.
 * {@code metadataFiles} (the kept metadata entries, byte for byte: PyPI serves a wheel's METADATA
 * as is) travel with a fresh inspection only and are never stored.
 */
public record Inspection(
        int format,
        String filename,
        long size,
        String sha256,
        boolean complete,
        PackageMetadata metadata,
        List<ManifestEntry> manifest,
        List<Finding> findings,
        @JsonIgnore Map<String, byte[]> metadataFiles) {

    /** The layout written today: 2 since metadata became ecosystem-neutral. */
    public static final int FORMAT = 2;

    public Inspection {
        metadata = metadata == null ? PackageMetadata.NONE : metadata;
        manifest = List.copyOf(manifest);
        findings = List.copyOf(findings);
        metadataFiles = metadataFiles == null ? Map.of() : Map.copyOf(metadataFiles);
    }

    /** Whether the report was written by an older inspector (and should be redone from the bytes when they are at hand). */
    @JsonIgnore
    public boolean outdated() {
        return format < FORMAT;
    }

    public Severity maxSeverity() {
        return findings.stream()
                .map(Finding::severity)
                .max(Comparator.naturalOrder())
                .orElse(Severity.INFO);
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
        return findings.stream()
                .sorted(Comparator.comparing(Finding::severity).reversed())
                .toList();
    }
}
