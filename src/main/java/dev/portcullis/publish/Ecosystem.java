package dev.portcullis.publish;

/**
 * One ecosystem's rules, as the neutral core needs them: how its projects are named and how its
 * versions are written and told apart. Each registry ({@code registry/pypi}, later npm and Maven)
 * implements it; nothing in the core knows PEP 440, npm's semver or Maven coordinates.
 */
public interface Ecosystem {

  /** The identifier stored with each project ({@code pypi}, {@code npm}, {@code maven}). */
  String id();

  /** A project name as written: checked and normalized; {@link dev.portcullis.core.Refusal.Invalid} otherwise. */
  Named name(String written);

  /** A version as written: its display form and the canonical form that identifies a release; {@code Refusal.Invalid} otherwise. */
  Versioned version(String written);

  /** A project's name as uploaded and as normalized (the lookup key within the ecosystem). */
  record Named(String display, String normalized) {}

  /** A version for display, and canonical: two versions with one canonical form are one release. */
  record Versioned(String display, String canonical) {}
}
