package dev.portcullis.identity;

/**
 * A started TOTP enrolment: the secret in base32 and as an {@code otpauth://} URI for an
 * authenticator app. It takes effect once confirmed with a code.
 */
public record MfaEnrollment(String secret, String uri) {
    @Override
    public String toString() {
        return "MfaEnrollment[secret hidden]";
    }
}
