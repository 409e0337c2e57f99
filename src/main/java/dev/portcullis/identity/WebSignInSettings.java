package dev.portcullis.identity;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The approver page's sign-in (docs/WEB.md): session timeouts, and optionally the organisation's
 * OpenID Connect provider.
 *
 * @param sessionIdle a session unused this long ends
 * @param sessionMax a session ends this long after sign-in, however busy
 * @param provider the organisation's provider; {@code null}: only API-token sign-in
 */
public record WebSignInSettings(Duration sessionIdle, Duration sessionMax, Provider provider) {

    public static final WebSignInSettings DEFAULTS =
            new WebSignInSettings(Duration.ofMinutes(30), Duration.ofHours(12), null);

    public WebSignInSettings {
        Objects.requireNonNull(sessionIdle, "sessionIdle");
        Objects.requireNonNull(sessionMax, "sessionMax");
        if (sessionIdle.isNegative() || sessionIdle.isZero() || sessionMax.compareTo(sessionIdle) < 0) {
            throw new IllegalArgumentException("the session idle timeout must be positive and at most the maximum");
        }
        if (sessionMax.compareTo(Duration.ofDays(7)) > 0) {
            throw new IllegalArgumentException("a web session lasts at most 7 days");
        }
    }

    public WebSignInSettings withProvider(Provider provider) {
        return new WebSignInSettings(sessionIdle, sessionMax, provider);
    }

    /**
     * An OpenID Connect provider (Keycloak, Okta, Entra ID, …) used with the authorization code flow
     * and PKCE. The user's Portcullis name is the {@code usernameClaim}; each value of the {@code
     * groupsClaim} found in {@code groupRoles} grants those roles for the session.
     *
     * @param clientSecret the client's secret (from the environment, never a flag); {@code null} for
     *     a public client
     */
    public record Provider(
            URI issuer,
            String clientId,
            String clientSecret,
            String usernameClaim,
            String groupsClaim,
            Map<String, List<RoleGrant>> groupRoles) {

        public Provider {
            Objects.requireNonNull(issuer, "issuer");
            Objects.requireNonNull(clientId, "clientId");
            usernameClaim = usernameClaim == null ? "preferred_username" : usernameClaim;
            groupsClaim = groupsClaim == null ? "groups" : groupsClaim;
            groupRoles = Map.copyOf(groupRoles);
        }

        @Override
        public String toString() {
            return "Provider[" + issuer + ", client " + clientId + "]"; // never the secret
        }

        /**
         * Parses a {@code GROUP=ROLE[@PROJECT]} mapping (repeatable on the command line): members of
         * GROUP get ROLE on PROJECT, or everywhere.
         */
        public static Map.Entry<String, RoleGrant> parseGroupRole(String text) {
            int eq = text.lastIndexOf('=');
            if (eq <= 0 || eq == text.length() - 1) {
                throw new IllegalArgumentException("a group mapping is GROUP=ROLE or GROUP=ROLE@PROJECT: " + text);
            }
            String role = text.substring(eq + 1);
            int at = role.indexOf('@');
            String project =
                    at < 0 ? RoleGrant.EVERY_PROJECT : role.substring(at + 1).toLowerCase(java.util.Locale.ROOT);
            return Map.entry(
                    text.substring(0, eq), new RoleGrant(project, Role.parse(at < 0 ? role : role.substring(0, at))));
        }
    }
}
