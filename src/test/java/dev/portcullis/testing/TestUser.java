package dev.portcullis.testing;

import dev.portcullis.identity.Totp;
import java.time.Clock;
import java.time.Duration;

/**
 * A user of a test server with an API token and an enrolled TOTP secret. {@link #otp()} moves the
 * server's clock one step forward and returns that step's code, so each call is fresh (the server
 * accepts a code once).
 */
public record TestUser(String name, String token, byte[] totpSecret, TestClock clock) {

    public String otp() {
        clock.advance(Duration.ofSeconds(Totp.STEP_SECONDS));
        return Totp.code(totpSecret, Totp.step(clock.instant().getEpochSecond()));
    }

    /** A code for the current step without moving the clock (may already be used). */
    public String currentOtp(Clock at) {
        return Totp.code(totpSecret, Totp.step(at.instant().getEpochSecond()));
    }
}
