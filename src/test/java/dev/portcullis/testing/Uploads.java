package dev.portcullis.testing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Hand-made distributions and upload forms, for requests real clients would never send. */
public final class Uploads {

    private Uploads() {}

    /** A minimal but valid wheel for {@code name} {@code version}. */
    public static byte[] wheel(String name, String version) {
        return wheel(name, version, name, version);
    }

    /** A wheel whose METADATA claims {@code metadataName} {@code metadataVersion}. */
    public static byte[] wheel(String name, String version, String metadataName, String metadataVersion) {
        return wheel(name, version, metadataName, metadataVersion, java.util.Map.of());
    }

    /**
     * A wheel with {@code extra} entries (any names, hostile ones included) besides the package and
     * its dist-info; RECORD lists every entry with its real hash, as a build back-end writes it.
     */
    public static byte[] wheel(
            String name,
            String version,
            String metadataName,
            String metadataVersion,
            java.util.Map<String, byte[]> extra) {
        return wheel(name, version, metadataName, metadataVersion, extra, java.util.List.of());
    }

    /** As above, with {@code Requires-Dist} lines in METADATA. */
    public static byte[] wheel(
            String name,
            String version,
            String metadataName,
            String metadataVersion,
            java.util.Map<String, byte[]> extra,
            java.util.List<String> requires) {
        java.util.Map<String, byte[]> entries = new java.util.LinkedHashMap<>();
        entries.put(name.replace('-', '_') + "/__init__.py", utf8("VERSION = \"" + version + "\"\n"));
        entries.putAll(extra);
        return dev.portcullis.audit.drill.StandIn.wheel(
                name, version, metadataName, metadataVersion, entries, requires);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    public static String wheelName(String name, String version) {
        return name.replace('-', '_') + "-" + version + "-py3-none-any.whl";
    }

    /** The form twine would send for a wheel, with a correct SHA-256. */
    /** Uploads a generated wheel of {@code project} {@code version} as twine does, with {@code token}. */
    public static RawHttp.Response upload(String serverUrl, String token, String project, String version) {
        return RawHttp.upload(
                serverUrl,
                token,
                wheelForm(project, version, wheelName(project, version), wheel(project, version))
                        .build());
    }

    public static Multipart wheelForm(String name, String version, String filename, byte[] content) {
        return new Multipart()
                .field(":action", "file_upload")
                .field("protocol_version", "1")
                .field("metadata_version", "2.1")
                .field("name", name)
                .field("version", version)
                .field("filetype", "bdist_wheel")
                .field("pyversion", "py3")
                .field("sha256_digest", sha256(content))
                .file("content", filename, content);
    }

    public static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
