package dev.portcullis.identity;

/** A request about users, tokens or MFA that is refused; the message says why. */
public final class IdentityException extends RuntimeException {

  /** How the refusal maps onto a protocol's status. */
  public enum Reason {
    INVALID,
    NOT_FOUND,
    FORBIDDEN,
    /** A fresh second factor is missing, wrong or reused. */
    SECOND_FACTOR,
    THROTTLED
  }

  private final Reason reason;

  public IdentityException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public IdentityException(String message) {
    this(Reason.INVALID, message);
  }

  public Reason reason() {
    return reason;
  }
}
