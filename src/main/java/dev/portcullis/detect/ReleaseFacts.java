package dev.portcullis.detect;

import java.time.Instant;
import java.util.List;

/**
 * A release as the detectors see it: its version, its files' uploads, and the distributions its
 * metadata requires (PEP 508 strings; empty when unknown).
 */
public record ReleaseFacts(String version, List<Upload> uploads, List<String> requirements) {

  public ReleaseFacts {
    uploads = List.copyOf(uploads);
    requirements = List.copyOf(requirements);
  }

  /** When its first file arrived. */
  public Instant firstUpload() {
    return uploads.stream().map(Upload::at).min(Instant::compareTo).orElse(Instant.EPOCH);
  }
}
