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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

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

    /** Text files read and waiting for the content rules, at most (each up to {@link Limits#contentBytes()}). */
    private static final int RULES_AHEAD = 4;

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
        boolean complete;
        List<Finding> findings;
        Collector collector = new Collector(format);
        try (collector) {
            complete = ArchiveWalker.walk(file, filename, limits, clock, collector, format);
            findings = collector.findings();
        }
        Map<String, byte[]> kept = collector.metadataFiles;
        PackageMetadata metadata = format.metadata(filename, kept);
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

    /**
     * Gathers the walk's results: manifest, findings, the metadata entries' bytes. The content rules
     * run on a second thread while the walk inflates the next entries (at most {@link #RULES_AHEAD}
     * files wait for them, so memory stays bounded); findings keep the walk's order.
     */
    private final class Collector implements ArchiveVisitor, AutoCloseable {
        final PackageFormat format;
        final List<ManifestEntry> manifest = new ArrayList<>();
        final Map<String, byte[]> metadataFiles = new TreeMap<>();
        private final List<Future<List<Finding>>> findings = new ArrayList<>();
        private final ExecutorService rulesThreads = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("portcullis-inspect-rules").factory());
        private final Semaphore waiting = new Semaphore(RULES_AHEAD);

        Collector(PackageFormat format) {
            this.format = format;
        }

        /** Every finding, in the walk's order, once the rules have run on every file; a rule's failure is rethrown. */
        List<Finding> findings() {
            List<Finding> all = new ArrayList<>();
            for (Future<List<Finding>> part : findings) {
                try {
                    all.addAll(part.get());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while the content rules ran", e);
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException runtime) {
                        throw runtime;
                    }
                    if (e.getCause() instanceof Error error) {
                        throw error;
                    }
                    throw new IllegalStateException(e.getCause());
                }
            }
            return all;
        }

        @Override
        public void close() {
            rulesThreads.shutdownNow();
        }

        /** Runs {@code check} on a rules thread, in the walk's order of findings, once fewer than RULES_AHEAD wait. */
        private void beside(java.util.concurrent.Callable<List<Finding>> check) {
            waiting.acquireUninterruptibly();
            findings.add(rulesThreads.submit(() -> {
                try {
                    return check.call();
                } finally {
                    waiting.release();
                }
            }));
        }

        @Override
        public EntrySink file(String path, long declaredSize) {
            boolean metadata = !path.contains("!/") && format.isMetadata(path) && !metadataFiles.containsKey(path);
            return new Scanner(path, this, metadata, declaredSize);
        }

        @Override
        public void finding(Finding finding) {
            findings.add(CompletableFuture.completedFuture(List.of(finding)));
        }

        /** One entry read; {@code text} (its first {@code textLength} bytes, or null) goes to the rules thread. */
        void scanned(
                String path,
                ManifestEntry entry,
                byte[] text,
                int textLength,
                boolean truncated,
                byte[] metadata,
                boolean metadataTooLarge) {
            manifest.add(entry);
            if (metadata != null) {
                metadataFiles.put(path, metadata);
            } else if (metadataTooLarge) {
                finding(Finding.at(
                        "metadata",
                        Severity.HIGH,
                        "a metadata file is larger than " + Bytes.human(PackageFormat.MAX_METADATA_BYTES)
                                + " and was not read",
                        path));
            }
            if (text == null) {
                return;
            }
            if (!(entry.kind().isScript() || entry.kind() == FileKind.TEXT)) {
                beside(() -> format.checkCode(path, text, textLength));
                return;
            }
            beside(() -> {
                SourceFile source = new SourceFile(
                        path,
                        entry.kind(),
                        new String(text, 0, textLength, StandardCharsets.UTF_8),
                        truncated,
                        entry.size(),
                        entry.longestLine());
                List<Finding> found = new ArrayList<>();
                for (ContentRule rule : rules) {
                    found.addAll(rule.check(source));
                }
                return found;
            });
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
        private final long declaredSize;
        private final boolean code; // binary code the ecosystem reads itself (PackageFormat#readsCode)
        private byte[] retained;
        private int retainedLength;
        private boolean retaining;
        private FileKind kind;
        private long size;
        private long currentLine;
        private long longestLine;
        private java.io.ByteArrayOutputStream metadata;
        private boolean metadataTooLarge;

        Scanner(String path, Collector collector, boolean metadata, long declaredSize) {
            this.path = path;
            this.collector = collector;
            this.retaining = collector.format.container(path).isEmpty();
            this.metadata = metadata ? new java.io.ByteArrayOutputStream() : null;
            this.declaredSize = declaredSize;
            this.code = !path.contains("!/") && collector.format.readsCode(path);
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
                if (!textual(kind) && !code) {
                    retaining = false;
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
            if (retained == null) { // room for what the header declares: a claim, so capped, and grown if it lied low
                retained = new byte[(int) Math.clamp(declaredSize, 1024, limits.contentBytes())];
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
            byte[] content = (text || code) && retaining ? (retained == null ? new byte[0] : retained) : null;
            retained = null;
            collector.scanned(
                    path,
                    entry,
                    content,
                    retainedLength,
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
