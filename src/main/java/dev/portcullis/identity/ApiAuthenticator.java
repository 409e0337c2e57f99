package dev.portcullis.identity;

import dev.portcullis.core.Refusal;
import dev.portcullis.http.Exchange;

/** Authenticates Portcullis API requests ({@code Authorization: Bearer <token>}). */
public final class ApiAuthenticator {

    private final Identity identity;

    public ApiAuthenticator(Identity identity) {
        this.identity = identity;
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

    private static Refusal unauthorized(Exchange exchange, String reason) {
        exchange.header("WWW-Authenticate", "Bearer realm=\"portcullis\"");
        return new Refusal.Unauthenticated("Unauthorized: " + reason + ".");
    }
}
