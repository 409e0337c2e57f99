package dev.portcullis.inspect;

import dev.portcullis.inspect.rules.ContentRule;
import dev.portcullis.inspect.rules.SourceFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Inspects one package file in a single streaming pass: every entry is hashed, classified and
 * measured as it is inflated; text files (up to {@link Limits#contentBytes()} each) go through the
 * content rules; the entries the ecosystem's {@link PackageFormat} names as metadata are kept (each
 * up to {@link PackageFormat#MAX_METADATA_BYTES}) and read by it; then its whole-file checks run.
 * This is the only reading of an upload: what the registry checks and serves (a wheel's METADATA)
 * and what the rules and detectors see come from the same bytes. Memory is bounded by one entry's
 * retained text per nesting level, whatever the archive's size. Never throws for anything inside
 * the file: hazards become findings.
 */
public final class Inspector {

    private static final int HEAD = 512;

    private final Limits limits;
    private final Clock clock;
    private final List<ContentRule> rules;

    public Inspector(Limits limits, Clock clock) {
        this(limits, clock, ContentRule.all());
    }

    public Inspector(Limits limits, Clock clock, List<ContentRule> rules) {
        this.limits = limits;
        this.clock = clock;
        this.rules = List.copyOf(rules);
    }

    public Limits limits() {
        return limits;
    }

    /** Inspects {@code file}, stored under any name; {@code filename} is the package file's name, read as {@code format} says. */
    public Inspection inspect(Path file, String filename, PackageFormat format) {
        long size;
        String sha256;
        try {
            size = Files.size(file);
            sha256 = dev.portcullis.store.Sha256.hex(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        Collector collector = new Collector(format);
        boolean complete = ArchiveWalker.walk(file, filename, limits, clock, collector, format);
        Map<String, byte[]> kept = collector.metadataFiles;
        PackageMetadata metadata = format.metadata(filename, kept);
        List<Finding> findings = new ArrayList<>(collector.findings);
        findings.addAll(format.check(filename, metadata, kept, collector.manifest));
        findings.addAll(disguisedBinaries(collector.manifest));
        return new Inspection(
                Inspection.FORMAT, filename, size, sha256, complete, metadata, collector.manifest, findings, kept);
    }

    /** Executable code under a source file's name (num2words 0.5.15's PE named {@code _build.py}), whatever the ecosystem. */
    static List<Finding> disguisedBinaries(List<ManifestEntry> manifest) {
        List<Finding> findings = new ArrayList<>();
        for (ManifestEntry e : manifest) {
            String name = e.path().toLowerCase(java.util.Locale.ROOT);
            boolean sourceName = name.endsWith(".py")
                    || name.endsWith(".txt")
                    || name.endsWith(".js")
                    || name.endsWith(".json")
                    || name.endsWith(".md")
                    || name.endsWith(".cfg")
                    || name.endsWith(".toml");
            if (e.kind() == FileKind.NATIVE && sourceName) {
                findings.add(Finding.at(
                        "foreign-payload",
                        Severity.HIGH,
                        "native executable code hides under a source file's name",
                        e.path()));
            }
        }
        return findings;
    }

    /** Gathers the walk's results: manifest, findings, the metadata entries' bytes. */
    private final class Collector implements ArchiveVisitor {
        final PackageFormat format;
        final List<ManifestEntry> manifest = new ArrayList<>();
        final List<Finding> findings = new ArrayList<>();
        final Map<String, byte[]> metadataFiles = new TreeMap<>();

        Collector(PackageFormat format) {
            this.format = format;
        }

        @Override
        public EntrySink file(String path) {
            boolean metadata = !path.contains("!/") && format.isMetadata(path) && !metadataFiles.containsKey(path);
            return new Scanner(path, this, metadata);
        }

        @Override
        public void finding(Finding finding) {
            findings.add(finding);
        }

        void scanned(
                String path,
                ManifestEntry entry,
                String text,
                boolean truncated,
                byte[] metadata,
                boolean metadataTooLarge) {
            manifest.add(entry);
            if (metadata != null) {
                metadataFiles.put(path, metadata);
            } else if (metadataTooLarge) {
                findings.add(Finding.at(
                        "metadata",
                        Severity.HIGH,
                        "a metadata file is larger than " + Bytes.human(PackageFormat.MAX_METADATA_BYTES)
                                + " and was not read",
                        path));
            }
            if (text != null && (entry.kind().isScript() || entry.kind() == FileKind.TEXT)) {
                SourceFile source =
                        new SourceFile(path, entry.kind(), text, truncated, entry.size(), entry.longestLine());
                for (ContentRule rule : rules) {
                    findings.addAll(rule.check(source));
                }
            }
        }
    }

    /**
     * One entry's single pass: SHA-256, byte histogram (entropy), newlines and the longest line (text
     * only), and the retained text. The kind is decided from the first bytes; binaries skip the line
     * scan and the retained copy.
     */
    private final class Scanner implements ArchiveVisitor.EntrySink {
        private final String path;
        private final Collector collector;
        private final MessageDigest digest = dev.portcullis.store.Sha256.digest();
        private final int[][] histograms = new int[4][256]; // four, so consecutive bytes do not wait on each other
        private final byte[] head = new byte[HEAD];
        private byte[] retained = new byte[8 * 1024];
        private int retainedLength;
        private boolean retaining;
        private FileKind kind;
        private long size;
        private long currentLine;
        private long longestLine;
        private java.io.ByteArrayOutputStream metadata;
        private boolean metadataTooLarge;

        Scanner(String path, Collector collector, boolean metadata) {
            this.path = path;
            this.collector = collector;
            this.retaining = collector.format.container(path).isEmpty();
            this.metadata = metadata ? new java.io.ByteArrayOutputStream() : null;
        }

        @Override
        public void accept(byte[] buffer, int offset, int length) {
            digest.update(buffer, offset, length);
            if (metadata != null) {
                if (metadata.size() + (long) length > PackageFormat.MAX_METADATA_BYTES) {
                    metadata = null;
                    metadataTooLarge = true;
                } else {
                    metadata.write(buffer, offset, length);
                }
            }
            if (size < HEAD) {
                System.arraycopy(buffer, offset, head, (int) size, (int) Math.min(length, HEAD - size));
            }
            size += length;
            if (kind == null && size >= HEAD) {
                kind = FileKind.classify(path, head, HEAD);
                if (!textual(kind)) {
                    retaining = false;
                    retained = null;
                }
            }
            histogram(buffer, offset, offset + length);
            if (kind == null || textual(kind)) {
                lines(buffer, offset, offset + length);
            }
            if (retaining) {
                retain(buffer, offset, length);
            }
        }

        private void histogram(byte[] buffer, int from, int to) {
            int[] h0 = histograms[0];
            int[] h1 = histograms[1];
            int[] h2 = histograms[2];
            int[] h3 = histograms[3];
            int i = from;
            for (; i + 3 < to; i += 4) {
                h0[buffer[i] & 0xff]++;
                h1[buffer[i + 1] & 0xff]++;
                h2[buffer[i + 2] & 0xff]++;
                h3[buffer[i + 3] & 0xff]++;
            }
            for (; i < to; i++) {
                h0[buffer[i] & 0xff]++;
            }
        }

        private void lines(byte[] buffer, int from, int to) {
            int lineStart = from;
            long current = currentLine;
            long longest = longestLine;
            for (int i = from; i < to; i++) {
                if (buffer[i] == '\n') {
                    long length = current + (i - lineStart);
                    if (length > longest) {
                        longest = length;
                    }
                    current = 0;
                    lineStart = i + 1;
                }
            }
            currentLine = current + (to - lineStart);
            longestLine = longest;
        }

        private static boolean textual(FileKind kind) {
            return kind.isScript() || kind == FileKind.TEXT;
        }

        private void retain(byte[] buffer, int offset, int length) {
            int room = limits.contentBytes() - retainedLength;
            int take = Math.min(room, length);
            if (take <= 0) {
                return;
            }
            if (retainedLength + take > retained.length) {
                retained = Arrays.copyOf(
                        retained,
                        Math.min(limits.contentBytes(), Math.max(retained.length * 2, retainedLength + take)));
            }
            System.arraycopy(buffer, offset, retained, retainedLength, take);
            retainedLength += take;
        }

        @Override
        public void end() {
            if (kind == null) {
                kind = FileKind.classify(path, head, (int) Math.min(size, HEAD));
            }
            long[] counts = new long[256];
            for (int[] h : histograms) {
                for (int b = 0; b < 256; b++) {
                    counts[b] += h[b];
                }
            }
            boolean text = textual(kind);
            long lines = text ? counts['\n'] + (currentLine > 0 ? 1 : 0) : 0;
            long longest = text ? Math.max(longestLine, currentLine) : 0;
            ManifestEntry entry = new ManifestEntry(
                    path, size, HexFormat.of().formatHex(digest.digest()), kind, lines, longest, entropy(counts));
            String content = text && retaining ? new String(retained, 0, retainedLength, StandardCharsets.UTF_8) : null;
            retained = null;
            collector.scanned(
                    path,
                    entry,
                    content,
                    size > retainedLength,
                    metadata == null ? null : metadata.toByteArray(),
                    metadataTooLarge);
        }

        private double entropy(long[] counts) {
            if (size == 0) {
                return 0;
            }
            double h = 0;
            for (long count : counts) {
                if (count > 0) {
                    double p = (double) count / size;
                    h -= p * Math.log(p);
                }
            }
            return Math.round(h / Math.log(2) * 1000) / 1000.0;
        }
    }
}
