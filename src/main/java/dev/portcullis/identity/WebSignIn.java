package dev.portcullis.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.core.Origin;
import dev.portcullis.core.Refusal;
import dev.portcullis.events.Event;
import dev.portcullis.events.EventLog;
import dev.portcullis.net.GuardedHttp;
import dev.portcullis.store.Database;
import dev.portcullis.store.Sha256;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Signing in to the approver's page, and what a session may do (docs/WEB.md). Two ways in: an API
 * token (local users, as on the command line), or the organisation's OpenID Connect provider with
 * the authorization code flow, PKCE (S256), {@code state} and {@code nonce}.
 *
 * <p>The provider flow keeps nothing on the server between the redirect and the callback: a fresh
 * random login secret goes into a short-lived cookie of the browser that started it, and {@code
 * state}, {@code nonce} and the PKCE verifier are derived from it. A callback in another browser
 * (login CSRF), a changed {@code state}, a replayed code or an old login all fail.
 */
public final class WebSignIn {

    /** How long a started provider sign-in may take. */
    public static final Duration LOGIN_TIMEOUT = Duration.ofMinutes(10);

    private static final int MAX_DOCUMENT_BYTES = 1024 * 1024;

    /**
     * One provider sign-in in progress: the random secret in the browser's login cookie (with the
     * second it was made), and what is derived from it.
     */
    public record LoginState(String secret) {

        static LoginState fresh(SecureRandom random, Instant now) {
            byte[] bytes = new byte[32];
            random.nextBytes(bytes);
            return new LoginState(
                    Base64.getUrlEncoder().withoutPadding().encodeToString(bytes) + "." + now.getEpochSecond());
        }

        Optional<Instant> startedAt() {
            int dot = secret.lastIndexOf('.');
            try {
                return dot < 0
                        ? Optional.empty()
                        : Optional.of(Instant.ofEpochSecond(Long.parseLong(secret.substring(dot + 1))));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }

        String state() {
            return derive("state");
        }

        String nonce() {
            return derive("nonce");
        }

        String verifier() {
            return derive("pkce-verifier");
        }

        String challenge() {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(Sha256.of(verifier()));
        }

        private String derive(String purpose) {
            return Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(Sha256.of("portcullis-login\0" + purpose + "\0" + secret));
        }
    }

    /** Where to send the browser, and the login cookie's value to set before. */
    public record Redirect(URI location, LoginState login) {}

    private record Endpoints(URI authorization, URI token, Instant fetchedAt) {}

    private final Database database;
    private final EventLog events;
    private final Clock clock;
    private final SecureRandom random;
    private final WebSignInSettings settings;
    private final GuardedHttp http;
    private final Identity identity;
    private final WebSessions sessions;
    private final OidcVerifier verifier;
    private final UserRepository users = new UserRepository();
    private final TokenRepository tokens = new TokenRepository();
    private final ObjectMapper json = new ObjectMapper();
    private volatile Endpoints endpoints;
    /** Failed provider sign-ins per address: past the limit, a callback is refused before the provider is asked. */
    private final FailureThrottle failures;
    /** When discovery last failed: for {@link #RETRY_AFTER} sign-ins are refused without asking again. */
    private volatile Instant discoveryFailedAt;

    private static final Duration RETRY_AFTER = Duration.ofSeconds(30);

    public WebSignIn(
            Database database,
            EventLog events,
            Clock clock,
            SecureRandom random,
            WebSignInSettings settings,
            GuardedHttp http,
            Identity identity) {
        this.database = database;
        this.events = events;
        this.clock = clock;
        this.random = random;
        this.settings = settings;
        this.http = http;
        this.identity = identity;
        this.sessions = new WebSessions(database, events, clock, random, settings.sessionIdle(), settings.sessionMax());
        this.verifier = new OidcVerifier(clock, OidcSettings.DEFAULTS, Map.of(), http);
        IdentitySettings limits = identity.settings();
        this.failures = new FailureThrottle(
                limits.throttleWindow(), limits.maxFailuresPerAddress(), limits.maxFailuresPerAddress());
    }

