package dev.portcullis.publish;

import java.nio.file.Path;
import java.util.Map;

/**
 * The verify step of the pipeline (a port; the provenance feature implements it): checks the
 * attestations uploaded with a file against the project's trusted publishers.
 */
@FunctionalInterface
public interface AttestationCheck {

  sealed interface Result {}

  /** Cryptographically invalid or malformed: the upload is refused with {@code reason}. */
  record Invalid(String reason) implements Result {}

  /**
   * Valid signatures by {@code signer}; {@code verified} when that signer is one of the project's
   * trusted publishers ({@code publisher}), otherwise {@code reason} says who signed instead.
   */
  record Checked(boolean verified, String signer, String issuer, String publisher, String publisherKind,
      Map<String, String> publisherConfig, Map<String, String> source, String reason) implements Result {}

  Result check(String project, String filename, Path file, String attestationsJson);

  /** No verification available: attestations are kept but count as unverified (fail closed: the gate holds). */
  AttestationCheck UNAVAILABLE = (project, filename, file, json) ->
      new Checked(false, null, null, null, null, null, Map.of(),
          "this server has no Sigstore trusted root configured (serve --sigstore-trusted-root), so the attestations were not verified");
}
