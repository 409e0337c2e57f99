package dev.portcullis.identity;

/**
 * The fresh second factor a person gives for one decision: a one-time code (TOTP or a recovery
 * code), or a WebAuthn assertion by one of their keys over a challenge that names the decision.
 */
public sealed interface StepUp {

    /** A TOTP code or a recovery code, as typed. */
    record Code(String otp) implements StepUp {}

    /**
     * A passkey's or security key's assertion. {@code challenge} is what the server expects the
     * signed client data to carry — derived by the caller from the decision (action, release, the
     * digests approved) — so the assertion counts for that decision and nothing else; {@code
     * origin} and {@code rpId} are the page's.
     */
    record Key(
            byte[] credentialId,
            byte[] clientDataJson,
            byte[] authenticatorData,
            byte[] signature,
            byte[] challenge,
            String origin,
            String rpId)
            implements StepUp {}

    static StepUp code(String otp) {
        return new Code(otp);
    }
}
