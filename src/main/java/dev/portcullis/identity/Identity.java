package dev.portcullis.identity;

import dev.portcullis.store.Database;
import dev.portcullis.watch.Event;
import dev.portcullis.watch.EventLog;
import dev.portcullis.watch.Origin;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** Entry point of the identity feature: users, tokens and authentication. */
public final class Identity {

  /** A hash that no token can have, compared against when the id is unknown (constant work). */
  private static final byte[] NO_TOKEN = new byte[32];

  private final Database database;
  private final EventLog events;
  private final Clock clock;
  private final TokenFormat format;
  private final TokenSettings settings;

  public Identity(
      Database database, EventLog events, Clock clock, TokenFormat format, TokenSettings settings) {
    this.database = database;
    this.events = events;
    this.clock = clock;
    this.format = format;
    this.settings = settings;
  }

  public boolean hasUsers() {
    return database.withHandle(
        h -> h.createQuery("SELECT COUNT(*) FROM users").mapTo(Long.class).one() > 0);
  }

  public User addUser(String name, Role role, String actor) {
    if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
      throw new IdentityException(
          "user names are 1-100 characters: letters, digits, '.', '_' and '-'");
    }
    return database.inTransaction(
        h -> {
          if (findUser(h, name).isPresent()) {
            throw new IdentityException("user '" + name + "' already exists");
          }
          h.createUpdate("INSERT INTO users (name, role, created_at) VALUES (:n, :r, :t)")
              .bind("n", name)
              .bind("r", role.wireName())
              .bind("t", clock.millis())
              .execute();
          events.append(
              h,
              new Event("UserAdded", actor, null, name, Origin.LOCAL, Map.of("role", role.wireName())));
          return findUser(h, name).orElseThrow();
        });
  }

  public Optional<User> findUser(String name) {
    return database.withHandle(h -> findUser(h, name));
  }

  /**
   * Creates a user API token. {@code request.project()} must already be a normalized project name
   * (PEP 503) or {@code null} for all projects.
   */
  public IssuedToken createToken(TokenRequest request, String actor) {
    Duration lifetime =
        request.lifetime() == null ? settings.defaultLifetime() : request.lifetime();
    if (lifetime.isNegative() || lifetime.isZero()) {
      throw new IdentityException("token lifetime must be positive");
    }
    if (lifetime.compareTo(settings.maxLifetime()) > 0) {
      throw new IdentityException(
          "token lifetime "
              + lifetime.toDays()
              + " days exceeds this server's maximum of "
              + settings.maxLifetime().toDays()
              + " days");
    }
    return database.inTransaction(
        h -> {
          User owner =
              findUser(h, request.owner())
                  .orElseThrow(() -> new IdentityException("no user '" + request.owner() + "'"));
          if (owner.disabled()) {
            throw new IdentityException("user '" + owner.name() + "' is disabled");
          }
          if (!owner.role().allows(request.permissions())) {
            throw new IdentityException(
                "role "
                    + owner.role().wireName()
                    + " does not allow permissions "
                    + Permission.format(request.permissions()));
          }
          String secret = format.generate(TokenFormat.Kind.USER);
          TokenFormat.Parsed parsed = TokenFormat.parse(secret).orElseThrow();
          Instant now = clock.instant();
          h.createUpdate(
                  "INSERT INTO api_tokens (id, kind, user_id, name, secret_hash, project,"
                      + " permissions, created_at, expires_at) VALUES (:id, :kind, :user, :name,"
                      + " :hash, :project, :perms, :created, :expires)")
              .bind("id", parsed.id())
              .bind("kind", parsed.kind().name())
              .bind("user", owner.id())
              .bind("name", request.name())
              .bind("hash", HexFormat.of().formatHex(sha256(secret)))
              .bind("project", request.project())
              .bind("perms", Permission.format(request.permissions()))
              .bind("created", now.toEpochMilli())
              .bind("expires", now.plus(lifetime).toEpochMilli())
              .execute();
          events.append(
              h,
              new Event(
                  "TokenCreated",
                  actor,
                  request.project(),
                  "token " + parsed.id(),
                  Origin.LOCAL,
                  Map.of(
                      "owner", owner.name(),
                      "permissions", Permission.format(request.permissions()),
                      "expires", now.plus(lifetime).toString())));
          return new IssuedToken(secret, findToken(h, parsed.id()).orElseThrow());
        });
  }

  public List<TokenInfo> listTokens() {
    return database.withHandle(
        h ->
            h.createQuery(TOKEN_SELECT + " ORDER BY t.created_at")
                .map((rs, ctx) -> tokenInfo(rs))
                .list());
  }

  /**
   * Checks a presented token. The format and checksum are checked before the database is asked;
   * the secret hash is compared in constant time. Every refusal is recorded as an event.
   */
  public Authentication authenticate(String presented, Origin origin) {
    Optional<TokenFormat.Parsed> parsed = TokenFormat.parse(presented);
    if (parsed.isEmpty()) {
      return refuse(null, "malformed token", origin);
    }
    String id = parsed.get().id();
    Optional<StoredToken> stored = database.withHandle(h -> findStored(h, id));
    byte[] expected = stored.map(StoredToken::hash).orElse(NO_TOKEN);
    boolean matches = MessageDigest.isEqual(expected, sha256(presented));
    if (stored.isEmpty() || !matches) {
      return refuse(id, "unknown token", origin);
    }
    StoredToken token = stored.get();
    Instant now = clock.instant();
    if (token.info().revokedAt() != null) {
      return refuse(id, "token has been revoked", origin);
    }
    if (!now.isBefore(token.info().expiresAt())) {
      return refuse(id, "token expired at " + token.info().expiresAt(), origin);
    }
    if (token.owner().disabled()) {
      return refuse(id, "the token's owner is disabled", origin);
    }
    database.inTransaction(
        h ->
            h.createUpdate(
                    "UPDATE api_tokens SET last_used_at = :t, last_used_ip = :ip,"
                        + " last_used_agent = :ua WHERE id = :id")
                .bind("t", now.toEpochMilli())
                .bind("ip", origin.ip())
                .bind("ua", origin.userAgent())
                .bind("id", id)
                .execute());
    TokenInfo info = token.info();
    return new Authentication.Authenticated(
        new Principal(
            token.owner().id(),
            token.owner().name(),
            token.owner().role(),
            id,
            info.project(),
            info.permissions()));
  }

  private Authentication refuse(String tokenId, String reason, Origin origin) {
    events.append(
        new Event(
            "AuthenticationFailed",
            tokenId == null ? null : "token " + tokenId,
            null,
            null,
            origin,
            Map.of("reason", reason)));
    return new Authentication.Refused(reason);
  }

  private record StoredToken(TokenInfo info, byte[] hash, User owner) {}

  private static final String TOKEN_SELECT =
      "SELECT t.*, u.name AS owner_name, u.role AS owner_role, u.created_at AS owner_created,"
          + " u.disabled_at AS owner_disabled FROM api_tokens t JOIN users u ON u.id = t.user_id";

  private Optional<StoredToken> findStored(Handle h, String id) {
    return h.createQuery(TOKEN_SELECT + " WHERE t.id = :id")
        .bind("id", id)
        .map(
            (rs, ctx) ->
                new StoredToken(
                    tokenInfo(rs),
                    HexFormat.of().parseHex(rs.getString("secret_hash")),
                    new User(
                        rs.getLong("user_id"),
                        rs.getString("owner_name"),
                        Role.parse(rs.getString("owner_role")),
                        Instant.ofEpochMilli(rs.getLong("owner_created")),
                        instant(rs, "owner_disabled"))))
        .findOne();
  }

  private Optional<TokenInfo> findToken(Handle h, String id) {
    return findStored(h, id).map(StoredToken::info);
  }

  private static TokenInfo tokenInfo(ResultSet rs) throws SQLException {
    return new TokenInfo(
        rs.getString("id"),
        TokenFormat.Kind.valueOf(rs.getString("kind")),
        rs.getString("owner_name"),
        rs.getString("name"),
        rs.getString("project"),
        Permission.parseList(rs.getString("permissions")),
        Instant.ofEpochMilli(rs.getLong("created_at")),
        Instant.ofEpochMilli(rs.getLong("expires_at")),
        instant(rs, "last_used_at"),
        instant(rs, "revoked_at"));
  }

  private static Optional<User> findUser(Handle h, String name) {
    return h.createQuery("SELECT * FROM users WHERE name = :n")
        .bind("n", name)
        .map(
            (rs, ctx) ->
                new User(
                    rs.getLong("id"),
                    rs.getString("name"),
                    Role.parse(rs.getString("role")),
                    Instant.ofEpochMilli(rs.getLong("created_at")),
                    instant(rs, "disabled_at")))
        .findOne();
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    long value = rs.getLong(column);
    return rs.wasNull() ? null : Instant.ofEpochMilli(value);
  }

  private static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
