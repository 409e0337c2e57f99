package dev.portcullis.publish;

import java.time.Instant;

/**
 * One distribution file of a release. {@code metadataSha256} names the stored PEP 658 core
 * metadata (wheels only). {@code releasedAt} is when the file became installable (its release's
 * approval), {@code null} while held. {@code viaTrustedPublisher}: uploaded with a token minted for a
 * trusted publisher, not a long-lived one.
 */
public record Artifact(
    long id,
    String project,
    String version,
    String filename,
    PackageType type,
    String pythonVersion,
    String requiresPython,
    long size,
    String sha256,
    String blake2b256,
    String metadataSha256,
    Instant uploadedAt,
    String uploadedBy,
    Instant releasedAt,
    String yankedReason,
    boolean yanked,
    boolean viaTrustedPublisher,
    String provenance,
    String provenanceReason) {

  /** Provenance states: {@code verified}, {@code unverified} (attested, but not by a trusted publisher), or null (none). */
  public boolean provenanceVerified() {
    return "verified".equals(provenance);
  }
}
