package dev.portcullis.identity;

import dev.portcullis.core.Origin;
import dev.portcullis.core.Refusal;
import dev.portcullis.events.Event;
import dev.portcullis.events.EventLog;
import dev.portcullis.store.Database;
import dev.portcullis.store.Sha256;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The life cycle of user API tokens: issue, rotate, revoke, list, and the idle and expiry rules.
 *
 * <p>Over the API a token never gains power through another: creating, rotating, listing and
 * revoking all pass {@link Principal#cannotManage} with the target token's owner, scope and
 * permissions, before the second factor is asked for (so a stolen low-power token learns nothing).
 * A rotated successor has exactly the old token's scope. The local operator's variants (the
 * {@code admin} commands, drill sandboxes) skip the principal and the second factor and are
 * recorded as such.
 */
final class Tokens {

    private final Database database;
    private final EventLog events;
    private final Clock clock;
    private final TokenFormat format;
    private final IdentitySettings settings;
    private final UserRepository users;
    private final TokenRepository tokens;
    private final SecondFactor secondFactor;

    Tokens(
            Database database,
            EventLog events,
            Clock clock,
            TokenFormat format,
            IdentitySettings settings,
            UserRepository users,
            TokenRepository tokens,
            SecondFactor secondFactor) {
        this.database = database;
        this.events = events;
        this.clock = clock;
        this.format = format;
        this.settings = settings;
        this.users = users;
        this.tokens = tokens;
        this.secondFactor = secondFactor;
    }

    /** API: a token for the caller (or, for a global admin, another user), no more powerful than the caller's, with a fresh second factor. */
    IssuedToken create(Principal by, String otp, TokenRequest request, Origin origin) {
        requireAuthority(by, request.owner(), request.project(), request.permissions(), "create a token", origin);
        secondFactor.verify(by, otp, "create a token", origin);
        return issue(request, null, by.actor(), origin);
    }

    /** Local operator: a token for any user (bootstrap and break-glass). */
    IssuedToken create(TokenRequest request, String actor) {
        return issue(request, null, actor, Origin.LOCAL);
    }

    /**
     * API: a successor with the same owner, scope and permissions; the old token works only for
     * {@code overlap} more. Only a token that could have created the old one may rotate it.
     */
    IssuedToken rotate(Principal by, String otp, String tokenId, Duration overlap, Origin origin) {
        TokenInfo old = get(tokenId);
        requireAuthority(by, old.owner(), old.project(), old.permissions(), "rotate a token", origin);
        requireActive(old);
        secondFactor.verify(by, otp, "rotate a token", origin);
        return rotate(old, overlap, by.actor(), origin);
    }

    /** Local operator (and drill sandboxes): rotates an active token without a second factor. */
    IssuedToken rotate(String tokenId, Duration overlap, String actor, Origin origin) {
        return rotate(get(tokenId), overlap, actor, origin);
    }

    /**
     * API: revokes one token. Any token may revoke itself (giving up power needs nothing more);
     * otherwise the caller must be able to manage it. No second factor: revocation only takes power away.
     */
    TokenInfo revoke(Principal by, String tokenId, String reason, Origin origin) {
        TokenInfo token = requireMayRevoke(by, tokenId, origin);
        return revoke(List.of(token), by.actor(), reason, origin).stream()
                .findFirst()
                .orElseThrow(() -> new Refusal.Invalid("token " + tokenId + " is already revoked"));
    }

    /** The token, when {@code by} may revoke it (its own, or one within its authority); refused otherwise. */
    TokenInfo requireMayRevoke(Principal by, String tokenId, Origin origin) {
        TokenInfo token = get(tokenId);
        if (!token.id().equals(by.tokenId())) {
            requireAuthority(by, token.owner(), token.project(), token.permissions(), "revoke a token", origin);
        }
        return token;
    }

    /** Local operator (and scheduled drills): revokes one token. */
    void revoke(String tokenId, String reason, String actor, Origin origin) {
        revoke(List.of(get(tokenId)), actor, reason, origin);
    }

    /** The tokens {@code by} may manage (its own, or everyone's for a global admin), within its scope. */
    List<TokenInfo> visibleTo(Principal by, Origin origin) {
        if (!by.managesCredentials()) {
            requireAuthority(by, by.userName(), by.tokenProject(), by.tokenPermissions(), "list tokens", origin);
        }
        return list().stream()
                .filter(t ->
                        by.cannotManage(t.owner(), t.project(), t.permissions()).isEmpty())
                .toList();
    }

    List<TokenInfo> list() {
        return database.withHandle(tokens::list);
    }

    /** Active tokens matching every criterion given, revoked in one transaction. */
    List<TokenInfo> revokeMatching(RevocationCriteria criteria, String reason, String actor, Origin origin) {
        Instant now = clock.instant();
        List<TokenInfo> chosen = list().stream()
                .filter(t -> t.status(now) == TokenInfo.Status.ACTIVE)
                .filter(t -> criteria.olderThan() == null || t.createdAt().isBefore(now.minus(criteria.olderThan())))
                .filter(t -> criteria.unusedFor() == null
                        || (t.lastUsedAt() == null ? t.createdAt() : t.lastUsedAt())
                                .isBefore(now.minus(criteria.unusedFor())))
                .filter(t -> criteria.project() == null || criteria.project().equals(t.project()))
                .toList();
        return revoke(chosen, actor, reason, origin);
    }

    private void requireAuthority(
            Principal by, String owner, String project, Set<Permission> permissions, String action, Origin origin) {
        Optional<String> why = by.cannotManage(owner, project, permissions);
        if (why.isPresent()) {
            events.appendCounted(
                    new Event(
                            "IdentityActionRefused",
                            by.actor(),
                            project,
                            by.userName(),
                            origin,
                            Map.of("action", action, "reason", why.get())),
                    by.actor());
            throw new Refusal.Forbidden(why.get());
        }
    }

    private TokenInfo get(String tokenId) {
        return database.withHandle(h -> tokens.find(h, tokenId))
                .map(TokenRepository.Stored::info)
                .orElseThrow(() -> new Refusal.NotFound("no token " + tokenId));
    }

    private void requireActive(TokenInfo old) {
        if (old.status(clock.instant()) != TokenInfo.Status.ACTIVE) {
            throw new Refusal.Invalid("token " + old.id() + " is "
                    + old.status(clock.instant()).name().toLowerCase(java.util.Locale.ROOT)
                    + "; only active tokens rotate");
        }
    }

    private IssuedToken rotate(TokenInfo old, Duration overlap, String actor, Origin origin) {
        requireActive(old);
        Duration grace = overlap == null ? settings.rotationOverlap() : overlap;
        if (grace.isNegative() || grace.compareTo(settings.maxTokenLifetime()) > 0) {
            throw new Refusal.Invalid("rotation overlap must be between 0 and the maximum token lifetime");
        }
        Duration lifetime = Duration.between(old.createdAt(), old.expiresAt());
        TokenRequest successor = new TokenRequest(
                old.owner(),
                old.name(),
                old.project(),
                old.permissions(),
                lifetime.compareTo(settings.maxTokenLifetime()) > 0 ? settings.maxTokenLifetime() : lifetime);
        IssuedToken issued = issue(successor, old.id(), actor, origin);
        database.inTransaction(h -> {
            Instant until = clock.instant().plus(grace);
            tokens.expireAt(h, old.id(), until);
            events.append(
                    h,
                    new Event(
                            "TokenRotated",
                            actor,
                            old.project(),
                            "token " + old.id(),
                            origin,
                            Map.of("successor", issued.info().id(), "old_token_works_until", until.toString())));
            return null;
        });
        return issued;
    }

    private List<TokenInfo> revoke(List<TokenInfo> chosen, String actor, String reason, Origin origin) {
        String why = reason == null || reason.isBlank() ? "revoked" : reason;
        return database.inTransaction(h -> {
            List<TokenInfo> revoked = new ArrayList<>();
            for (TokenInfo token : chosen) {
                if (tokens.revoke(h, token.id(), clock.instant(), actor, why)) {
                    events.append(
                            h,
                            new Event(
                                    "TokenRevoked",
                                    actor,
                                    token.project(),
                                    "token " + token.id(),
                                    origin,
                                    Map.of("owner", token.owner(), "reason", why)));
                    revoked.add(tokens.find(h, token.id()).orElseThrow().info());
                }
            }
            return revoked;
        });
    }

    private IssuedToken issue(TokenRequest request, String rotatedFrom, String actor, Origin origin) {
        Duration lifetime = request.lifetime() == null ? settings.defaultTokenLifetime() : request.lifetime();
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new Refusal.Invalid("token lifetime must be positive");
        }
        if (lifetime.compareTo(settings.maxTokenLifetime()) > 0) {
            throw new Refusal.Invalid("token lifetime " + lifetime.toDays() + " days exceeds this server's maximum of "
                    + settings.maxTokenLifetime().toDays() + " days");
        }
        return database.inTransaction(h -> {
            User owner = users.find(h, request.owner())
                    .orElseThrow(() -> new Refusal.NotFound("no user '" + request.owner() + "'"))
                    .user();
            if (owner.disabled()) {
                throw new Refusal.Forbidden("user '" + owner.name() + "' is disabled");
            }
            Set<Permission> allowed = EnumSet.noneOf(Permission.class);
            owner.grants().stream()
                    .filter(g -> request.project() == null || g.covers(request.project()))
                    .forEach(g -> allowed.addAll(g.role().permissions()));
            if (!allowed.containsAll(request.permissions())) {
                throw new Refusal.Forbidden("the roles of " + owner.name()
                        + (request.project() == null ? "" : " on " + request.project()) + " (" + owner.grants()
                        + ") do not allow permissions " + Permission.format(request.permissions()));
            }
            String secret = format.generate(TokenFormat.Kind.USER);
            TokenFormat.Parsed parsed = TokenFormat.parse(secret).orElseThrow();
            Instant now = clock.instant();
            tokens.insert(
                    h,
                    parsed,
                    owner.id(),
                    request.name(),
                    Sha256.hex(secret),
                    request.project(),
                    Permission.format(request.permissions()),
                    now,
                    now.plus(lifetime),
                    rotatedFrom);
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("owner", owner.name());
            details.put("permissions", Permission.format(request.permissions()));
            details.put("expires", now.plus(lifetime).toString());
            if (rotatedFrom != null) {
                details.put("rotated_from", rotatedFrom);
            }
            events.append(
                    h, new Event("TokenCreated", actor, request.project(), "token " + parsed.id(), origin, details));
            return new IssuedToken(
                    secret, tokens.find(h, parsed.id()).orElseThrow().info());
        });
    }

    /** Housekeeping: revokes tokens unused for the idle limit and warns (once) about those about to expire. */
    void housekeeping(List<String> disabled, List<String> expiring) {
        Instant now = clock.instant();
        database.inTransaction(h -> {
            for (TokenInfo t : tokens.idleSince(h, now, now.minus(settings.tokenIdleLimit()))) {
                String why = "unused for " + settings.tokenIdleLimit().toDays() + " days";
                if (tokens.revoke(h, t.id(), now, "housekeeping", why)) {
                    events.append(
                            h,
                            new Event(
                                    "TokenDisabled",
                                    "housekeeping",
                                    t.project(),
                                    "token " + t.id(),
                                    Origin.LOCAL,
                                    Map.of("owner", t.owner(), "reason", why)));
                    disabled.add(t.id());
                }
            }
            for (TokenInfo t : tokens.expiringUnwarned(h, now, now.plus(settings.expiryWarning()))) {
                tokens.markExpiryWarned(h, t.id(), now);
                events.append(
                        h,
                        new Event(
                                "TokenExpiring",
                                "housekeeping",
                                t.project(),
                                "token " + t.id(),
                                Origin.LOCAL,
                                Map.of(
                                        "owner",
                                        t.owner(),
                                        "expires",
                                        t.expiresAt().toString())));
                expiring.add(t.id());
            }
            return null;
        });
    }
}