    public WebSessions sessions() {
        return sessions;
    }

    /** Whether the organisation's provider is configured. */
    public boolean hasProvider() {
        return settings.provider() != null;
    }

    // ---------------------------------------------------------------- API token

    /**
     * Signs a local user in with one of their API tokens. The session can do no more than the token:
     * its project, and of its permissions only {@code read}, {@code approve} and {@code admin}. A
     * trusted publisher's token, or an upload-only token, does not sign in.
     */
    public WebSessions.Opened withToken(String token, Origin origin) {
        Principal principal = switch (identity.authenticate(token == null ? "" : token.trim(), origin)) {
            case Authentication.Authenticated a -> a.principal();
            case Authentication.Refused r -> throw refused("token", r.reason(), origin);
            case Authentication.Throttled t -> throw new Refusal.Throttled(t.reason());
        };
        if (principal.isTrustedPublisher()) {
            throw refused("token", "a trusted publisher's upload token cannot sign in", origin);
        }
        if (WebSessions.permissions(principal.tokenPermissions()).isEmpty()) {
            throw refused(
                    "token",
                    "this token may only " + Permission.format(principal.tokenPermissions())
                            + "; the page needs a token that may read or approve",
                    origin);
        }
        User user = database.withHandle(h -> users.find(h, principal.userId()))
                .orElseThrow()
                .user();
        return sessions.open(user, "token", principal.tokenId(), List.of(), origin);
    }

    // ---------------------------------------------------------------- OpenID Connect provider

    /** Starts a provider sign-in: the authorization request to send the browser to. */
    public Redirect startProviderSignIn(URI redirectUri) {
        WebSignInSettings.Provider provider = requireProvider();
        LoginState login = LoginState.fresh(random, clock.instant());
        Map<String, String> query = new LinkedHashMap<>();
        query.put("response_type", "code");
        query.put("client_id", provider.clientId());
        query.put("redirect_uri", redirectUri.toString());
        query.put("scope", "openid profile email");
        query.put("state", login.state());
        query.put("nonce", login.nonce());
        query.put("code_challenge", login.challenge());
        query.put("code_challenge_method", "S256");
        URI authorization = endpoints(provider).authorization();
        String separator = authorization.getQuery() == null ? "?" : "&";
        return new Redirect(URI.create(authorization + separator + form(query)), login);
    }

    /**
     * Finishes a provider sign-in: checks {@code state} against the browser's login cookie,
     * exchanges the code (with the PKCE verifier and the client's credentials), verifies the ID
     * token (signature by the provider's keys, issuer, audience, times, nonce), and opens a session
     * for the user the username claim names — created on first sign-in, with no roles of its own;
     * the roles are those the groups claim maps to.
     */
    public WebSessions.Opened finishProviderSignIn(
            String loginCookie, String state, String code, String error, URI redirectUri, Origin origin) {
        WebSignInSettings.Provider provider = requireProvider();
        IdentitySettings limits = identity.settings();
        if (failures.recent(origin.ip(), clock.instant()) >= limits.maxFailuresPerAddress()) {
            // Each callback costs a request to the provider's token endpoint: a flood of forged ones stops here.
            throw new Refusal.Throttled("too many failed sign-ins from this address; try again in "
                    + limits.throttleWindow().toMinutes() + " minutes");
        }
        if (error != null) {
            throw refused("oidc", "the provider answered " + error, origin);
        }
        if (loginCookie == null || state == null || code == null) {
            throw refused("oidc", "the sign-in was not started in this browser, or it took too long", origin);
        }
        LoginState login = new LoginState(loginCookie);
        Instant now = clock.instant();
        Optional<Instant> started = login.startedAt();
        if (started.isEmpty()
                || started.get().plus(LOGIN_TIMEOUT).isBefore(now)
                || started.get().isAfter(now.plusSeconds(60))) {
            throw refused("oidc", "the sign-in was not started in this browser, or it took too long", origin);
        }
        if (!java.security.MessageDigest.isEqual(
                login.state().getBytes(StandardCharsets.US_ASCII), state.getBytes(StandardCharsets.UTF_8))) {
            throw refused("oidc", "the state does not match the sign-in this browser started", origin);
        }
        String idToken = exchange(provider, code, login, redirectUri, origin);
        Map<String, Object> claims =
                switch (verifier.verify(idToken, Map.of(provider.issuer().toString(), Set.of(provider.clientId())))) {
                    case OidcVerifier.Verified v -> v.claims();
                    case OidcVerifier.Rejected r -> throw refused("oidc", "the ID token: " + r.description(), origin);
                };
        if (!login.nonce().equals(claims.get("nonce"))) {
            throw refused("oidc", "the ID token's nonce is not this sign-in's", origin);
        }
        Object name = claims.get(provider.usernameClaim());
        if (!(name instanceof String userName) || !userName.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
            throw refused(
                    "oidc",
                    "the ID token's " + provider.usernameClaim()
                            + " claim is not a user name (letters, digits, '.', '_', '-')",
                    origin);
        }
        List<RoleGrant> grants = grants(provider, claims.get(provider.groupsClaim()));
        User user = findOrCreate(userName, provider, origin);
        if (user.disabled()) {
            throw refused("oidc", userName + " is disabled (" + user.disabledReason() + ")", origin);
        }
        return sessions.open(user, "oidc", null, grants, origin);
    }

