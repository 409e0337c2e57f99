package dev.portcullis.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/** npm tarballs and publish documents built in tests, byte for byte as npm makes them. */
public final class NpmPackages {

    private static final ObjectMapper JSON = new ObjectMapper();

    private NpmPackages() {}

    /** A gzipped tar with {@code package/package.json} ({@code manifest}) and {@code files} under {@code package/}. */
    public static byte[] tarball(Map<String, Object> manifest, Map<String, String> files) {
        Map<String, byte[]> all = new LinkedHashMap<>();
        try {
            all.put("package.json", JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        files.forEach((path, text) -> all.put(path, text.getBytes(StandardCharsets.UTF_8)));
        return dev.portcullis.audit.drill.StandIn.tarball("package/", all);
    }

    /** The manifest npm sends for {@code name}@{@code version}. */
    public static Map<String, Object> manifest(String name, String version) {
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("name", name);
        manifest.put("version", version);
        manifest.put("main", "index.js");
        manifest.put("license", "MIT");
        return manifest;
    }

    /** The package.json inside a real tarball, as npm would send it beside the tarball. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> manifestOf(byte[] tgz) {
        try (var in = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(
                new org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream(
                        new java.io.ByteArrayInputStream(tgz)))) {
            for (var e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                if (e.getName().equals("package/package.json")) {
                    return JSON.readValue(in.readAllBytes(), LinkedHashMap.class);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalArgumentException("no package/package.json");
    }

    /** A tarball of {@code name}@{@code version} whose index.js says {@code text}. */
    public static byte[] tarball(String name, String version, String text) {
        return tarball(manifest(name, version), Map.of("index.js", "module.exports = " + text + ";\n"));
    }

    /** The body of {@code npm publish}: {@code sent} as the version's manifest, {@code tarball} attached with its digests. */
    public static byte[] publishBody(Map<String, Object> sent, byte[] tarball, String tag) {
        return publishBody(sent, tarball, tag, null);
    }

    /** The body of {@code npm publish --provenance}: as above, with {@code sigstore} (a bundle's JSON) attached as npm attaches it. */
    public static byte[] publishBody(Map<String, Object> sent, byte[] tarball, String tag, String sigstore) {
        String name = (String) sent.get("name");
        String version = (String) sent.get("version");
        ObjectNode root = JSON.createObjectNode();
        root.put("_id", name);
        root.put("name", name);
        root.putObject("dist-tags").put(tag, version);
        ObjectNode manifest = JSON.valueToTree(sent);
        manifest.put("_id", name + "@" + version);
        ObjectNode dist = manifest.putObject("dist");
        dist.put("integrity", "sha512-" + Base64.getEncoder().encodeToString(digest("SHA-512", tarball)));
        dist.put("shasum", HexFormat.of().formatHex(digest("SHA-1", tarball)));
        dist.put("tarball", "http://example.invalid/" + name + "/-/" + name + "-" + version + ".tgz");
        root.putObject("versions").set(version, manifest);
        ObjectNode attachment = root.putObject("_attachments").putObject(name + "-" + version + ".tgz");
        attachment.put("content_type", "application/octet-stream");
        attachment.put("data", Base64.getEncoder().encodeToString(tarball));
        attachment.put("length", tarball.length);
        if (sigstore != null) {
            ObjectNode bundle = ((ObjectNode) root.get("_attachments")).putObject(name + "-" + version + ".sigstore");
            bundle.put("content_type", "application/vnd.dev.sigstore.bundle.v0.3+json");
            bundle.put("data", sigstore);
            bundle.put("length", sigstore.length());
        }
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A real tarball changed the way a worm changes one (Shai-Hulud downloads the victim's tarball,
     * edits package.json, adds its files and publishes): every entry kept in order with its bytes,
     * package.json rewritten by {@code manifest}, {@code files} (paths under {@code package/})
     * replacing or appended.
     */
    public static byte[] repack(
            java.nio.file.Path tgz, java.util.function.Consumer<ObjectNode> manifest, Map<String, byte[]> files) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Map<String, byte[]> rest = new LinkedHashMap<>();
        files.forEach((path, bytes) -> rest.put("package/" + path, bytes));
        try (var in = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(
                        new org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream(
                                java.nio.file.Files.newInputStream(tgz)));
                TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(out))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            TarArchiveEntry entry;
            while ((entry = in.getNextEntry()) != null) {
                byte[] bytes = in.readAllBytes();
                if (entry.getName().equals("package/package.json")) {
                    ObjectNode json = (ObjectNode) JSON.readTree(bytes);
                    manifest.accept(json);
                    bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(json);
                }
                byte[] replaced = rest.remove(entry.getName());
                write(tar, entry.getName(), replaced != null ? replaced : bytes);
            }
            for (Map.Entry<String, byte[]> e : rest.entrySet()) {
                write(tar, e.getKey(), e.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void write(TarArchiveOutputStream tar, String name, byte[] bytes) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(bytes.length);
        tar.putArchiveEntry(entry);
        tar.write(bytes);
        tar.closeArchiveEntry();
    }

    private static byte[] digest(String algorithm, byte[] bytes) {
        try {
            return MessageDigest.getInstance(algorithm).digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
