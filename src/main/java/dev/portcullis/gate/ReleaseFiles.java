package dev.portcullis.gate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * What an approval is about: the SHA-256 digests of every file of the release (sorted), and who
 * uploaded them. An approval records the digests it saw and counts only while they are the
 * release's digests; an uploader of any file never counts.
 */
record ReleaseFiles(List<String> digests, Set<String> uploaders) {

    private static final ObjectMapper JSON = new ObjectMapper();

    ReleaseFiles {
        digests = List.copyOf(digests);
        uploaders = Set.copyOf(uploaders);
    }

    /** Read through the caller's handle (inside the approval's transaction). */
    static ReleaseFiles of(Handle h, long releaseId) {
        List<dev.portcullis.publish.Artifact> files = dev.portcullis.publish.Catalog.artifactsOf(h, releaseId);
        return new ReleaseFiles(
                files.stream()
                        .map(dev.portcullis.publish.Artifact::sha256)
                        .sorted()
                        .toList(),
                files.stream()
                        .map(dev.portcullis.publish.Artifact::uploadedBy)
                        .collect(java.util.stream.Collectors.toSet()));
    }

    String json() {
        try {
            return JSON.writeValueAsString(digests);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The digests stored with an approval; none for an approval from before approvals were bound to files. */
    static List<String> parse(String json) {
        if (json == null) {
            return List.of();
        }
        try {
            return JSON.readValue(json, new TypeReference<List<String>>() {});
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored approval digests are unreadable", e);
        }
    }

    /** Digests as a client sent them, in the stored form (lower case, sorted). */
    static List<String> sorted(List<String> digests) {
        return digests.stream()
                .map(d -> d == null ? "" : d.trim().toLowerCase(Locale.ROOT))
                .sorted()
                .toList();
    }
}
