package dev.portcullis.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TokenFormatTest {

    private final TokenFormat format = new TokenFormat(new SecureRandom());

    @Test
    void generatedTokensMatchTheDocumentedPatternAndChecksum() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String token = format.generate(TokenFormat.Kind.USER);
            assertThat(token).matches("pcl_u_[0-9A-Za-z]{50}").hasSize(56);
            TokenFormat.Parsed parsed = TokenFormat.parse(token).orElseThrow();
            assertThat(parsed.kind()).isEqualTo(TokenFormat.Kind.USER);
            assertThat(token).startsWith("pcl_u_" + parsed.id());
            ids.add(parsed.id());
        }
        assertThat(ids).hasSize(1000);
        assertThat(TokenFormat.parse(format.generate(TokenFormat.Kind.PUBLISH))
                        .orElseThrow()
                        .kind())
                .isEqualTo(TokenFormat.Kind.PUBLISH);
    }

    @Test
    void anyChangedCharacterFailsTheChecksum() {
        String token = format.generate(TokenFormat.Kind.USER);
        int rejected = 0;
        for (int i = 6; i < token.length(); i++) {
            char c = token.charAt(i);
            String altered = token.substring(0, i) + (c == 'a' ? 'b' : 'a') + token.substring(i + 1);
            if (TokenFormat.parse(altered).isEmpty()) {
                rejected++;
            }
        }
        assertThat(rejected).isEqualTo(token.length() - 6);
    }

    @Test
    void refusesOtherShapes() {
        assertThat(TokenFormat.parse(null)).isEmpty();
        assertThat(TokenFormat.parse("")).isEmpty();
        assertThat(TokenFormat.parse("pypi-AgEIcHlwaS5vcmc")).isEmpty();
        assertThat(TokenFormat.parse("pcl_x_" + "a".repeat(50))).isEmpty();
        assertThat(TokenFormat.parse("pcl_u_" + "a".repeat(49))).isEmpty();
        assertThat(TokenFormat.parse("x".repeat(10_000))).isEmpty();
    }

    @Test
    void readsTokensFromAuthorizationHeaders() {
        String basic = "Basic "
                + java.util.Base64.getEncoder()
                        .encodeToString("__token__:pcl_u_abc".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(AuthorizationHeader.parse(basic)).isEqualTo(new AuthorizationHeader.Token("pcl_u_abc"));
        assertThat(AuthorizationHeader.parse("Bearer pcl_u_abc")).isEqualTo(new AuthorizationHeader.Token("pcl_u_abc"));
        String password = "Basic "
                + java.util.Base64.getEncoder()
                        .encodeToString("alice:pw".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(AuthorizationHeader.parse(password)).isEqualTo(new AuthorizationHeader.Password("alice"));
        assertThat(AuthorizationHeader.parse("Basic %%%")).isEqualTo(new AuthorizationHeader.Missing());
        assertThat(AuthorizationHeader.parse(null)).isEqualTo(new AuthorizationHeader.Missing());
    }
}
