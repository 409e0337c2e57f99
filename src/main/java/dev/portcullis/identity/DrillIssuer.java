package dev.portcullis.identity;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.UUID;

/**
 * The OIDC issuer detection drills act as CI with (docs/DRILLS.md). Its key exists only in this
 * process's memory; its identities are accepted only for drill sandbox projects, and only a global
 * admin can have a token signed. It stands in for GitHub Actions so a drill can exercise the real
 * token exchange (single use, expiry) without any CI platform.
 */
public final class DrillIssuer {

    /** Never resolvable ({@code .invalid}, RFC 2606): nothing outside this process can act as it. */
    public static final String ISSUER = "https://drill.portcullis.invalid";

    private RSAKey key;

    /** The key, made on first use: most processes (and every CLI command) never run a drill. */
    private synchronized RSAKey key() {
        if (key == null) {
            try {
                key = new RSAKeyGenerator(2048)
                        .keyID("drill-" + UUID.randomUUID())
                        .generate();
            } catch (JOSEException e) {
                throw new IllegalStateException("cannot create the drill issuer's key", e);
            }
        }
        return key;
    }

    JWKSet publicKeys() {
        return new JWKSet(key().toPublicJWK());
    }

    /** A signed CI identity token with {@code claims}, issued and expiring at the given times, with a fresh {@code jti}. */
    public String sign(String audience, Map<String, String> claims, Instant issuedAt, Instant expiresAt) {
        JWTClaimsSet.Builder body = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .audience(audience)
                .issueTime(Date.from(issuedAt))
                .notBeforeTime(Date.from(issuedAt))
                .expirationTime(Date.from(expiresAt))
                .jwtID(UUID.randomUUID().toString());
        claims.forEach(body::claim);
        RSAKey signing = key();
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.RS256)
                        .keyID(signing.getKeyID())
                        .build(),
                body.build());
        try {
            jwt.sign(new RSASSASigner(signing));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a drill identity token", e);
        }
        return jwt.serialize();
    }
}
