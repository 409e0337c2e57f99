package dev.portcullis.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TotpTest {

    private static final byte[] RFC_SECRET = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);

    /** RFC 6238 Appendix B, SHA-1 column (8 digits). */
    @ParameterizedTest
    @CsvSource({
        "59,94287082",
        "1111111109,07081804",
        "1111111111,14050471",
        "1234567890,89005924",
        "2000000000,69279037",
        "20000000000,65353130"
    })
    void matchesTheRfc6238TestVectors(long time, String expected) {
        assertThat(Totp.code(RFC_SECRET, Totp.step(time), 8)).isEqualTo(expected);
        assertThat(Totp.code(RFC_SECRET, Totp.step(time))).isEqualTo(expected.substring(2));
    }

    @Test
    void acceptsOneStepEitherSideOnlyAndNeverAStepTwice() {
        long now = Totp.step(1_800_000_000L);
        assertThat(Totp.match(RFC_SECRET, Totp.code(RFC_SECRET, now - 1), now, Long.MIN_VALUE))
                .hasValue(now - 1);
        assertThat(Totp.match(RFC_SECRET, Totp.code(RFC_SECRET, now + 1), now, Long.MIN_VALUE))
                .hasValue(now + 1);
        assertThat(Totp.match(RFC_SECRET, Totp.code(RFC_SECRET, now - 2), now, Long.MIN_VALUE))
                .isEmpty();
        assertThat(Totp.match(RFC_SECRET, Totp.code(RFC_SECRET, now), now, now)).isEmpty();
        assertThat(Totp.match(RFC_SECRET, "12345", now, Long.MIN_VALUE)).isEmpty();
        assertThat(Totp.match(RFC_SECRET, null, now, Long.MIN_VALUE)).isEmpty();
    }

    @Test
    void base32RoundTripsAndTheUriNamesTheParameters() {
        assertThat(Totp.base32(RFC_SECRET)).isEqualTo("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assertThat(Totp.fromBase32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")).isEqualTo(RFC_SECRET);
        assertThat(Totp.uri("Portcullis", "alice", RFC_SECRET))
                .isEqualTo(
                        "otpauth://totp/Portcullis%3Aalice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Portcullis&algorithm=SHA1&digits=6&period=30");
    }
}
