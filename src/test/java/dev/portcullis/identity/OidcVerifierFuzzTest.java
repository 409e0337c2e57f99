package dev.portcullis.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.portcullis.testing.StaticIssuer;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;

/**
 * Fuzzes the JWT and claims parsing path of the trusted-publishing exchange: whatever arrives as
 * {@code token}, the verifier answers with a verdict and never throws or hangs. In a normal build
 * this runs the stored inputs (src/test/resources/.../OidcVerifierFuzzTestInputs) as regression
 * tests; {@code JAZZER_FUZZ=1} fuzzes.
 */
class OidcVerifierFuzzTest {

    private static final StaticIssuer ISSUER = new StaticIssuer();
    private static final OidcVerifier VERIFIER = new OidcVerifier(
            Clock.systemUTC(),
            OidcSettings.DEFAULTS,
            java.util.Map.of(),
            new dev.portcullis.net.GuardedHttp(
                    dev.portcullis.net.OutboundPolicy.allowing("127.0.0.1", "localhost"), "oidc"));

    @AfterAll
    static void stop() {
        ISSUER.close();
    }

    @FuzzTest(maxDuration = "30s")
    void anyInputGetsAVerdict(FuzzedDataProvider data) {
        String token = data.consumeRemainingAsString();
        OidcVerifier.Result result = VERIFIER.verify(token, Map.of(ISSUER.issuer(), Set.of("portcullis")));
        assertThat(result).isNotNull();
        if (result instanceof OidcVerifier.Rejected rejected) {
            assertThat(rejected.code()).isIn("invalid-payload", "invalid-token");
        }
    }
}
