package dev.portcullis.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.bouncycastle.crypto.digests.Blake2bDigest;

/**
 * Content-addressed blob store: files in the data directory, or objects in an S3-compatible bucket
 * ({@link S3Blobs}) with the data directory as a bounded cache of them.
 *
 * <p>A blob is streamed to {@code tmp/} while it is hashed, fsynced, and only then made permanent:
 * with a bucket, uploaded (and its size checked) first; then renamed atomically to {@code
 * sha256/ab/<hex>}, and the directory is fsynced. A crash at any point leaves either a stray
 * temporary file (removed at the next start) or a complete blob; never a partial blob under its
 * final name, and never a release row for a blob the bucket does not hold (callers commit the blob
 * before the row). Memory use is one fixed buffer per stream, whatever the blob's size.
 *
 * <p>With a bucket, a blob missing from the cache is downloaded on first use, checked against its
 * SHA-256, and kept; when the cache grows past its size, the least recently used blobs are
 * removed — after making sure the bucket holds them (a blob from before the bucket was configured
 * is uploaded first, never lost).
 */
public final class BlobStore implements AutoCloseable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(BlobStore.class);
    private static final int BUFFER = 256 * 1024;
    /** How long a readiness answer about the bucket is reused: /readyz is public, bucket requests cost money. */
    private static final long BUCKET_PROBE_MILLIS = 15_000;

    private final Path root;
    private final Path tmp;
    private final S3Blobs remote;
    private final long cacheBytes;
    private final java.util.concurrent.atomic.AtomicLong cached = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.ConcurrentHashMap<String, Object> fetching =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final Object trimming = new Object();
    private volatile long probedAt;
    private volatile Optional<String> probed = Optional.empty();
    private volatile java.util.function.Consumer<S3Blobs.Damaged> onDamage = d -> {};
    /**
     * Blobs the bucket returned damaged, until when they are refused without asking it again: else
     * every anonymous request for the file would download it whole and raise another alert.
     */
    private final java.util.concurrent.ConcurrentHashMap<String, Long> damaged =
            new java.util.concurrent.ConcurrentHashMap<>();

    private static final long DAMAGED_MILLIS = 10 * 60_000;

    /** Blobs in {@code root} only. */
    public BlobStore(Path root) {
        this(root, null, 0);
    }

    /** Blobs in {@code remote}, with {@code root} a cache of at most {@code cacheBytes} of them (0: unbounded). */
    public BlobStore(Path root, S3Blobs remote, long cacheBytes) {
        this.root = root;
        this.tmp = root.resolve("tmp");
        this.remote = remote;
        this.cacheBytes = cacheBytes;
        try {
            Files.createDirectories(tmp);
            Files.createDirectories(root.resolve("sha256"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create blob store under " + root, e);
        }
        if (remote != null) {
            cached.set(cachedFiles().stream().mapToLong(CachedFile::size).sum());
        }
    }

    /** The store {@code settings} describe, with its files (or its cache) under {@code root}. */
    public static BlobStore open(Path root, BlobSettings settings) {
        return switch (settings) {
            case BlobSettings.Local local -> new BlobStore(root);
            case BlobSettings.S3 s3 -> new BlobStore(root, new S3Blobs(s3), s3.cacheBytes());
        };
    }

    /** Told when the bucket returns other bytes than a blob's name says (an alert: someone changed the bucket). */
    public void onDamage(java.util.function.Consumer<S3Blobs.Damaged> listener) {
        this.onDamage = listener;
    }

    /** Where blobs are kept, for status output. */
    public String describe() {
        return remote == null ? root.toString() : remote.describe() + " (cache " + root + ")";
    }

    /** Removes temporary files left by a crash. Call once at start-up, before serving. */
    public int removeAbandonedTemporaryFiles() {
        try (Stream<Path> files = Files.list(tmp)) {
            int removed = 0;
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
                removed++;
            }
            return removed;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a blob's bytes into the stream the store gives it (a decoder, a copier). */
    @FunctionalInterface
    public interface BlobWriter {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Streams {@code in} to a temporary file while computing its digests.
     *
     * @throws BlobTooLargeException when more than {@code maxBytes} arrive; nothing is kept
     */
    public StagedBlob stage(InputStream in, long maxBytes) throws IOException {
        return stage(
                out -> {
                    byte[] buffer = new byte[BUFFER];
                    int n;
                    while ((n = in.read(buffer)) != -1) {
                        out.write(buffer, 0, n);
                    }
                },
                maxBytes);
    }

    /**
     * Stages what {@code writer} writes (for a protocol whose file arrives encoded, such as npm's
     * base64 attachment, decoded as it streams): to a temporary file, with its digests, fsynced.
     *
     * @throws BlobTooLargeException when more than {@code maxBytes} are written; nothing is kept
     */
    public StagedBlob stage(BlobWriter writer, long maxBytes) throws IOException {
        Path file = tmp.resolve(UUID.randomUUID() + ".part");
        boolean complete = false;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            Staging out = new Staging(channel, maxBytes);
            writer.writeTo(out);
            channel.force(true);
            complete = true;
            return new StagedBlob(file, out.size, out.digests());
        } finally {
            if (!complete) {
                Files.deleteIfExists(file);
            }
        }
    }

    /** The stream a blob is written into: limited, hashed, straight to its file. */
    private static final class Staging extends OutputStream {
        private final FileChannel channel;
        private final long maxBytes;
        private final MessageDigest sha256 = digest("SHA-256");
        private final MessageDigest md5 = digest("MD5");
        private final Blake2bDigest blake2b = new Blake2bDigest(256);
        long size;

        Staging(FileChannel channel, long maxBytes) {
            this.channel = channel;
            this.maxBytes = maxBytes;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] buffer, int offset, int length) throws IOException {
            size += length;
            if (size > maxBytes) {
                throw new BlobTooLargeException(maxBytes);
            }
            sha256.update(buffer, offset, length);
            md5.update(buffer, offset, length);
            blake2b.update(buffer, offset, length);
            ByteBuffer chunk = ByteBuffer.wrap(buffer, offset, length);
            while (chunk.hasRemaining()) {
                channel.write(chunk);
            }
        }

        Digests digests() {
            byte[] blake = new byte[32];
            blake2b.doFinal(blake, 0);
            return new Digests(Digests.hex(sha256.digest()), Digests.hex(blake), Digests.hex(md5.digest()));
        }
    }

    /** Stores a small byte array (e.g. extracted metadata) as a blob; returns its SHA-256. */
    public String put(byte[] bytes) throws IOException {
        StagedBlob staged = stage(new java.io.ByteArrayInputStream(bytes), bytes.length);
        try {
            commit(staged);
        } finally {
            discard(staged); // nothing left once committed; the temporary file when the commit failed
        }
        return staged.digests().sha256();
    }

    /**
     * Makes a staged blob permanent under its SHA-256: in the bucket first, when there is one.
     * Idempotent for identical content.
     */
    public void commit(StagedBlob staged) throws IOException {
        Path target = pathOf(staged.digests().sha256());
        Files.createDirectories(target.getParent());
        if (remote != null) {
            remote.upload(staged.path(), staged.size(), staged.digests());
        }
        if (Files.exists(target)) {
            Files.deleteIfExists(staged.path());
            return;
        }
        try {
            Files.move(staged.path(), target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
            if (!Files.exists(target)) {
                throw e;
            }
            Files.deleteIfExists(staged.path());
        }
        fsyncDirectory(target.getParent());
        if (remote != null) {
            cached.addAndGet(staged.size());
            trim();
        }
    }

    /** Drops a staged blob that will not be kept. */
    public void discard(StagedBlob staged) {
        try {
            Files.deleteIfExists(staged.path());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether files can be written where uploads are staged, and to the bucket (readiness): empty when they can, otherwise why not. */
    public Optional<String> unwritable() {
        Path probe = tmp.resolve("readyz-" + UUID.randomUUID() + ".part");
        try {
            Files.write(probe, new byte[] {1}, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            return Optional.of(
                    "the blob store cannot be written (" + e.getClass().getSimpleName() + ")");
        }
        if (remote == null) {
            return Optional.empty();
        }
        long now = System.currentTimeMillis();
        if (now - probedAt >= BUCKET_PROBE_MILLIS) {
            probed = remote.unwritable();
            probedAt = now;
        }
        return probed;
    }

    /**
     * The blob's file, if the store holds it: with a bucket, downloaded into the cache (and checked)
     * when not there yet. Callers stream from it; they never load it whole.
     *
     * @throws UncheckedIOException when the bucket cannot be read, or holds other bytes than the
     *     blob's name says
     */
    public Optional<Path> find(String sha256) {
        if (!Digests.isHex(sha256, 64)) {
            return Optional.empty();
        }
        Path path = pathOf(sha256);
        if (Files.isRegularFile(path)) {
            if (remote != null) {
                used(path);
            }
            return Optional.of(path);
        }
        if (remote == null) {
            return Optional.empty();
        }
        Object lock = fetching.computeIfAbsent(sha256, k -> new Object());
        try {
            synchronized (lock) {
                if (Files.isRegularFile(path)) {
                    return Optional.of(path);
                }
                long now = System.currentTimeMillis();
                Long refusedUntil = damaged.get(sha256);
                if (refusedUntil != null && refusedUntil > now) {
                    throw new IOException("the bucket's object for " + sha256
                            + " was found changed outside Portcullis; it is not served (asked again after "
                            + java.time.Instant.ofEpochMilli(refusedUntil) + ")");
                }
                Path part = tmp.resolve(UUID.randomUUID() + ".part");
                try {
                    if (!remote.download(sha256, part)) {
                        return Optional.empty();
                    }
                    damaged.remove(sha256); // restored in the bucket
                } catch (S3Blobs.Damaged found) {
                    damaged.put(sha256, now + DAMAGED_MILLIS);
                    onDamage.accept(found);
                    throw found;
                }
                Files.createDirectories(path.getParent());
                long size = Files.size(part);
                Files.move(part, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                cached.addAndGet(size);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            fetching.remove(sha256, lock);
        }
        trim();
        return Optional.of(path);
    }

    /**
     * Copies a blob to {@code to}, which must not exist, checked against its SHA-256 on the way
     * (backups); false if the store does not hold it. From the bucket directly, not through the cache.
     *
     * @throws IOException when the bytes are not the blob's, or cannot be read
     */
    public boolean copyTo(String sha256, Path to) throws IOException {
        if (!Digests.isHex(sha256, 64)) {
            return false;
        }
        Path local = pathOf(sha256);
        if (Files.isRegularFile(local)) {
            MessageDigest sha = digest("SHA-256");
            try (InputStream in = new java.security.DigestInputStream(Files.newInputStream(local), sha)) {
                Files.copy(in, to);
            }
            if (!Digests.hex(sha.digest()).equals(sha256)) {
                Files.deleteIfExists(to);
                throw new IOException("blob " + sha256 + " does not match its digest: the store is damaged");
            }
            return true;
        }
        return remote != null && remote.download(sha256, to);
    }

    /** Adds a file's bytes as a blob (restores); returns its SHA-256. */
    public String add(Path file) throws IOException {
        StagedBlob staged;
        try (InputStream in = Files.newInputStream(file)) {
            staged = stage(in, Long.MAX_VALUE);
        }
        try {
            commit(staged);
        } finally {
            discard(staged);
        }
        return staged.digests().sha256();
    }

    /** Every blob the store holds, by SHA-256 (with a bucket: the bucket's, not the cache's). */
    public void forEach(java.util.function.Consumer<String> each) throws IOException {
        if (remote != null) {
            remote.forEach(each);
            return;
        }
        try (Stream<Path> files = Files.walk(root.resolve("sha256"))) {
            files.filter(Files::isRegularFile)
                    .map(f -> f.getFileName().toString())
                    .filter(name -> Digests.isHex(name, 64))
                    .forEach(each);
        }
    }

    /** Removes a blob (a closed drill sandbox's files); the caller checked that nothing else refers to it. */
    public boolean delete(String sha256) {
        if (!Digests.isHex(sha256, 64)) {
            return false;
        }
        try {
            if (remote != null) {
                remote.delete(sha256);
            }
            Path path = pathOf(sha256);
            long size = Files.exists(path) ? Files.size(path) : 0;
            boolean deleted = Files.deleteIfExists(path);
            if (remote != null && deleted) {
                cached.addAndGet(-size);
            }
            return deleted || remote != null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Bytes the cache holds now (0 without a bucket: then every file is the store itself). */
    public long cachedBytes() {
        return remote == null ? 0 : cached.get();
    }

    private static void used(Path path) {
        try {
            Files.setLastModifiedTime(path, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()));
        } catch (IOException e) {
            LOG.debug("marking {} used: {}", path.getFileName(), e.toString());
        }
    }

    private record CachedFile(Path path, long size, long used) {}

    private List<CachedFile> cachedFiles() {
        if (!Files.isDirectory(root.resolve("sha256"))) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(root.resolve("sha256"))) {
            List<CachedFile> found = new java.util.ArrayList<>();
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                try {
                    found.add(new CachedFile(
                            file,
                            Files.size(file),
                            Files.getLastModifiedTime(file).toMillis()));
                } catch (java.nio.file.NoSuchFileException gone) {
                    // removed meanwhile
                }
            }
            return found;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Brings the cache back under its size, least recently used first, once it grew past it; a blob
     * the bucket does not hold is uploaded before its file goes.
     */
    private void trim() {
        if (remote == null || cacheBytes <= 0 || cached.get() <= cacheBytes) {
            return;
        }
        synchronized (trimming) {
            List<CachedFile> files = new java.util.ArrayList<>(cachedFiles());
            long total = files.stream().mapToLong(CachedFile::size).sum();
            files.sort(java.util.Comparator.comparingLong(CachedFile::used));
            long goal = cacheBytes - cacheBytes / 10;
            for (CachedFile file : files) {
                if (total <= goal) {
                    break;
                }
                String sha256 = file.path().getFileName().toString();
                try {
                    if (Digests.isHex(sha256, 64) && !remote.contains(sha256)) {
                        StagedBlob copy;
                        try (InputStream in = Files.newInputStream(file.path())) {
                            copy = stage(in, file.size());
                        }
                        if (!copy.digests().sha256().equals(sha256)) {
                            discard(copy);
                            LOG.error("cached blob {} does not match its name; kept for inspection", sha256);
                            continue;
                        }
                        remote.upload(copy.path(), copy.size(), copy.digests());
                        discard(copy);
                    }
                    Files.deleteIfExists(file.path());
                    total -= file.size();
                } catch (IOException | UncheckedIOException e) {
                    LOG.warn("the cache keeps blob {}: {}", sha256, e.toString());
                    break; // the bucket is unreachable: keep everything until it is back
                }
            }
            cached.set(total);
        }
    }

    @Override
    public void close() {
        if (remote != null) {
            remote.close();
        }
    }

    private Path pathOf(String sha256) {
        return root.resolve("sha256").resolve(sha256.substring(0, 2)).resolve(sha256);
    }

    private static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is required by the Java platform", e);
        }
    }
}
