package dev.portcullis.identity;

/** The result of checking a presented credential. */
public sealed interface Authentication {

  record Authenticated(Principal principal) implements Authentication {}

  /** Refused; {@code reason} is safe to show the caller and to record. */
  record Refused(String reason) implements Authentication {}
}
