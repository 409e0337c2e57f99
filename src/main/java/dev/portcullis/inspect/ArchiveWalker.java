package dev.portcullis.inspect;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Reads an archive safely: streams every regular file to a visitor, never writes anything to disk,
 * and turns every hazard into a {@link Finding} instead of an exception — path traversal, absolute
 * paths, links, device files, duplicate entries, zip bombs (per-entry, total and ratio limits on
 * the bytes actually inflated), too many entries, archives nested too deep, malformed headers, and
 * running out of time. A limit ends the walk: the inspection is then incomplete, which holds the
 * release (fail closed).
 *
 * <p>Top-level zips are read through their central directory, as installers read them; nested
 * archives are streamed. One walker serves one inspection; it is not thread-safe.
 */
public final class ArchiveWalker {

    static final String RULE = "archive";
    private static final int CHUNK = 64 * 1024;

    private final Limits limits;
    private final Clock clock;
    private final Instant deadline;
    private final ArchiveVisitor visitor;
    private final PackageFormat format;
    private final byte[] buffer = new byte[CHUNK];
    private long archiveSize;
    private int entries;
    private long totalBytes;
    private boolean complete = true;

    private ArchiveWalker(Limits limits, Clock clock, ArchiveVisitor visitor, PackageFormat format) {
        this.format = format;
        this.limits = limits;
        this.clock = clock;
        this.deadline = clock.instant().plus(limits.maxDuration());
        this.visitor = visitor;
    }

    /**
     * Walks {@code file} as the archive its {@code name} says ({@code packages} names its ecosystem's
     * containers, at the top and nested). Returns whether every entry was read; when not, a finding
     * says why.
     */
    public static boolean walk(
            Path file, String name, Limits limits, Clock clock, ArchiveVisitor visitor, PackageFormat packages) {
        ArchiveWalker walker = new ArchiveWalker(limits, clock, visitor, packages);
        ArchiveFormat format = packages.container(name).orElse(null);
        if (format == null) {
            walker.fail(
                    Severity.HIGH,
                    "'" + name
                            + "' is not an archive format the inspector reads (a zip, or a tar, plain or gzip-compressed)");
            return false;
        }
        try {
            walker.archiveSize = Files.size(file);
            switch (format) {
                case ZIP -> walker.zipFile(file);
                case TAR_GZ, TAR -> {
                    try (CountingInputStream raw = new CountingInputStream(Files.newInputStream(file))) {
                        walker.tar(format == ArchiveFormat.TAR ? raw : new GzipCompressorInputStream(raw), raw, "", 0);
                    }
                }
                case PLAIN -> {
                    try (InputStream in = Files.newInputStream(file)) {
                        walker.countEntry();
                        walker.regular(
                                "", name, walker.archiveSize, walker.new Budget(in, walker.archiveSize, null), 0);
                    }
                }
            }
        } catch (Stop stop) {
            walker.complete = false;
        } catch (IOException | RuntimeException e) {
            walker.fail(
                    Severity.CRITICAL,
                    "the archive is malformed and could not be read to the end (" + describe(e) + ")");
        } catch (StackOverflowError e) {
            walker.fail(Severity.CRITICAL, "the archive is malformed: its structure nests too deeply to read");
        } catch (LinkageError e) {
            walker.fail(
                    Severity.HIGH, "the archive uses a format feature the inspector cannot read (" + describe(e) + ")");
        }
        return walker.complete;
    }

    // ------------------------------------------------------------------ zip

