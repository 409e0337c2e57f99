package dev.portcullis.identity;

import com.webauthn4j.WebAuthnManager;
import com.webauthn4j.converter.AttestedCredentialDataConverter;
import com.webauthn4j.converter.util.ObjectConverter;
import com.webauthn4j.credential.CredentialRecordImpl;
import com.webauthn4j.data.AuthenticationData;
import com.webauthn4j.data.AuthenticationParameters;
import com.webauthn4j.data.AuthenticationRequest;
import com.webauthn4j.data.PublicKeyCredentialParameters;
import com.webauthn4j.data.PublicKeyCredentialType;
import com.webauthn4j.data.RegistrationData;
import com.webauthn4j.data.RegistrationParameters;
import com.webauthn4j.data.RegistrationRequest;
import com.webauthn4j.data.attestation.authenticator.AttestedCredentialData;
import com.webauthn4j.data.attestation.statement.COSEAlgorithmIdentifier;
import com.webauthn4j.data.client.challenge.DefaultChallenge;
import com.webauthn4j.server.ServerProperty;
import dev.portcullis.core.Origin;
import dev.portcullis.core.Refusal;
import dev.portcullis.events.Event;
import dev.portcullis.events.EventLog;
import dev.portcullis.store.Database;
import dev.portcullis.store.Sha256;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * People's passkeys and security keys (WebAuthn Level 3, verified with webauthn4j): registration,
 * several per person, removal, and step-up assertions. A key is phishing-resistant where a code is
 * not: the browser signs the page's origin into what the key signs, so a look-alike site relaying
 * the page gets an assertion for the wrong origin, which is refused.
 *
 * <p>Every challenge is accepted once ({@code webauthn_used_challenges}); the signature counter
 * must not go back (a cloned authenticator). Attestation is not required to chain to a vendor
 * (most passkeys send none): what a key proves is that the person who registered it, after a
 * second factor, holds it now.
 */
public final class SecurityKeys {

    /** A registered key as people see it. {@code id} is the credential id, base64url. */
    public record Key(String id, String name, Instant createdAt, Instant lastUsedAt) {}

    /** What the browser sent back from {@code navigator.credentials.create}, and the challenge and page it was for. */
    public record Registration(
            String name,
            byte[] attestationObject,
            byte[] clientDataJson,
            byte[] challenge,
            String origin,
            String rpId) {}

    private static final List<PublicKeyCredentialParameters> ALGORITHMS = List.of(
            new PublicKeyCredentialParameters(PublicKeyCredentialType.PUBLIC_KEY, COSEAlgorithmIdentifier.ES256),
            new PublicKeyCredentialParameters(PublicKeyCredentialType.PUBLIC_KEY, COSEAlgorithmIdentifier.EdDSA),
            new PublicKeyCredentialParameters(PublicKeyCredentialType.PUBLIC_KEY, COSEAlgorithmIdentifier.RS256));
    private static final int MAX_KEYS = 10;

    private final Database database;
    private final EventLog events;
    private final Clock clock;
    private final WebAuthnManager webAuthn = WebAuthnManager.createNonStrictWebAuthnManager();
    private final AttestedCredentialDataConverter credentials =
            new AttestedCredentialDataConverter(new ObjectConverter());

    SecurityKeys(Database database, EventLog events, Clock clock) {
        this.database = database;
        this.events = events;
        this.clock = clock;
    }

    /** The user's keys, oldest first. */
    public List<Key> list(long userId) {
        return database.withHandle(h -> h.createQuery(
                        "SELECT credential_id, name, created_at, last_used_at FROM webauthn_credentials"
                                + " WHERE user_id = :u ORDER BY created_at, credential_id")
                .bind("u", userId)
                .map((rs, ctx) -> new Key(
                        rs.getString(1),
                        rs.getString(2),
                        Instant.ofEpochMilli(rs.getLong(3)),
                        rs.getObject(4) == null ? null : Instant.ofEpochMilli(rs.getLong(4))))
                .list());
    }

    public boolean any(long userId) {
        return !list(userId).isEmpty();
    }

    /** Registers a key for {@code by}, whose fresh second factor the caller ({@link Identity}) checked. */
    Key register(Principal by, Registration registration, Origin origin) {
        return register(by, registration, origin, h -> {});
    }

