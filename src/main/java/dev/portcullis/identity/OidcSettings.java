package dev.portcullis.identity;

import java.time.Duration;

/**
 * Trusted publishing settings. The issuer URLs name the CI platforms; they default to the public
 * ones and can point at a GitHub Enterprise Server or a test provider. Discovery documents and keys
 * are fetched through the server's outbound policy (HTTPS to public addresses unless allow-listed).
 */
public record OidcSettings(
        boolean enabled,
        String audience,
        String githubIssuer,
        String gitlabIssuer,
        String googleIssuer,
        Duration tokenLifetime) {

    public static final Duration MAX_TOKEN_LIFETIME = Duration.ofMinutes(60);
    public static final Duration LEEWAY = Duration.ofSeconds(30);

    public static final OidcSettings DEFAULTS = new OidcSettings(
            true,
            "portcullis",
            "https://token.actions.githubusercontent.com",
            "https://gitlab.com",
            "https://accounts.google.com",
            Duration.ofMinutes(15));

    public OidcSettings {
        if (tokenLifetime.isNegative() || tokenLifetime.isZero() || tokenLifetime.compareTo(MAX_TOKEN_LIFETIME) > 0) {
            throw new IllegalArgumentException("publish tokens live between 1 second and 60 minutes");
        }
        if (audience == null || audience.isBlank()) {
            throw new IllegalArgumentException("the OIDC audience must be set");
        }
    }

    public OidcSettings withIssuers(String github, String gitlab, String google) {
        return new OidcSettings(enabled, audience, github, gitlab, google, tokenLifetime);
    }

    public OidcSettings withTokenLifetime(Duration lifetime) {
        return new OidcSettings(enabled, audience, githubIssuer, gitlabIssuer, googleIssuer, lifetime);
    }
}
