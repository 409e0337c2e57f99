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
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.bouncycastle.crypto.digests.Blake2bDigest;

/**
 * Content-addressed blob store on the local file system.
 *
 * <p>A blob is streamed to {@code tmp/} while it is hashed, fsynced, and only then renamed
 * atomically to {@code sha256/ab/<hex>}, and the directory is fsynced. A crash at any point leaves
 * either a stray temporary file (removed at the next start) or a complete blob; never a partial
 * blob under its final name. Memory use is one fixed buffer per stream, whatever the blob's size.
 */
public final class BlobStore {

    private static final int BUFFER = 256 * 1024;

    private final Path root;
    private final Path tmp;

    public BlobStore(Path root) {
        this.root = root;
        this.tmp = root.resolve("tmp");
        try {
            Files.createDirectories(tmp);
            Files.createDirectories(root.resolve("sha256"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create blob store under " + root, e);
        }
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
        commit(staged);
        return staged.digests().sha256();
    }

    /** Makes a staged blob permanent under its SHA-256. Idempotent for identical content. */
    public void commit(StagedBlob staged) throws IOException {
        Path target = pathOf(staged.digests().sha256());
        Files.createDirectories(target.getParent());
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
    }

    /** Drops a staged blob that will not be kept. */
    public void discard(StagedBlob staged) {
        try {
            Files.deleteIfExists(staged.path());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The blob's file, if present. Callers stream from it; they never load it whole. */
    /** Whether files can be written where uploads are staged (readiness): empty when they can, otherwise why not. */
    public Optional<String> unwritable() {
        Path probe = tmp.resolve("readyz-" + UUID.randomUUID() + ".part");
        try {
            Files.write(probe, new byte[] {1}, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            Files.delete(probe);
            return Optional.empty();
        } catch (IOException | SecurityException e) {
            return Optional.of(
                    "the blob store cannot be written (" + e.getClass().getSimpleName() + ")");
        }
    }

    public Optional<Path> find(String sha256) {
        if (!Digests.isHex(sha256, 64)) {
            return Optional.empty();
        }
        Path path = pathOf(sha256);
        return Files.isRegularFile(path) ? Optional.of(path) : Optional.empty();
    }

    /** Removes a blob (a closed drill sandbox's files); the caller checked that nothing else refers to it. */
    public boolean delete(String sha256) {
        if (!Digests.isHex(sha256, 64)) {
            return false;
        }
        try {
            return Files.deleteIfExists(pathOf(sha256));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
