package dev.portcullis.identity;

/** The result of checking a presented credential. */
public sealed interface Authentication {

    record Authenticated(Principal principal) implements Authentication {}

    /** Refused; {@code reason} is safe to show the caller and to record. */
    record Refused(String reason) implements Authentication {}

    /** Too many recent failures from this address or for this token: refused without checking. */
    record Throttled(String reason) implements Authentication {}
}