    private void zipFile(Path file) throws IOException {
        try (ZipFile zip = ZipFile.builder().setPath(file).get()) {
            Set<String> names = new HashSet<>();
            Set<String> folded = new HashSet<>();
            for (ZipArchiveEntry entry : Collections.list(zip.getEntriesInPhysicalOrder())) {
                countEntry();
                String name = entry.getName();
                checkName(name, "", names, folded);
                if (entry.isDirectory()) {
                    continue;
                }
                if (entry.isUnixSymlink()) {
                    try (InputStream in = zip.getInputStream(entry)) {
                        String target = new String(in.readNBytes(4096), StandardCharsets.UTF_8);
                        link(
                                name,
                                target,
                                "symbolic",
                                Severity.HIGH,
                                "a zip cannot carry links safely: installers write them as files or follow them");
                    }
                    continue;
                }
                readable(zip.canReadEntryData(entry), entry, "");
                try (InputStream in = zip.getInputStream(entry)) {
                    regular("", name, entry.getSize(), new Budget(in, entry.getCompressedSize(), null), 0);
                }
            }
        }
    }

    private void zipStream(InputStream in, String prefix, int depth) throws IOException {
        ZipArchiveInputStream zip = new ZipArchiveInputStream(in, "UTF-8", true, true);
        Set<String> names = new HashSet<>();
        Set<String> folded = new HashSet<>();
        ZipArchiveEntry entry;
        while ((entry = zip.getNextEntry()) != null) {
            countEntry();
            checkName(entry.getName(), prefix, names, folded);
            if (entry.isDirectory()) {
                continue;
            }
            readable(zip.canReadEntryData(entry), entry, prefix);
            regular(prefix, entry.getName(), entry.getSize(), new Budget(zip, entry.getCompressedSize(), null), depth);
        }
    }

    /**
     * Only stored, deflated, deflate64 and bzip2 entries are read (what installers read, bar LZMA);
     * anything else — encrypted, or a method whose decoder is not on the class path, like zstd —
     * ends the walk incomplete.
     */
    private void readable(boolean canRead, ZipArchiveEntry entry, String prefix) {
        int method = entry.getMethod();
        if (!canRead || !(method == 0 || method == 8 || method == 9 || method == 12)) {
            stop(
                    Severity.HIGH,
                    "'" + prefix + entry.getName() + "' cannot be read (encrypted, or compressed with method " + method
                            + ", which the inspector does not read)");
        }
    }

    // ------------------------------------------------------------------ tar

