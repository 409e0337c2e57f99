package dev.portcullis.identity;

import dev.portcullis.identity.IdentityException.Reason;
import dev.portcullis.store.Database;
import dev.portcullis.store.SecretBox;
import dev.portcullis.store.Sha256;
import dev.portcullis.watch.AlertSink;
import dev.portcullis.watch.Event;
import dev.portcullis.watch.EventLog;
import dev.portcullis.watch.Origin;
import java.security.MessageDigest;
import java.security.SecureRandom;
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
import org.jdbi.v3.core.Handle;

/**
 * Entry point of the identity feature: users and roles, API tokens and their life cycle,
 * authentication with brute-force limits, and the second factor (TOTP) that every sensitive action
 * needs in addition to a token.
 *
 * <p>Two kinds of caller: a {@link Principal} over the API, who must hold the right role and pass
 * a fresh second factor for anything that grants power (tokens, roles, users); and the local
 * operator (the {@code admin} commands, which need the data directory and so the machine), whose
 * actions are recorded as such.
 */
public final class Identity {

  /** A hash no token has, compared against when the id is unknown, so the work is the same. */
  private static final byte[] NO_TOKEN = new byte[32];

  private final Database database;
  private final EventLog events;
  private final Clock clock;
  private final TokenFormat format;
  private final IdentitySettings settings;
  private final AlertSink alerts;
  private final UserRepository users = new UserRepository();
  private final TokenRepository tokens = new TokenRepository();
  private final SecondFactor secondFactor;
  private final PublishTokenStore publishTokens;

  public Identity(Database database, EventLog events, Clock clock, SecureRandom random, SecretBox secrets,
      IdentitySettings settings, AlertSink alerts) {
    this.database = database;
    this.events = events;
    this.clock = clock;
    this.format = new TokenFormat(random);
    this.settings = settings;
    this.alerts = alerts;
    this.secondFactor = new SecondFactor(database, users, events, clock, secrets, random, settings);
    this.publishTokens = new PublishTokenStore(database, clock);
  }

  PublishTokenStore publishTokens() {
    return publishTokens;
  }

  public IdentitySettings settings() {
    return settings;
  }

  // ---------------------------------------------------------------- users and roles

  public boolean hasUsers() {
    return database.withHandle(users::any);
  }

  public Optional<User> findUser(String name) {
    return database.withHandle(h -> users.find(h, name)).map(UserRepository.Row::user);
  }

  public List<User> listUsers() {
    return database.withHandle(users::list);
  }

