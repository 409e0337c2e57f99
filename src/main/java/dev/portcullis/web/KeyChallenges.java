package dev.portcullis.web;

import dev.portcullis.core.Refusal;
import dev.portcullis.store.Sha256;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * WebAuthn challenges for the page, kept nowhere: each is the SHA-256 of what it is for — the
 * session's secret, the purpose, and for a decision the action, the release and the sorted digests
 * of the files shown — and a fresh nonce (random, with the second it was made) that travels in the
 * form. The server recomputes it from the form when the key's answer comes back, so an assertion
 * counts only for this session, this decision and these bytes; a nonce older than {@link #LIFETIME}
 * is refused, and identity/SecurityKeys accepts each challenge once.
 */
final class KeyChallenges {

    static final Duration LIFETIME = Duration.ofMinutes(10);

    private final SecureRandom random;
    private final Clock clock;

    KeyChallenges(SecureRandom random, Clock clock) {
        this.random = random;
        this.clock = clock;
    }

    String nonce() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return base64url(bytes) + "." + clock.instant().getEpochSecond();
    }

    /** The challenge for one decision on one release, over exactly {@code digests}. */
    static byte[] decision(
            String secret, String action, String project, String version, List<String> digests, String nonce) {
        return Sha256.of("portcullis-decision\0" + secret + "\0" + action + "\0" + project + "\0" + version + "\0"
                + String.join(",", digests.stream().sorted().toList()) + "\0" + nonce);
    }

    /** The challenge for one other step-up action (revoking a token, removing a key) on one subject. */
    static byte[] action(String secret, String action, String subject, String nonce) {
        return Sha256.of("portcullis-action\0" + secret + "\0" + action + "\0" + subject + "\0" + nonce);
    }

    /** The challenge for registering a key in this session. */
    static byte[] registration(String secret, String nonce) {
        return Sha256.of("portcullis-register\0" + secret + "\0" + nonce);
    }

    /** Refuses a nonce that is malformed, from the future or older than {@link #LIFETIME}. */
    void requireFresh(String nonce) {
        Instant now = clock.instant();
        int dot = nonce == null ? -1 : nonce.lastIndexOf('.');
        Instant made;
        try {
            made = dot < 0 ? null : Instant.ofEpochSecond(Long.parseLong(nonce.substring(dot + 1)));
        } catch (NumberFormatException e) {
            made = null;
        }
        if (made == null
                || made.isAfter(now.plusSeconds(60))
                || made.plus(LIFETIME).isBefore(now)) {
            throw new Refusal.SecondFactor("the page is too old for your key; reload it and try again");
        }
    }

    static String base64url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static byte[] fromBase64url(String text, String field) {
        try {
            return Base64.getUrlDecoder().decode(text == null ? "" : text.strip());
        } catch (IllegalArgumentException e) {
            throw new Refusal.Invalid("the key's answer is malformed (" + field + ")");
        }
    }
}