    private static List<RoleGrant> grants(WebSignInSettings.Provider provider, Object groups) {
        List<String> names = new ArrayList<>();
        if (groups instanceof String one) {
            names.add(one);
        } else if (groups instanceof List<?> many) {
            many.stream()
                    .filter(String.class::isInstance)
                    .map(String.class::cast)
                    .forEach(names::add);
        }
        Set<RoleGrant> grants = new LinkedHashSet<>();
        for (String group : names) {
            grants.addAll(provider.groupRoles().getOrDefault(group, List.of()));
        }
        return List.copyOf(grants);
    }

    private User findOrCreate(String userName, WebSignInSettings.Provider provider, Origin origin) {
        return database.inTransaction(h -> {
            Optional<UserRepository.Row> row = users.find(h, userName);
            if (row.isPresent()) {
                return row.get().user();
            }
            users.insert(h, userName, clock.instant());
            events.append(
                    h,
                    new Event(
                            "UserAdded",
                            "oidc sign-in (" + provider.issuer() + ")",
                            null,
                            userName,
                            origin,
                            Map.of("role", "none (roles come from the provider's groups)")));
            return users.find(h, userName).orElseThrow().user();
        });
    }

    private String exchange(
            WebSignInSettings.Provider provider, String code, LoginState login, URI redirectUri, Origin origin) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("grant_type", "authorization_code");
        body.put("code", code);
        body.put("redirect_uri", redirectUri.toString());
        body.put("code_verifier", login.verifier());
        body.put("client_id", provider.clientId());
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Accept", "application/json");
        if (provider.clientSecret() != null) {
            headers.put(
                    "Authorization",
                    "Basic "
                            + Base64.getEncoder()
                                    .encodeToString((form(provider.clientId()) + ":" + form(provider.clientSecret()))
                                            .getBytes(StandardCharsets.UTF_8)));
        }
        GuardedHttp.Response response;
        try {
            response = http.post(
                    endpoints(provider).token(),
                    headers,
                    new GuardedHttp.Bytes(
                            form(body).getBytes(StandardCharsets.US_ASCII), "application/x-www-form-urlencoded"),
                    Duration.ofSeconds(10),
                    MAX_DOCUMENT_BYTES);
        } catch (IOException | RuntimeException e) {
            throw refused("oidc", "the provider's token endpoint could not be reached", origin);
        }
        JsonNode answer;
        try {
            answer = json.readTree(response.body());
        } catch (IOException e) {
            answer = json.createObjectNode();
        }
        if (response.status() != 200 || !answer.path("id_token").isTextual()) {
            throw refused(
                    "oidc",
                    "the provider refused the code (HTTP " + response.status() + " "
                            + answer.path("error").asText("") + ")",
                    origin);
        }
        return answer.path("id_token").asText();
    }