  /** Local operator: adds a user with one role. */
  public User addUser(String name, RoleGrant grant, String actor) {
    if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
      throw new IdentityException("user names are 1-100 characters: letters, digits, '.', '_' and '-'");
    }
    return database.inTransaction(h -> {
      if (users.find(h, name).isPresent()) {
        throw new IdentityException("user '" + name + "' already exists");
      }
      users.insert(h, name, clock.instant());
      long id = users.find(h, name).orElseThrow().user().id();
      users.grant(h, id, grant, clock.instant(), actor);
      events.append(h, new Event("UserAdded", actor, projectOf(grant), name, Origin.LOCAL, Map.of("role", grant.toString())));
      return users.find(h, id).orElseThrow().user();
    });
  }

  /** API: a global admin adds a user, with a fresh second factor. */
  public User addUser(Principal by, String otp, String name, RoleGrant grant, Origin origin) {
    requireGlobalAdmin(by, "add users", origin);
    secondFactor.verify(by, otp, "add a user", origin);
    return addUser(name, grant, by.actor());
  }

  /**
   * Grants a role. Global admins grant anything; a project owner grants project roles other than
   * owner on their own project. Needs a fresh second factor.
   */
  public User grantRole(Principal by, String otp, String userName, RoleGrant grant, Origin origin) {
    requireRoleAuthority(by, grant, origin);
    secondFactor.verify(by, otp, "change roles", origin);
    return grantRole(userName, grant, by.actor(), origin);
  }

  /** Local operator (and drill sandboxes): grants a role without a second factor. */
  public User grantRole(String userName, RoleGrant grant, String actor, Origin origin) {
    return database.inTransaction(h -> {
      User user = users.find(h, userName).orElseThrow(() -> notFound(userName)).user();
      if (users.grant(h, user.id(), grant, clock.instant(), actor)) {
        events.append(h, new Event("RoleGranted", actor, projectOf(grant), userName, origin, Map.of("role", grant.toString())));
      }
      return users.find(h, user.id()).orElseThrow().user();
    });
  }

  public User revokeRole(Principal by, String otp, String userName, RoleGrant grant, Origin origin) {
    requireRoleAuthority(by, grant, origin);
    secondFactor.verify(by, otp, "change roles", origin);
    return database.inTransaction(h -> {
      User user = users.find(h, userName).orElseThrow(() -> notFound(userName)).user();
      if (users.revoke(h, user.id(), grant)) {
        events.append(h, new Event("RoleRevoked", by.actor(), projectOf(grant), userName, origin, Map.of("role", grant.toString())));
      }
      return users.find(h, user.id()).orElseThrow().user();
    });
  }

  /** Local operator: re-enables a disabled account (e.g. the last admin). */
  public User enableUser(String name, String actor, Origin origin) {
    return database.inTransaction(h -> {
      User user = users.find(h, name).orElseThrow(() -> notFound(name)).user();
      if (!users.enable(h, user.id(), clock.instant())) {
        throw new IdentityException("user '" + name + "' is not disabled");
      }
      events.append(h, new Event("UserEnabled", actor, null, name, origin, Map.of()));
      return users.find(h, user.id()).orElseThrow().user();
    });
  }

  /** API: a global admin re-enables an account, with a fresh second factor. */
  public User enableUser(Principal by, String otp, String name, Origin origin) {
    requireGlobalAdmin(by, "re-enable users", origin);
    secondFactor.verify(by, otp, "re-enable a user", origin);
    return enableUser(name, by.actor(), origin);
  }

  // ---------------------------------------------------------------- tokens

  /** Local operator: creates a token for any user (bootstrap and break-glass). */
  public IssuedToken createToken(TokenRequest request, String actor) {
    return issue(request, null, actor, Origin.LOCAL);
  }

  /**
   * API: creates a token for the caller (or, for a global admin, for another user), with a fresh
   * second factor. An upload token can never create tokens: this needs the owner's step-up.
   */
  public IssuedToken createToken(Principal by, String otp, TokenRequest request, Origin origin) {
    requireNoEscalation(by, request, origin);
    if (!request.owner().equals(by.userName())) {
      requireGlobalAdmin(by, "create tokens for other users", origin);
    }
    secondFactor.verify(by, otp, "create a token", origin);
    return issue(request, null, by.actor(), origin);
  }

  /**
   * No token creates a token with more power than itself: a trusted publisher's minted token
   * creates none, and a token without the admin permission only ones with a subset of its
   * permissions on (at most) its own project. Checked before the second factor, so a stolen upload
   * token learns nothing about the owner's MFA.
   */
  private void requireNoEscalation(Principal by, TokenRequest request, Origin origin) {
    String why = null;
    if (by.isTrustedPublisher()) {
      why = "a trusted publisher's short-lived upload token cannot create tokens";
    } else if (!by.tokenPermissions().contains(Permission.ADMIN)
        && (!by.tokenPermissions().containsAll(request.permissions())
            || (by.tokenProject() != null && !by.tokenProject().equals(request.project())))) {
      why = "this token (" + Permission.format(by.tokenPermissions()) + (by.tokenProject() == null ? "" : " on " + by.tokenProject())
          + ") cannot create a token with more power than itself (" + Permission.format(request.permissions())
          + (request.project() == null ? " on every project" : " on " + request.project()) + ")";
    }
    if (why != null) {
      events.append(new Event("IdentityActionRefused", by.actor(), request.project(), by.userName(), origin,
          Map.of("action", "create a token", "reason", why)));
      throw new IdentityException(Reason.FORBIDDEN, why);
    }
  }

  /**
   * Issues a successor with the same owner, scope and permissions, and lets the old token work
   * only for {@code overlap} more (default: the server's rotation overlap). Both are events.
   */
  public IssuedToken rotateToken(Principal by, String otp, String tokenId, Duration overlap, Origin origin) {
    TokenInfo old = database.withHandle(h -> tokens.find(h, tokenId)).map(TokenRepository.Stored::info)
        .orElseThrow(() -> new IdentityException(Reason.NOT_FOUND, "no token " + tokenId));
    requireOwnerOrAdmin(by, old, "rotate a token", origin);
    requireActive(old);
    secondFactor.verify(by, otp, "rotate a token", origin);
    return rotateToken(old, overlap, by.actor(), origin);
  }

  /** Local operator (and drill sandboxes): rotates an active token without a second factor. */
  public IssuedToken rotateToken(String tokenId, Duration overlap, String actor, Origin origin) {
    TokenInfo old = database.withHandle(h -> tokens.find(h, tokenId)).map(TokenRepository.Stored::info)
        .orElseThrow(() -> new IdentityException(Reason.NOT_FOUND, "no token " + tokenId));
    return rotateToken(old, overlap, actor, origin);
  }

  private void requireActive(TokenInfo old) {
    if (old.status(clock.instant()) != TokenInfo.Status.ACTIVE) {
      throw new IdentityException("token " + old.id() + " is " + old.status(clock.instant()).name().toLowerCase() + "; only active tokens rotate");
    }
  }

  private IssuedToken rotateToken(TokenInfo old, Duration overlap, String actor, Origin origin) {
    requireActive(old);
    Duration grace = overlap == null ? settings.rotationOverlap() : overlap;
    if (grace.isNegative() || grace.compareTo(settings.maxTokenLifetime()) > 0) {
      throw new IdentityException("rotation overlap must be between 0 and the maximum token lifetime");
    }
    Duration lifetime = Duration.between(old.createdAt(), old.expiresAt());
    TokenRequest successor = new TokenRequest(old.owner(), old.name(), old.project(), old.permissions(),
        lifetime.compareTo(settings.maxTokenLifetime()) > 0 ? settings.maxTokenLifetime() : lifetime);
    IssuedToken issued = issue(successor, old.id(), actor, origin);
    database.inTransaction(h -> {
      Instant until = clock.instant().plus(grace);
      tokens.expireAt(h, old.id(), until);
      events.append(h, new Event("TokenRotated", actor, old.project(), "token " + old.id(), origin,
          Map.of("successor", issued.info().id(), "old_token_works_until", until.toString())));
      return null;
    });
    return issued;
  }

  /** Revokes one token: its owner may (no second factor needed to give up power), or an admin. */
  public TokenInfo revokeToken(Principal by, String tokenId, String reason, Origin origin) {
    TokenInfo token = database.withHandle(h -> tokens.find(h, tokenId)).map(TokenRepository.Stored::info)
        .orElseThrow(() -> new IdentityException(Reason.NOT_FOUND, "no token " + tokenId));
    requireOwnerOrAdmin(by, token, "revoke a token", origin);
    return revoke(List.of(token), by.actor(), reason, origin).stream().findFirst()
        .orElseThrow(() -> new IdentityException("token " + tokenId + " is already revoked"));
  }

  /** Local operator (and scheduled drills): revokes one token. */
  public void revokeToken(String tokenId, String reason, String actor, Origin origin) {
    TokenInfo token = database.withHandle(h -> tokens.find(h, tokenId)).map(TokenRepository.Stored::info)
        .orElseThrow(() -> new IdentityException(Reason.NOT_FOUND, "no token " + tokenId));
    revoke(List.of(token), actor, reason, origin);
  }

  /** Bulk revocation by a global admin, with a fresh second factor. */
  public List<TokenInfo> revokeTokens(Principal by, String otp, RevocationCriteria criteria, String reason, Origin origin) {
    requireGlobalAdmin(by, "revoke tokens in bulk", origin);
    secondFactor.verify(by, otp, "revoke tokens in bulk", origin);
    return revokeTokens(criteria, reason, by.actor(), origin);
  }

  /** Local operator: bulk revocation. */
  public List<TokenInfo> revokeTokens(RevocationCriteria criteria, String reason, String actor, Origin origin) {
    Instant now = clock.instant();
    List<TokenInfo> chosen = listTokens().stream()
        .filter(t -> t.status(now) == TokenInfo.Status.ACTIVE)
        .filter(t -> criteria.olderThan() == null || t.createdAt().isBefore(now.minus(criteria.olderThan())))
        .filter(t -> criteria.unusedFor() == null
            || (t.lastUsedAt() == null ? t.createdAt() : t.lastUsedAt()).isBefore(now.minus(criteria.unusedFor())))
        .filter(t -> criteria.project() == null || criteria.project().equals(t.project()))
        .toList();
    return revoke(chosen, actor, reason, origin);
  }

  public List<TokenInfo> listTokens() {
    return database.withHandle(tokens::list);
  }

  private List<TokenInfo> revoke(List<TokenInfo> chosen, String actor, String reason, Origin origin) {
    String why = reason == null || reason.isBlank() ? "revoked" : reason;
    return database.inTransaction(h -> {
      List<TokenInfo> revoked = new ArrayList<>();
      for (TokenInfo token : chosen) {
        if (tokens.revoke(h, token.id(), clock.instant(), actor, why)) {
          events.append(h, new Event("TokenRevoked", actor, token.project(), "token " + token.id(), origin,
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
      throw new IdentityException("token lifetime must be positive");
    }
    if (lifetime.compareTo(settings.maxTokenLifetime()) > 0) {
      throw new IdentityException("token lifetime " + lifetime.toDays() + " days exceeds this server's maximum of "
          + settings.maxTokenLifetime().toDays() + " days");
    }
    return database.inTransaction(h -> {
      User owner = users.find(h, request.owner()).orElseThrow(() -> notFound(request.owner())).user();
      if (owner.disabled()) {
        throw new IdentityException(Reason.FORBIDDEN, "user '" + owner.name() + "' is disabled");
      }
      Set<Permission> allowed = EnumSet.noneOf(Permission.class);
      owner.grants().stream()
          .filter(g -> request.project() == null || g.covers(request.project()))
          .forEach(g -> allowed.addAll(g.role().permissions()));
      if (!allowed.containsAll(request.permissions())) {
        throw new IdentityException(Reason.FORBIDDEN, "the roles of " + owner.name()
            + (request.project() == null ? "" : " on " + request.project()) + " (" + owner.grants()
            + ") do not allow permissions " + Permission.format(request.permissions()));
      }
      String secret = format.generate(TokenFormat.Kind.USER);
      TokenFormat.Parsed parsed = TokenFormat.parse(secret).orElseThrow();
      Instant now = clock.instant();
      tokens.insert(h, parsed, owner.id(), request.name(), Sha256.hex(secret), request.project(),
          Permission.format(request.permissions()), now, now.plus(lifetime), rotatedFrom);
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("owner", owner.name());
      details.put("permissions", Permission.format(request.permissions()));
      details.put("expires", now.plus(lifetime).toString());
      if (rotatedFrom != null) {
        details.put("rotated_from", rotatedFrom);
      }
      events.append(h, new Event("TokenCreated", actor, request.project(), "token " + parsed.id(), origin, details));
      return new IssuedToken(secret, tokens.find(h, parsed.id()).orElseThrow().info());
    });
  }

  // ---------------------------------------------------------------- second factor

  public MfaEnrollment enrollMfa(Principal principal, String otp, Origin origin) {
    return secondFactor.enroll(principal, otp, origin);
  }

  /** Confirms enrolment; returns ten single-use recovery codes, shown once. */
  public List<String> confirmMfa(Principal principal, String otp, Origin origin) {
    return secondFactor.confirm(principal, otp, origin);
  }

  /** Step-up for {@code action}: throws {@link IdentityException} unless {@code otp} is fresh. */
  public void requireSecondFactor(Principal principal, String otp, String action, Origin origin) {
    secondFactor.verify(principal, otp, action, origin);
  }

  // ---------------------------------------------------------------- authentication

  /**
   * Checks a presented token. Refused without a look-up: requests from an address, or naming a
   * token id, with too many recent failures; a malformed token or a bad checksum. Then the hash
   * is compared in constant time, and expiry, revocation and the owner's state are checked. Every
   * refusal is an event.
   */
  public Authentication authenticate(String presented, Origin origin) {
    Instant now = clock.instant();
    Instant since = now.minus(settings.throttleWindow());
    if (origin.ip() != null && recentFailures("source_ip", origin.ip(), since) >= settings.maxFailuresPerAddress()) {
      return throttle("address " + origin.ip(), origin);
    }
    Optional<TokenFormat.Parsed> parsed = TokenFormat.parse(presented);
    if (parsed.isEmpty()) {
      return refuse(null, "malformed token", origin, since);
    }
    String id = parsed.get().id();
    if (recentFailures("actor", "token " + id, since) >= settings.maxFailuresPerToken()) {
      return throttle("token " + id, origin);
    }
    if (parsed.get().kind() == TokenFormat.Kind.PUBLISH) {
      StringBuilder refusal = new StringBuilder();
      Optional<Principal> publisher = publishTokens.authenticate(parsed.get(), Sha256.of(presented), origin, refusal);
      return publisher.<Authentication>map(Authentication.Authenticated::new)
          .orElseGet(() -> refuse(id, refusal.toString(), origin, since));
    }
    Optional<TokenRepository.Stored> stored = database.withHandle(h -> tokens.find(h, id));
    byte[] expected = stored.map(TokenRepository.Stored::hash).orElse(NO_TOKEN);
    boolean matches = MessageDigest.isEqual(expected, Sha256.of(presented));
    if (stored.isEmpty() || !matches) {
      return refuse(id, "unknown token", origin, since);
    }
    TokenInfo token = stored.get().info();
    if (token.revokedAt() != null) {
      return refuse(id, "token was revoked (" + token.revokedReason() + ")", origin, since);
    }
    if (!now.isBefore(token.expiresAt())) {
      return refuse(id, "token expired at " + token.expiresAt(), origin, since);
    }
    User owner = database.withHandle(h -> users.find(h, stored.get().userId())).orElseThrow().user();
    if (owner.disabled()) {
      return refuse(id, "the token's owner is disabled (" + owner.disabledReason() + ")", origin, since);
    }
    database.inTransaction(h -> {
      tokens.touch(h, id, now, origin.ip(), origin.userAgent());
      users.touch(h, owner.id(), now);
      return null;
    });
    return new Authentication.Authenticated(
        new Principal(owner.id(), owner.name(), id, token.project(), token.permissions(), owner.grants()));
  }

  private long recentFailures(String column, String value, Instant since) {
    return database.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM events WHERE kind = 'AuthenticationFailed' AND "
            + column + " = :v AND occurred_at > :since")
        .bind("v", value).bind("since", since.toEpochMilli()).mapTo(Long.class).one());
  }

  private Authentication refuse(String tokenId, String reason, Origin origin, Instant since) {
    events.append(new Event("AuthenticationFailed", tokenId == null ? null : "token " + tokenId, null, null, origin,
        Map.of("reason", reason)));
    if (origin.ip() != null && recentFailures("source_ip", origin.ip(), since) == settings.maxFailuresPerAddress()) {
      alerts.raise(new AlertSink.Alert("AuthenticationBurst", "address " + origin.ip(),
          settings.maxFailuresPerAddress() + " failed authentications within " + settings.throttleWindow().toMinutes()
              + " minutes; further attempts from this address are refused"));
    }
    return new Authentication.Refused(reason);
  }

  private Authentication throttle(String what, Origin origin) {
    events.append(new Event("AuthenticationThrottled", null, null, what, origin, Map.of()));
    return new Authentication.Throttled("too many failed authentication attempts for " + what
        + "; try again in " + settings.throttleWindow().toMinutes() + " minutes");
  }

  // ---------------------------------------------------------------- housekeeping

  /**
   * One pass of the credential policy: disables (revokes) tokens unused for the idle limit,
   * records a warning event for tokens about to expire, disables inactive accounts. Idempotent.
   */
  public HousekeepingReport housekeeping() {
    Instant now = clock.instant();
    return database.inTransaction(h -> {
      List<String> disabledTokens = new ArrayList<>();
      for (TokenInfo t : tokens.idleSince(h, now, now.minus(settings.tokenIdleLimit()))) {
        String why = "unused for " + settings.tokenIdleLimit().toDays() + " days";
        if (tokens.revoke(h, t.id(), now, "housekeeping", why)) {
          events.append(h, new Event("TokenDisabled", "housekeeping", t.project(), "token " + t.id(), Origin.LOCAL,
              Map.of("owner", t.owner(), "reason", why)));
          disabledTokens.add(t.id());
        }
      }
      List<String> expiring = new ArrayList<>();
      for (TokenInfo t : tokens.expiringUnwarned(h, now, now.plus(settings.expiryWarning()))) {
        tokens.markExpiryWarned(h, t.id(), now);
        events.append(h, new Event("TokenExpiring", "housekeeping", t.project(), "token " + t.id(), Origin.LOCAL,
            Map.of("owner", t.owner(), "expires", t.expiresAt().toString())));
        expiring.add(t.id());
      }
      List<String> disabledUsers = new ArrayList<>();
      for (User u : users.idleSince(h, now.minus(settings.accountIdleLimit()))) {
        String why = "inactive for " + settings.accountIdleLimit().toDays() + " days";
        if (users.disable(h, u.id(), now, why)) {
          events.append(h, new Event("UserDisabled", "housekeeping", null, u.name(), Origin.LOCAL, Map.of("reason", why)));
          disabledUsers.add(u.name());
        }
      }
      return new HousekeepingReport(disabledTokens, expiring, disabledUsers);
    });
  }

  // ---------------------------------------------------------------- helpers

  private void requireGlobalAdmin(Principal by, String action, Origin origin) {
    if (!by.canEverywhere(Permission.ADMIN)) {
      throw forbidden(by, action, "only a global admin may " + action, origin);
    }
  }

  private void requireOwnerOrAdmin(Principal by, TokenInfo token, String action, Origin origin) {
    if (!token.owner().equals(by.userName()) && !by.canEverywhere(Permission.ADMIN)) {
      throw forbidden(by, action, "token " + token.id() + " belongs to another user", origin);
    }
  }

  private void requireRoleAuthority(Principal by, RoleGrant grant, Origin origin) {
    boolean global = by.canEverywhere(Permission.ADMIN);
    boolean projectOwner = !grant.project().equals(RoleGrant.EVERY_PROJECT)
        && grant.role() != Role.OWNER
        && by.can(Permission.ADMIN, grant.project());
    if (!global && !projectOwner) {
      throw forbidden(by, "change roles", "only a global admin, or the project's owner for project roles,"
          + " may grant or revoke " + grant, origin);
    }
  }

  /** Records a refused identity action (an event) and returns the exception to throw. */
  private IdentityException forbidden(Principal by, String action, String why, Origin origin) {
    events.append(new Event("IdentityActionRefused", by.actor(), null, by.userName(), origin,
        Map.of("action", action, "reason", why)));
    return new IdentityException(Reason.FORBIDDEN, why);
  }

  private static String projectOf(RoleGrant grant) {
    return grant.project().equals(RoleGrant.EVERY_PROJECT) ? null : grant.project();
  }

  private static IdentityException notFound(String user) {
    return new IdentityException(Reason.NOT_FOUND, "no user '" + user + "'");
  }

}
