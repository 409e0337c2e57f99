package dev.portcullis.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/** Builds small archives in tests: well-formed wheels, and every kind of hostile one. */
public final class Archives {

    private Archives() {}

    /** One zip entry: a file (bytes), or a symlink (target in bytes, {@code symlink} true). */
    public record Entry(String name, byte[] bytes, boolean symlink) {
        public static Entry file(String name, String text) {
            return new Entry(name, text.getBytes(StandardCharsets.UTF_8), false);
        }

        public static Entry file(String name, byte[] bytes) {
            return new Entry(name, bytes, false);
        }
    }

    public static byte[] zip(List<Entry> entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(out)) {
            for (Entry e : entries) {
                ZipArchiveEntry entry = new ZipArchiveEntry(e.name());
                if (e.symlink()) {
                    entry.setUnixMode(0120777);
                }
                zip.putArchiveEntry(entry);
                zip.write(e.bytes());
                zip.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static byte[] tarGz(Consumer<TarArchiveOutputStream> writer) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(out))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            writer.accept(tar);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static void tarFile(TarArchiveOutputStream tar, String name, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(bytes.length);
        try {
            tar.putArchiveEntry(entry);
            tar.write(bytes);
            tar.closeArchiveEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void tarSpecial(TarArchiveOutputStream tar, String name, byte type, String linkTarget) {
        TarArchiveEntry entry = new TarArchiveEntry(name, type);
        if (linkTarget != null) {
            entry.setLinkName(linkTarget);
        }
        try {
            tar.putArchiveEntry(entry);
            tar.closeArchiveEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static final byte SYMLINK = TarConstants.LF_SYMLINK;
    public static final byte CHAR_DEVICE = TarConstants.LF_CHR;
    public static final byte FIFO = TarConstants.LF_FIFO;

    /**
     * A well-formed pure-Python wheel: the given files plus dist-info (METADATA with {@code
     * requires}, WHEEL, RECORD listing every file with its real hash).
     */
    public static byte[] wheel(String name, String version, List<Entry> files, List<String> requires) {
        String distInfo = name + "-" + version + ".dist-info/";
        StringBuilder metadata =
                new StringBuilder("Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version + "\n");
        requires.forEach(r -> metadata.append("Requires-Dist: ").append(r).append('\n'));
        List<Entry> all = new ArrayList<>(files);
        all.add(Entry.file(distInfo + "METADATA", metadata + "\nA test package.\n"));
        all.add(Entry.file(
                distInfo + "WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"));
        StringBuilder record = new StringBuilder();
        for (Entry e : all) {
            record.append(e.name())
                    .append(",sha256=")
                    .append(urlsafeSha256(e.bytes()))
                    .append(',')
                    .append(e.bytes().length)
                    .append('\n');
        }
        record.append(distInfo).append("RECORD,,\n");
        all.add(Entry.file(distInfo + "RECORD", record.toString()));
        return zip(all);
    }

    public static String urlsafeSha256(byte[] bytes) {
        try {
            return Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(
                            java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Path write(Path dir, String filename, byte[] bytes) {
        try {
            return Files.write(dir.resolve(filename), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