    /** As above; {@code alsoInTransaction} runs in the registering transaction (using up an enrolment ticket). */
    Key register(
            Principal by,
            Registration registration,
            Origin origin,
            java.util.function.Consumer<org.jdbi.v3.core.Handle> alsoInTransaction) {
        String name = registration.name() == null ? "" : registration.name().strip();
        if (name.isEmpty() || name.length() > 100) {
            throw new Refusal.Invalid("Name the key (1-100 characters) so you can tell it from your others.");
        }
        if (list(by.userId()).size() >= MAX_KEYS) {
            throw new Refusal.Invalid("At most " + MAX_KEYS + " keys per person; remove one first.");
        }
        useChallenge(registration.challenge(), by, "register a security key", origin);
        RegistrationData data;
        try {
            data = webAuthn.verify(
                    new RegistrationRequest(registration.attestationObject(), registration.clientDataJson()),
                    new RegistrationParameters(
                            new ServerProperty(
                                    new com.webauthn4j.data.client.Origin(registration.origin()),
                                    registration.rpId(),
                                    new DefaultChallenge(registration.challenge())),
                            ALGORITHMS,
                            false,
                            true));
        } catch (RuntimeException e) {
            throw refused(
                    by, "register a security key", "the key's answer does not verify (" + reason(e) + ")", origin);
        }
        AttestedCredentialData credential = java.util.Objects.requireNonNull(data.getAttestationObject())
                .getAuthenticatorData()
                .getAttestedCredentialData();
        if (credential == null) {
            throw refused(by, "register a security key", "the key sent no credential", origin);
        }
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(credential.getCredentialId());
        long count = data.getAttestationObject().getAuthenticatorData().getSignCount();
        Instant now = clock.instant();
        database.inTransaction(h -> {
            alsoInTransaction.accept(h);
            boolean taken = h.createQuery("SELECT COUNT(*) FROM webauthn_credentials WHERE credential_id = :c")
                            .bind("c", id)
                            .mapTo(Long.class)
                            .one()
                    > 0;
            if (taken) {
                throw new Refusal.Conflict("This key is already registered.");
            }
            h.createUpdate("INSERT INTO webauthn_credentials (credential_id, user_id, name, credential_data,"
                            + " sign_count, created_at) VALUES (:c, :u, :n, :d, :s, :t)")
                    .bind("c", id)
                    .bind("u", by.userId())
                    .bind("n", name)
                    .bind("d", Base64.getEncoder().encodeToString(credentials.convert(credential)))
                    .bind("s", count)
                    .bind("t", now.toEpochMilli())
                    .execute();
            events.append(
                    h,
                    new Event(
                            "SecurityKeyRegistered",
                            by.actor(),
                            null,
                            by.userName(),
                            origin,
                            Map.of("key", name, "credential", id.substring(0, Math.min(8, id.length())))));
            return null;
        });
        return new Key(id, name, now, null);
    }

    /** Removes one of {@code by}'s keys (the caller checked a fresh second factor). */
    void remove(Principal by, String credentialId, Origin origin) {
        database.inTransaction(h -> {
            Optional<String> name = h.createQuery(
                            "SELECT name FROM webauthn_credentials WHERE credential_id = :c AND user_id = :u")
                    .bind("c", credentialId)
                    .bind("u", by.userId())
                    .mapTo(String.class)
                    .findOne();
            if (name.isEmpty()) {
                throw new Refusal.NotFound("No such key of yours.");
            }
            h.createUpdate("DELETE FROM webauthn_credentials WHERE credential_id = :c AND user_id = :u")
                    .bind("c", credentialId)
                    .bind("u", by.userId())
                    .execute();
            events.append(
                    h,
                    new Event(
                            "SecurityKeyRemoved", by.actor(), null, by.userName(), origin, Map.of("key", name.get())));
            return null;
        });
    }

    /** Removes every key of a user (an admin's reset of their second factors), in the caller's transaction. */
    static void removeAll(org.jdbi.v3.core.Handle h, long userId) {
        h.createUpdate("DELETE FROM webauthn_credentials WHERE user_id = :u")
                .bind("u", userId)
                .execute();
    }

