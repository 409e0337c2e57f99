package dev.portcullis.identity;

import dev.portcullis.core.Refusal;
import dev.portcullis.http.Exchange;

/**
 * Authenticates requests that carry an API token ({@code Authorization: Bearer <token>}, or HTTP
 * Basic with user {@code __token__}); a refusal challenges with {@code challenge} (Bearer for the
 * API; Basic where the client only answers that, as Maven does).
 */
public final class ApiAuthenticator {

    private final Identity identity;
    private final String challenge;

    public ApiAuthenticator(Identity identity) {
        this(identity, "Bearer realm=\"portcullis\"");
    }

    public ApiAuthenticator(Identity identity, String challenge) {
        this.identity = identity;
        this.challenge = challenge;
    }

    public Principal require(Exchange exchange) {
        return switch (AuthorizationHeader.parse(exchange.header("Authorization"))) {
            case AuthorizationHeader.Token t ->
                switch (identity.authenticate(t.token(), exchange.origin())) {
                    case Authentication.Authenticated a -> a.principal();
                    case Authentication.Refused r -> throw unauthorized(exchange, r.reason());
                    case Authentication.Throttled th ->
                        throw new Refusal.Throttled("Too Many Requests: " + th.reason() + ".");
                };
            case AuthorizationHeader.Password p ->
                throw unauthorized(exchange, "passwords are not accepted; use an API token");
            case AuthorizationHeader.Missing m -> throw unauthorized(exchange, "an API token is required");
        };
    }

    private Refusal unauthorized(Exchange exchange, String reason) {
        exchange.header("WWW-Authenticate", challenge);
        return new Refusal.Unauthenticated("Unauthorized: " + reason + ".");
    }
}
