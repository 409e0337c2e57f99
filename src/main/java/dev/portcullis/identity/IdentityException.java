package dev.portcullis.identity;

/** A request about users or tokens that cannot be carried out; the message says why. */
public final class IdentityException extends RuntimeException {
  public IdentityException(String message) {
    super(message);
  }
}
