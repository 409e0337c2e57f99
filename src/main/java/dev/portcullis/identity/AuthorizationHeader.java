package dev.portcullis.identity;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Reads a token from an {@code Authorization} header the way PyPI clients send it: HTTP Basic with
 * the user name {@code __token__} and the token as password (twine, uv), or {@code Bearer <token>};
 * and the way Sonatype's Central Portal clients do: {@code UserToken base64(name:token)} (the
 * central-publishing-maven-plugin) or {@code Bearer base64(name:token)} (the Portal's API
 * documentation), where the name is the token's user name and the token stands as its password.
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
        if (scheme.equalsIgnoreCase("UserToken")) {
            return portalToken(value);
        }
        if (scheme.equalsIgnoreCase("Bearer") && !value.startsWith("pcl_")) {
            Credential portal = portalToken(value);
            if (portal instanceof Token) {
                return portal;
            }
        }
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

    /** A Central Portal user token, {@code base64(name:secret)}: the secret part is the Portcullis token. */
    private static Credential portalToken(String value) {
        try {
            String decoded = new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? new Missing() : new Token(decoded.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            return new Missing();
        }
    }
}