    /** Step-up with a key: the assertion must be by one of {@code by}'s keys, over the expected challenge, for this page. */
    void verify(Principal by, StepUp.Key key, String action, Origin origin) {
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(key.credentialId());
        record Stored(String data, long count) {}
        Optional<Stored> stored =
                database.withHandle(h -> h.createQuery("SELECT credential_data, sign_count FROM webauthn_credentials"
                                + " WHERE credential_id = :c AND user_id = :u")
                        .bind("c", id)
                        .bind("u", by.userId())
                        .map((rs, ctx) -> new Stored(rs.getString(1), rs.getLong(2)))
                        .findOne());
        if (stored.isEmpty()) {
            throw refused(by, action, "that key is not one of " + by.userName() + "'s", origin);
        }
        AttestedCredentialData credential =
                credentials.convert(Base64.getDecoder().decode(stored.get().data()));
        AuthenticationData data;
        try {
            data = webAuthn.verify(
                    new AuthenticationRequest(
                            key.credentialId(),
                            null,
                            key.authenticatorData(),
                            key.clientDataJson(),
                            null,
                            key.signature()),
                    new AuthenticationParameters(
                            new ServerProperty(
                                    new com.webauthn4j.data.client.Origin(key.origin()),
                                    key.rpId(),
                                    new DefaultChallenge(key.challenge())),
                            new CredentialRecordImpl(
                                    null, null, null, null, stored.get().count(), credential, null, null, null, null),
                            List.of(key.credentialId()),
                            false,
                            true));
        } catch (com.webauthn4j.verifier.exception.MaliciousCounterValueException e) {
            throw refused(
                    by,
                    action,
                    "the key's counter went back: an answer sent again (replayed), or a cloned key",
                    origin);
        } catch (RuntimeException e) {
            throw refused(
                    by, action, "the key's signature does not verify for this decision (" + reason(e) + ")", origin);
        }
        useChallenge(key.challenge(), by, action, origin);
        long count =
                java.util.Objects.requireNonNull(data.getAuthenticatorData()).getSignCount();
        database.inTransaction(h -> {
            h.createUpdate(
                            "UPDATE webauthn_credentials SET sign_count = :s, last_used_at = :t WHERE credential_id = :c")
                    .bind("s", count)
                    .bind("t", clock.millis())
                    .bind("c", id)
                    .execute();
            events.append(
                    h,
                    new Event(
                            "SecondFactorVerified",
                            by.actor(),
                            null,
                            by.userName(),
                            origin,
                            Map.of("action", action, "method", "webauthn")));
            return null;
        });
    }

    /** Forgets used challenges recorded before {@code cutoff} (each is valid for minutes, and a reused one is refused by then). */
    static int purgeChallenges(org.jdbi.v3.core.Handle h, Instant cutoff) {
        return h.createUpdate("DELETE FROM webauthn_used_challenges WHERE used_at < :c")
                .bind("c", cutoff.toEpochMilli())
                .execute();
    }

    /** Records {@code challenge} as used, or refuses it when it already was. */
    private void useChallenge(byte[] challenge, Principal by, String action, Origin origin) {
        int inserted = database.inTransaction(
                h -> h.createUpdate("INSERT INTO webauthn_used_challenges (challenge_hash, used_at) VALUES (:h, :t)"
                                + " ON CONFLICT (challenge_hash) DO NOTHING")
                        .bind("h", Sha256.hex(challenge))
                        .bind("t", clock.millis())
                        .execute());
        if (inserted == 0) {
            throw refused(
                    by, action, "this key challenge was already used (to " + action + "); reload the page", origin);
        }
    }

    private static String reason(RuntimeException e) {
        String name = e.getClass().getSimpleName();
        return name.endsWith("Exception") ? name.substring(0, name.length() - "Exception".length()) : name;
    }

    private Refusal refused(Principal by, String action, String why, Origin origin) {
        events.append(new Event(
                "SecondFactorFailed",
                by.actor(),
                null,
                by.userName(),
                origin,
                Map.of("reason", why, "method", "webauthn", "action", action)));
        return new Refusal.SecondFactor(why);
    }
}
