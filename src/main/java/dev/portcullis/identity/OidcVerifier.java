package dev.portcullis.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.net.URI;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Verifies CI OIDC tokens (RFC 7519) the way PyPI does (warehouse/oidc/services.py): the issuer
 * must be one we know; only RS256 and ES256, never {@code none} or HMAC; the header names a
 * {@code kid} found in the issuer's JWKS (OpenID discovery, fetched over HTTPS, cached, refreshed at
 * most once a minute and only for an unknown {@code kid}); {@code aud} must be exactly ours;
 * {@code exp} and {@code iat} are required, {@code nbf} honoured, with 30 s leeway. Fails closed: a
 * key that cannot be fetched is a refusal.
 */
final class OidcVerifier {

    /** A checked token, or why not, with PyPI's error code. */
    sealed interface Result {}

    record Verified(String issuer, String audience, Map<String, Object> claims, Instant expiresAt) implements Result {}

    record Rejected(String code, String description) implements Result {}

    private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256);
    private static final int MAX_TOKEN_CHARS = 16 * 1024;
    private static final int MAX_DOCUMENT_BYTES = 1024 * 1024;
    private static final Duration MIN_REFRESH = Duration.ofMinutes(1);

    private record Keys(JWKSet set, Instant fetchedAt) {}

    private final Clock clock;
    private final dev.portcullis.net.GuardedHttp http;
    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, Keys> cache = new ConcurrentHashMap<>();
    private final Map<String, java.util.function.Supplier<JWKSet>> localIssuers;

    /** {@code localIssuers}: issuers whose keys are known in-process (the drill issuer), never fetched. */
    OidcVerifier(
            Clock clock,
            OidcSettings settings,
            Map<String, java.util.function.Supplier<JWKSet>> localIssuers,
            dev.portcullis.net.GuardedHttp http) {
        this.http = http;
        this.clock = clock;
        this.localIssuers = Map.copyOf(localIssuers);
    }

    /** {@code audiences} maps each acceptable issuer to the audience its tokens must carry. */
    Result verify(String token, Map<String, Set<String>> audiences) {
        if (token == null || token.isBlank() || token.length() > MAX_TOKEN_CHARS) {
            return new Rejected("invalid-payload", "malformed JWT");
        }
        JWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = JWTParser.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException | RuntimeException e) {
            return new Rejected("invalid-payload", "malformed JWT");
        }
        String issuer = claims.getIssuer();
        if (issuer == null || !audiences.containsKey(issuer)) {
            return new Rejected("invalid-payload", "unknown trusted publishing issuer");
        }
        if (!(jwt instanceof SignedJWT signed)) {
            return new Rejected("invalid-token", "malformed or invalid token: the token is not signed");
        }
        JWSAlgorithm algorithm = signed.getHeader().getAlgorithm();
        if (!ALGORITHMS.contains(algorithm)) {
            return new Rejected(
                    "invalid-token", "malformed or invalid token: algorithm " + algorithm + " is not accepted");
        }
        String kid = signed.getHeader().getKeyID();
        if (kid == null || kid.isBlank()) {
            return new Rejected("invalid-token", "malformed or invalid token: the header has no kid");
        }
        JWK key;
        try {
            key = key(issuer, kid);
        } catch (IOException | ParseException | RuntimeException e) {
            // One text for every failure: the answer must not tell a caller what is listening where.
            return new Rejected("invalid-token", "could not fetch the signing keys of " + issuer);
        }
        if (key == null) {
            return new Rejected("invalid-token", "malformed or invalid token: unknown signing key " + kid);
        }
        try {
            JWSVerifier verifier = switch (key) {
                case RSAKey rsa when algorithm.equals(JWSAlgorithm.RS256) -> new RSASSAVerifier(rsa);
                case ECKey ec when algorithm.equals(JWSAlgorithm.ES256) -> new ECDSAVerifier(ec);
                default -> null;
            };
            if (verifier == null || !signed.verify(verifier)) {
                return new Rejected("invalid-token", "malformed or invalid token: bad signature");
            }
        } catch (JOSEException | RuntimeException e) {
            return new Rejected("invalid-token", "malformed or invalid token: bad signature");
        }
        return checkClaims(issuer, claims, audiences.get(issuer));
    }

    private Result checkClaims(String issuer, JWTClaimsSet claims, Set<String> acceptedAudiences) {
        List<String> aud = claims.getAudience();
        if (aud == null || aud.size() != 1 || !acceptedAudiences.contains(aud.getFirst())) {
            return new Rejected(
                    "invalid-token", "malformed or invalid token: audience " + aud + " is not " + acceptedAudiences);
        }
        Instant now = clock.instant();
        Date exp = claims.getExpirationTime();
        Date iat = claims.getIssueTime();
        Date nbf = claims.getNotBeforeTime();
        if (exp == null || iat == null) {
            return new Rejected("invalid-token", "malformed or invalid token: exp and iat are required");
        }
        if (now.isAfter(exp.toInstant().plus(OidcSettings.LEEWAY))) {
            return new Rejected("invalid-token", "malformed or invalid token: expired at " + exp.toInstant());
        }
        if (iat.toInstant().isAfter(now.plus(OidcSettings.LEEWAY))) {
            return new Rejected("invalid-token", "malformed or invalid token: issued in the future");
        }
        if (nbf != null && nbf.toInstant().isAfter(now.plus(OidcSettings.LEEWAY))) {
            return new Rejected("invalid-token", "malformed or invalid token: not valid before " + nbf.toInstant());
        }
        return new Verified(issuer, aud.getFirst(), claims.getClaims(), exp.toInstant());
    }

    private JWK key(String issuer, String kid) throws IOException, ParseException {
        if (localIssuers.containsKey(issuer)) {
            return localIssuers.get(issuer).get().getKeyByKeyId(kid);
        }
        Keys keys = cache.get(issuer);
        JWK key = keys == null ? null : keys.set().getKeyByKeyId(kid);
        if (key == null && (keys == null || keys.fetchedAt().plus(MIN_REFRESH).isBefore(clock.instant()))) {
            keys = new Keys(fetchKeys(issuer), clock.instant());
            cache.put(issuer, keys);
            key = keys.set().getKeyByKeyId(kid);
        }
        return key;
    }

    private JWKSet fetchKeys(String issuer) throws IOException, ParseException {
        JsonNode discovery = json.readTree(fetch(issuer.replaceAll("/+$", "") + "/.well-known/openid-configuration"));
        if (!issuer.equals(discovery.path("issuer").asText())) {
            throw new IOException("the discovery document names issuer "
                    + discovery.path("issuer").asText());
        }
        String jwksUri = discovery.path("jwks_uri").asText(null);
        if (jwksUri == null) {
            throw new IOException("the discovery document has no jwks_uri");
        }
        return JWKSet.parse(new String(fetch(jwksUri), java.nio.charset.StandardCharsets.UTF_8));
    }

    private byte[] fetch(String url) throws IOException {
        dev.portcullis.net.GuardedHttp.Response response = http.get(
                URI.create(url), Map.of("Accept", "application/json"), Duration.ofSeconds(10), MAX_DOCUMENT_BYTES);
        if (response.status() != 200) {
            throw new IOException("HTTP " + response.status());
        }
        return response.body();
    }
}
