package dev.portcullis.registry.maven;

import dev.portcullis.core.Refusal;
import java.util.List;

/**
 * A path under {@code /maven2/}, as the repository layout names things: a file of a version
 * ({@code org/example/demo/1.0/demo-1.0-sources.jar}), a checksum of one ({@code ….jar.sha1}), or
 * an artifact's {@code maven-metadata.xml} (and its checksums). Anything else — dot segments, empty
 * segments, a file not named after its artifact and version — is not a repository path.
 */
record MavenPath(String groupId, String artifactId, String version, String filename, String checksum) {

    static final List<String> CHECKSUMS = List.of("md5", "sha1", "sha256", "sha512");
    static final String METADATA = "maven-metadata.xml";

    /** The project's name in the Maven ecosystem: {@code groupId:artifactId}. */
    String project() {
        return groupId + ":" + artifactId;
    }

    boolean isMetadata() {
        return version == null;
    }

    static MavenPath parse(String path) {
        String[] segments = path.split("/", -1);
        for (String s : segments) {
            if (s.isEmpty() || s.equals(".") || s.equals("..") || s.contains("\\") || s.contains(":")) {
                throw new Refusal.NotFound("not a Maven repository path: " + path);
            }
        }
        String last = segments[segments.length - 1];
        String checksum = null;
        for (String algorithm : CHECKSUMS) {
            if (last.endsWith("." + algorithm)) {
                checksum = algorithm;
                last = last.substring(0, last.length() - algorithm.length() - 1);
                break;
            }
        }
        if (last.equals(METADATA) && segments.length >= 3) {
            return new MavenPath(
                    String.join(".", List.of(segments).subList(0, segments.length - 2)),
                    segments[segments.length - 2],
                    null,
                    METADATA,
                    checksum);
        }
        if (segments.length < 4) {
            throw new Refusal.NotFound("not a Maven repository path: " + path);
        }
        String artifactId = segments[segments.length - 3];
        String version = segments[segments.length - 2];
        if (!last.startsWith(artifactId + "-" + version)) {
            throw new Refusal.Invalid("'" + last + "' is not named after its artifact and version (" + artifactId + "-"
                    + version + "[-classifier].extension)");
        }
        String rest = last.substring((artifactId + "-" + version).length());
        if (!(rest.startsWith(".") || rest.startsWith("-")) || rest.length() < 2) {
            throw new Refusal.Invalid("'" + last + "' is not named after its artifact and version (" + artifactId + "-"
                    + version + "[-classifier].extension)");
        }
        return new MavenPath(
                String.join(".", List.of(segments).subList(0, segments.length - 3)),
                artifactId,
                version,
                last,
                checksum);
    }

    /** The kind stored with the file: the classifier and extension after the version ({@code jar}, {@code sources.jar}). */
    String kind() {
        String rest = filename.substring((artifactId + "-" + version).length() + 1);
        return rest.length() > 20 ? rest.substring(rest.length() - 20) : rest;
    }
}
