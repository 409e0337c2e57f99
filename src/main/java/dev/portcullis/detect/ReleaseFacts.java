package dev.portcullis.detect;

import dev.portcullis.publish.Ecosystem;
import java.time.Instant;
import java.util.List;

/**
 * A release as the detectors see it: its version, its files' uploads, and the dependencies its
 * files declare (read by its ecosystem's rules; empty when unknown).
 */
public record ReleaseFacts(String version, List<Upload> uploads, List<Ecosystem.Dependency> dependencies) {

    public ReleaseFacts {
        uploads = List.copyOf(uploads);
        dependencies = List.copyOf(dependencies);
    }

    /** When its first file arrived. */
    public Instant firstUpload() {
        return uploads.stream().map(Upload::at).min(Instant::compareTo).orElse(Instant.EPOCH);
    }
}