    private void tar(InputStream in, CountingInputStream compressed, String prefix, int depth) throws IOException {
        TarArchiveInputStream tar = new TarArchiveInputStream(in, StandardCharsets.UTF_8.name());
        Set<String> names = new HashSet<>();
        Set<String> folded = new HashSet<>();
        TarArchiveEntry entry;
        while ((entry = tar.getNextEntry()) != null) {
            countEntry();
            String name = entry.getName();
            checkName(name, prefix, names, folded);
            if (entry.isDirectory()) {
                continue;
            }
            if (entry.isSymbolicLink()) {
                link(prefix + name, entry.getLinkName(), "symbolic", Severity.LOW, null);
            } else if (entry.isLink()) {
                link(prefix + name, entry.getLinkName(), "hard", Severity.LOW, null);
            } else if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
                finding(
                        Severity.CRITICAL,
                        "the archive contains a device file or pipe, which no distribution needs",
                        prefix + name);
            } else if (entry.isFile()) {
                regular(prefix, name, entry.getSize(), new Budget(tar, -1, compressed), depth);
            } else {
                finding(
                        Severity.MEDIUM,
                        "the archive contains an entry of an unusual type (" + (char) entry.getLinkFlag() + ")",
                        prefix + name);
            }
        }
    }

    // ------------------------------------------------------------------ entries

    private void regular(String prefix, String name, long declaredSize, Budget in, int depth) throws IOException {
        String path = prefix + name;
        ArchiveVisitor.EntrySink sink = visitor.file(path, declaredSize);
        Tee tee = new Tee(in, sink);
        ArchiveFormat nested =
                format.container(name).filter(f -> f != ArchiveFormat.PLAIN).orElse(null);
        if (nested != null) {
            if (depth >= limits.maxDepth()) {
                finding(
                        Severity.MEDIUM,
                        "an archive nested more than " + limits.maxDepth() + " levels deep was not inspected",
                        path);
            } else {
                try {
                    switch (nested) {
                        case ZIP -> zipStream(tee, path + "!/", depth + 1);
                        case TAR_GZ -> tar(new GzipCompressorInputStream(tee), null, path + "!/", depth + 1);
                        case TAR -> tar(tee, null, path + "!/", depth + 1);
                        case PLAIN -> throw new IllegalStateException("not a container");
                    }
                } catch (Stop stop) {
                    throw stop;
                } catch (IOException | RuntimeException e) {
                    finding(
                            Severity.MEDIUM,
                            "a nested archive is malformed, so its contents were not inspected (" + describe(e) + ")",
                            path);
                }
            }
        }
        while (tee.read(buffer) >= 0) {
            // drain: the sink has seen every byte
        }
        sink.end();
    }

    private void link(String path, String target, String kind, Severity severity, String why) {
        if (target == null || target.isEmpty()) {
            finding(Severity.MEDIUM, "a " + kind + " link without a target", path);
        } else if (escapes(path, target)) {
            finding(
                    Severity.CRITICAL,
                    "a " + kind + " link points outside the archive (to " + printable(target) + ")",
                    path);
        } else {
            finding(severity, "a " + kind + " link to " + printable(target) + (why == null ? "" : "; " + why), path);
        }
    }

    private void checkName(String name, String prefix, Set<String> names, Set<String> folded) {
        String path = prefix + name;
        if (name.isEmpty() || name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            finding(Severity.CRITICAL, "an entry name is empty or contains control characters", printable(path));
            return;
        }
        String slashed = name.replace('\\', '/');
        if (slashed.startsWith("/") || slashed.matches("^[A-Za-z]:.*")) {
            finding(Severity.CRITICAL, "an entry has an absolute path, so extracting it could write anywhere", path);
        }
        for (String segment : slashed.split("/")) {
            if (segment.equals("..")) {
                finding(
                        Severity.CRITICAL,
                        "an entry's path climbs out of the archive with '..' (path traversal)",
                        path);
                break;
            }
        }
        if (name.indexOf('\\') >= 0) {
            finding(
                    Severity.LOW,
                    "an entry name contains a backslash, which some tools read as a path separator",
                    path);
        }
        if (!names.add(name)) {
            finding(
                    Severity.CRITICAL,
                    "the archive holds two entries with the same name; tools disagree on which one they read",
                    path);
        } else if (!folded.add(name.toLowerCase(Locale.ROOT))) {
            finding(
                    Severity.LOW,
                    "two entries differ only in letter case and collide on case-insensitive file systems",
                    path);
        }
    }

    private void countEntry() {
        if (++entries > limits.maxEntries()) {
            stop(
                    Severity.CRITICAL,
                    "the archive has more than " + limits.maxEntries() + " entries (entry-count limit)");
        }
    }

    private static boolean escapes(String path, String target) {
        String t = target.replace('\\', '/');
        if (t.startsWith("/") || t.matches("^[A-Za-z]:.*")) {
            return true;
        }
        Deque<String> parts = new ArrayDeque<>();
        String[] dir = path.replace('\\', '/').split("/");
        for (int i = 0; i < dir.length - 1; i++) {
            parts.addLast(dir[i]);
        }
        for (String segment : t.split("/")) {
            if (segment.equals("..")) {
                if (parts.isEmpty()) {
                    return true;
                }
                parts.removeLast();
            } else if (!segment.isEmpty() && !segment.equals(".")) {
                parts.addLast(segment);
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ findings and limits

    private void finding(Severity severity, String message, String path) {
        visitor.finding(Finding.at(RULE, severity, message, path));
    }

    /** Records why the walk ends and marks it incomplete. */
    private void fail(Severity severity, String message) {
        complete = false;
        visitor.finding(Finding.of(RULE, severity, message));
    }

    /** As {@link #fail}, then unwinds the walk. */
    private void stop(Severity severity, String message) {
        fail(severity, message);
        throw new Stop();
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + printable(message));
    }

    private static String printable(String text) {
        String clipped = text.length() > 200 ? text.substring(0, 200) + "…" : text;
        return clipped.replaceAll("\\p{Cntrl}", "?");
    }

    /** Unwinds the walk after a limit; the finding is already recorded. */
    private static final class Stop extends RuntimeException {
        Stop() {
            super(null, null, false, false);
        }
    }

    /**
     * One entry's bytes, counted as they are inflated: per-entry, total and ratio limits (per entry
     * for zip, where the compressed size is known; over the whole stream for tar.gz), and the deadline.
     */
    private final class Budget extends FilterInputStream {
        private final long compressedSize;
        private final CountingInputStream compressedStream;
        private long count;

        Budget(InputStream in, long compressedSize, CountingInputStream compressedStream) {
            super(in);
            this.compressedSize = compressedSize;
            this.compressedStream = compressedStream;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                count += n;
                totalBytes += n;
                check();
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            return Math.max(0, read(buffer, 0, (int) Math.min(n, buffer.length))); // counted like a read
        }

        private void check() {
            // A stored entry is as large as it is in the archive (bounded by the upload limit); the
            // per-entry limit is about inflation, so it applies past the entry's compressed size.
            if (count > limits.maxEntryBytes() && count > compressedSize) {
                stop(
                        Severity.CRITICAL,
                        "an entry inflates past " + limits.maxEntryBytes()
                                + " bytes (per-entry size limit; zip bomb?)");
            }
            if (totalBytes > Math.max(limits.maxTotalBytes(), archiveSize)) {
                stop(
                        Severity.CRITICAL,
                        "the archive inflates past " + limits.maxTotalBytes() + " bytes in total (zip bomb?)");
            }
            if (compressedSize > 0 && count > limits.ratioFloorBytes() && count > compressedSize * limits.maxRatio()) {
                stop(
                        Severity.CRITICAL,
                        "an entry inflates more than " + limits.maxRatio() + " times its compressed size (zip bomb)");
            }
            if (compressedSize == 0 && count > limits.ratioFloorBytes()) {
                stop(
                        Severity.CRITICAL,
                        "an entry that declares no compressed bytes inflates past " + limits.ratioFloorBytes()
                                + " bytes (zip bomb)");
            }
            if (compressedStream != null
                    && totalBytes > limits.ratioFloorBytes()
                    && totalBytes > Math.max(1, compressedStream.count()) * limits.maxRatio()) {
                stop(
                        Severity.CRITICAL,
                        "the archive inflates more than " + limits.maxRatio()
                                + " times its compressed size (compression bomb)");
            }
            if (clock.instant().isAfter(deadline)) {
                stop(
                        Severity.HIGH,
                        "the inspection ran out of time ("
                                + limits.maxDuration().toSeconds() + " s) before reading every entry");
            }
        }
    }

    /** Hands every byte read through it to the entry's sink. */
    private static final class Tee extends FilterInputStream {
        private final ArchiveVisitor.EntrySink sink;

        Tee(InputStream in, ArchiveVisitor.EntrySink sink) {
            super(in);
            this.sink = sink;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                sink.accept(new byte[] {(byte) b}, 0, 1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                sink.accept(b, off, n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] scratch = new byte[(int) Math.min(n, CHUNK)];
            int read = read(scratch, 0, scratch.length);
            return Math.max(read, 0);
        }

        @Override
        public void close() {
            // the enclosing archive owns the stream
        }
    }

    /** Counts the compressed bytes consumed, for the whole-stream ratio of tar.gz. */
    private static final class CountingInputStream extends FilterInputStream {
        private long count;

        CountingInputStream(InputStream in) {
            super(in);
        }

        long count() {
            return count;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