    private Endpoints endpoints(WebSignInSettings.Provider provider) {
        Endpoints known = endpoints;
        if (known != null && known.fetchedAt().plus(Duration.ofHours(1)).isAfter(clock.instant())) {
            return known;
        }
        String issuer = provider.issuer().toString();
        Instant failed = discoveryFailedAt;
        if (failed != null && failed.plus(RETRY_AFTER).isAfter(clock.instant())) {
            // Anonymous callers start sign-ins: while the provider is down, they do not each cost a request to it.
            throw new Refusal.Unavailable("the sign-in provider " + issuer + " cannot be reached; try again later");
        }
        try {
            GuardedHttp.Response response = http.get(
                    URI.create(issuer.replaceAll("/+$", "") + "/.well-known/openid-configuration"),
                    Map.of("Accept", "application/json"),
                    Duration.ofSeconds(10),
                    MAX_DOCUMENT_BYTES);
            JsonNode document = json.readTree(response.body());
            if (response.status() != 200
                    || !issuer.equals(document.path("issuer").asText())) {
                throw new IOException("not the provider's discovery document");
            }
            known = new Endpoints(
                    URI.create(document.path("authorization_endpoint").asText()),
                    URI.create(document.path("token_endpoint").asText()),
                    clock.instant());
        } catch (IOException | RuntimeException e) {
            discoveryFailedAt = clock.instant();
            throw new Refusal.Unavailable("the sign-in provider " + issuer + " cannot be reached; try again later");
        }
        discoveryFailedAt = null;
        endpoints = known;
        return known;
    }

    // ---------------------------------------------------------------- sessions

    /**
     * What a session may do now, as a {@link Principal}: empty when the user was disabled or,
     * for a token's session, the token was revoked or expired since.
     */
    public Optional<Principal> principal(WebSessions.Session session) {
        Instant now = clock.instant();
        return database.withHandle(h -> {
            Optional<UserRepository.Row> row = users.find(h, session.userId());
            if (row.isEmpty() || row.get().user().disabled()) {
                return Optional.empty();
            }
            User user = row.get().user();
            Set<Permission> permissions = WebSessions.permissions(null);
            String project = null;
            if (session.tokenId() != null) {
                Optional<TokenRepository.Stored> token = tokens.find(h, session.tokenId());
                if (token.isEmpty()
                        || token.get().info().revokedAt() != null
                        || !now.isBefore(token.get().info().expiresAt())) {
                    return Optional.empty();
                }
                permissions = WebSessions.permissions(token.get().info().permissions());
                project = token.get().info().project();
            }
            List<RoleGrant> grants = new ArrayList<>(user.grants());
            grants.addAll(session.providerGrants());
            return Optional.of(
                    new Principal(user.id(), user.name(), "web-" + session.id(), project, permissions, grants));
        });
    }

    private WebSignInSettings.Provider requireProvider() {
        if (settings.provider() == null) {
            throw new Refusal.NotFound("no sign-in provider is configured; sign in with an API token");
        }
        return settings.provider();
    }

    private Refusal refused(String method, String why, Origin origin) {
        if (method.equals("oidc")) {
            failures.failed(origin.ip(), null, clock.instant());
        }
        events.appendCounted(
                new Event("WebSignInRefused", null, null, null, origin, Map.of("method", method, "reason", why)),
                origin.ip());
        return new Refusal.Unauthenticated("Sign-in refused: " + why + ".");
    }

    private static String form(Map<String, String> values) {
        List<String> pairs = new ArrayList<>();
        values.forEach((k, v) -> pairs.add(form(k) + "=" + form(v)));
        return String.join("&", pairs);
    }

    private static String form(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
