package dev.portcullis.identity.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.http.ErrorStyle;
import dev.portcullis.http.Exchange;
import dev.portcullis.http.HttpRouter;
import dev.portcullis.http.Routes;
import dev.portcullis.identity.TrustedPublishing;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

/**
 * PyPI's trusted-publishing endpoints, with its request and response shapes and status codes
 * (warehouse/oidc/views.py), so pypa/gh-action-pypi-publish and uv work unchanged:
 * {@code GET /_/oidc/audience} and {@code POST /_/oidc/mint-token} (alias {@code
 * /_/oidc/github/mint-token}).
 */
public final class OidcRoutes implements Routes {

    private static final int MAX_BODY = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TrustedPublishing publishing;

    public OidcRoutes(TrustedPublishing publishing) {
        this.publishing = publishing;
    }

    @Override
    public void register(HttpRouter router) {
        router.get("/_/oidc/audience", ErrorStyle.JSON, this::audience)
                .post("/_/oidc/mint-token", ErrorStyle.JSON, this::mintToken)
                .post("/_/oidc/github/mint-token", ErrorStyle.JSON, this::mintToken);
    }

    public void audience(Exchange exchange) {
        if (!publishing.settings().enabled()) {
            exchange.status(403).json(Map.of("message", "Trusted publishing functionality not enabled"));
            return;
        }
        exchange.json(Map.of("audience", publishing.settings().audience()));
    }

    public void mintToken(Exchange exchange) throws IOException {
        String token;
        try {
            token = readToken(exchange.body(MAX_BODY));
        } catch (IOException | RuntimeException e) {
            exchange.closeConnection();
            answer(
                    exchange,
                    publishing.refuseRequest(
                            "malformed request body: expected {\"token\": \"<JWT>\"} of at most " + MAX_BODY + " bytes",
                            exchange.origin()));
            return;
        }
        answer(exchange, publishing.exchange(token, exchange.origin()));
    }

    private static String readToken(InputStream body) throws IOException {
        byte[] bytes = body.readNBytes(MAX_BODY + 1);
        if (bytes.length > MAX_BODY) {
            throw new IOException("too large");
        }
        JsonNode node = JSON.readTree(bytes);
        if (node == null || !node.isObject() || !node.path("token").isTextual()) {
            throw new IOException("not {\"token\": string}");
        }
        return node.path("token").asText();
    }

    private static void answer(Exchange exchange, TrustedPublishing.MintResult result) {
        switch (result) {
            case TrustedPublishing.Minted minted ->
                exchange.json(Map.of(
                        "success",
                        true,
                        "token",
                        minted.token(),
                        "expires",
                        minted.expires().getEpochSecond()));
            case TrustedPublishing.Failed failed ->
                exchange.status(422)
                        .json(Map.of(
                                "message",
                                "Token request failed",
                                "errors",
                                List.of(Map.of("code", failed.code(), "description", failed.description()))));
        }
    }
}
