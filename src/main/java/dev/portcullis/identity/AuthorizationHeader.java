package dev.portcullis.identity;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Reads a token from an {@code Authorization} header the way PyPI clients send it: HTTP Basic with
 * the user name {@code __token__} and the token as password (twine, uv), or {@code Bearer <token>}.
 */
public final class AuthorizationHeader {

    /** What the header held. */
    public sealed interface Credential {}

    public record Token(String token) implements Credential {}

    /** Basic auth with a real user name: passwords are not accepted, only tokens. */
    public record Password(String user) implements Credential {}

    public record Missing() implements Credential {}

    private AuthorizationHeader() {}

    public static Credential parse(String header) {
        if (header == null || header.isBlank()) {
            return new Missing();
        }
        int space = header.indexOf(' ');
        if (space < 0) {
            return new Missing();
        }
        String scheme = header.substring(0, space);
        String value = header.substring(space + 1).trim();
        if (scheme.equalsIgnoreCase("Bearer") || scheme.equalsIgnoreCase("token")) {
            return new Token(value);
        }
        if (!scheme.equalsIgnoreCase("Basic")) {
            return new Missing();
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return new Missing();
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return new Missing();
        }
        String user = decoded.substring(0, colon);
        String password = decoded.substring(colon + 1);
        if (!user.equals("__token__")) {
            return new Password(user);
        }
        return new Token(password);
    }
}
