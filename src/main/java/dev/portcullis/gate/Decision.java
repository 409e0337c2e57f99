package dev.portcullis.gate;

import dev.portcullis.publish.Release;

/** The outcome of asking the gate to approve or reject a release. */
public sealed interface Decision {

  /** The release moved to its new state; this call made the transition. */
  record Decided(Release release) implements Decision {}

  /** The caller may not make this decision. */
  record Forbidden(String reason) implements Decision {}

  record NotFound(String project, String version) implements Decision {}

  /** Someone else decided first (or earlier); nothing changed. */
  record AlreadyDecided(Release release) implements Decision {}
}
