package dev.portcullis.publish;

import java.time.Instant;

/**
 * One file of a release, as every ecosystem has it. {@code kind} is the ecosystem's word for the
 * file ({@code wheel}, {@code sdist}, {@code tarball}, {@code jar}); what only one ecosystem knows
 * about a file (PyPI's Python version, its other digests) is kept by its registry. {@code
 * releasedAt} is when the file became installable (its release's approval), {@code null} while
 * held. {@code viaTrustedPublisher}: uploaded with a token minted for a trusted publisher.
 */
public record Artifact(
        long id,
        String project,
        String version,
        String filename,
        String kind,
        long size,
        String sha256,
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
