package dev.portcullis.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The Authorization forms clients send: PyPI's, npm's, Maven's, and the Central Portal's. */
class AuthorizationHeaderTest {

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void eachClientsFormYieldsTheToken() {
        String token = "pcl_u_abc";
        assertThat(AuthorizationHeader.parse("Bearer " + token)).isEqualTo(new AuthorizationHeader.Token(token));
        assertThat(AuthorizationHeader.parse("Basic " + b64("__token__:" + token)))
                .isEqualTo(new AuthorizationHeader.Token(token));
        assertThat(AuthorizationHeader.parse("Basic " + b64("alice:hunter2")))
                .isEqualTo(new AuthorizationHeader.Password("alice"));
        // central-publishing-maven-plugin: UserToken base64(name:secret), any name.
        assertThat(AuthorizationHeader.parse("UserToken " + b64("ci:" + token)))
                .isEqualTo(new AuthorizationHeader.Token(token));
        // The Portal's documented Bearer base64(name:secret).
        assertThat(AuthorizationHeader.parse("Bearer " + b64("ci:" + token)))
                .isEqualTo(new AuthorizationHeader.Token(token));
        // A Bearer value that is neither a Portcullis token nor base64 of name:secret is passed on as is (and fails to
        // authenticate).
        assertThat(AuthorizationHeader.parse("Bearer not-base64!"))
                .isEqualTo(new AuthorizationHeader.Token("not-base64!"));
        assertThat(AuthorizationHeader.parse("UserToken %%%")).isEqualTo(new AuthorizationHeader.Missing());
        assertThat(AuthorizationHeader.parse("UserToken " + b64("no-colon")))
                .isEqualTo(new AuthorizationHeader.Missing());
        assertThat(AuthorizationHeader.parse(null)).isEqualTo(new AuthorizationHeader.Missing());
    }
}
