package dev.portcullis.identity.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.portcullis.core.Refusal;
import dev.portcullis.http.ErrorStyle;
import dev.portcullis.http.Exchange;
import dev.portcullis.http.HttpRouter;
import dev.portcullis.http.Routes;
import dev.portcullis.identity.ApiAuthenticator;
import dev.portcullis.identity.EnrolmentTicket;
import dev.portcullis.identity.Identity;
import dev.portcullis.identity.IssuedToken;
import dev.portcullis.identity.MfaEnrollment;
import dev.portcullis.identity.NewUser;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Principal;
import dev.portcullis.identity.ProjectNames;
import dev.portcullis.identity.RevocationCriteria;
import dev.portcullis.identity.Role;
import dev.portcullis.identity.RoleGrant;
import dev.portcullis.identity.TokenInfo;
import dev.portcullis.identity.TokenRequest;
import dev.portcullis.identity.User;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Tokens, users, roles and MFA under {@code /api/v1} (docs/API.md). Parsing only; rules live in Identity. */
public final class IdentityRoutes implements Routes {

    private static final int MAX_BODY = 16 * 1024;

    /** One body shape for every request here; each endpoint reads the fields it needs. */
    public record Body(
            String otp,
            String name,
            String user,
            String project,
            String role,
            String permissions,
            String expires,
            String overlap,
            String reason,
            String ticket,
            @JsonProperty("older_than") String olderThan,
            @JsonProperty("unused_for") String unusedFor) {}

    private final ApiAuthenticator auth;
    private final Identity identity;
    private final Clock clock;

    private final ProjectNames projectNames;

    public IdentityRoutes(ApiAuthenticator auth, Identity identity, Clock clock, ProjectNames projectNames) {
        this.projectNames = projectNames;
        this.auth = auth;
        this.identity = identity;
        this.clock = clock;
    }

    @Override
    public void register(HttpRouter router) {
        router.get("/api/v1/tokens", ErrorStyle.JSON, this::listTokens)
                .post("/api/v1/tokens", ErrorStyle.JSON, this::createToken)
                .post("/api/v1/tokens/revoke", ErrorStyle.JSON, this::revokeTokens)
                .post("/api/v1/tokens/{id}/rotate", ErrorStyle.JSON, this::rotateToken)
                .post("/api/v1/tokens/{id}/revoke", ErrorStyle.JSON, this::revokeToken)
                .post("/api/v1/mfa/enroll", ErrorStyle.JSON, this::enrollMfa)
                .post("/api/v1/mfa/confirm", ErrorStyle.JSON, this::confirmMfa)
                .get("/api/v1/users", ErrorStyle.JSON, this::listUsers)
                .post("/api/v1/users", ErrorStyle.JSON, this::addUser)
                .post("/api/v1/users/{name}/roles", ErrorStyle.JSON, this::grantRole)
                .post("/api/v1/users/{name}/roles/revoke", ErrorStyle.JSON, this::revokeRole)
                .post("/api/v1/users/{name}/enable", ErrorStyle.JSON, this::enableUser)
                .post("/api/v1/users/{name}/reset-mfa", ErrorStyle.JSON, this::resetMfa);
    }

    public void listTokens(Exchange exchange) {
        Principal principal = auth.require(exchange);
        List<Map<String, Object>> out = identity.listTokens(principal, exchange.origin()).stream()
                .map(t -> token(t, clock.instant()))
                .toList();
        exchange.json(Map.of("tokens", out));
    }

    public void createToken(Exchange exchange) {
        Principal principal = auth.require(exchange);
        Body body = exchange.jsonBody(Body.class, MAX_BODY);
        TokenRequest request;
        request = new TokenRequest(
                body.user() == null ? principal.userName() : body.user(),
                body.name(),
                project(body.project()),
                Permission.parseList(required(body.permissions(), "permissions")),
                body.expires() == null ? null : duration(body.expires()));
        IssuedToken issued = identity.createToken(principal, body.otp(), request, exchange.origin());
        exchange.status(201).json(issued(issued));
    }

    public void rotateToken(Exchange exchange) {
        Principal principal = auth.require(exchange);
        Body body = exchange.jsonBody(Body.class, MAX_BODY);
        IssuedToken issued = identity.rotateToken(
                principal,
                body.otp(),
                exchange.pathParam("id"),
                body.overlap() == null ? null : duration(body.overlap()),
                exchange.origin());
        exchange.status(201).json(issued(issued));
    }

    public void revokeToken(Exchange exchange) {
        Principal principal = auth.require(exchange);
        Body body = exchange.jsonBody(Body.class, MAX_BODY);
        TokenInfo revoked = identity.revokeToken(principal, exchange.pathParam("id"), body.reason(), exchange.origin());
        exchange.json(token(revoked, clock.instant()));
    }

    public void revokeTokens(Exchange exchange) {
        Principal principal = auth.require(exchange);
        Body body = exchange.jsonBody(Body.class, MAX_BODY);
        RevocationCriteria criteria;
        criteria = new RevocationCriteria(
                body.olderThan() == null ? null : duration(body.olderThan()),
                body.unusedFor() == null ? null : duration(body.unusedFor()),
                project(body.project()));
        List<TokenInfo> revoked =
                identity.revokeTokens(principal, body.otp(), criteria, body.reason(), exchange.origin());
        exchange.json(Map.of(
                "revoked", revoked.stream().map(t -> token(t, clock.instant())).toList()));
    }

    /** Enrolment needs the ticket an admin issued, not a token: no API token can enrol a factor. */
    public void enrollMfa(Exchange exchange) {
        Body body = exchange.jsonBody(Body.class, MAX_BODY);
        MfaEnrollment enrollment = identity.enrollMfa(required(body.ticket(), "ticket"), exchange.origin());
        exchange.json(Map.of(
                "secret",
                enrollment.secret(),
                "uri",
                enrollment.uri(),
                "next",
                "confirm with a code from your authenticator: portcullis mfa confirm --ticket TICKET --otp CODE"));
    }

    public void confirmMfa(Exchange exchange) {
        Body body = exchange.jsonBody(Body.class, MAX_BODY);
        List<String> codes = identity.confirmMfa(required(body.ticket(), "ticket"), body.otp(), exchange.origin());
        exchange.json(Map.of("recovery_codes", codes));
    }

    public void addUser(Exchange exchange) {
        Principal principal = auth.require(exchange);
        Body body = exchange.jsonBody(Body.class, MAX_BODY);
        NewUser added =
                identity.addUser(principal, body.otp(), required(body.name(), "name"), grant(body), exchange.origin());
        Map<String, Object> out = user(added.user());
        out.put("enrolment_ticket", ticket(added.ticket()));
        exchange.status(201).json(out);
    }

    /** A global admin removes another user's second factor; the answer carries the new enrolment ticket. */
    public void resetMfa(Exchange exchange) {
        Principal principal = auth.require(exchange);
        Body body = exchange.jsonBody(Body.class, MAX_BODY);
        EnrolmentTicket ticket =
                identity.resetSecondFactor(principal, body.otp(), exchange.pathParam("name"), exchange.origin());
        exchange.json(Map.of("user", ticket.user(), "enrolment_ticket", ticket(ticket)));
    }

    private static Map<String, Object> ticket(EnrolmentTicket ticket) {
        return Map.of(
                "ticket",
                ticket.secret(),
                "expires_at",
                ticket.expires().toString(),
                "next",
                "give it to " + ticket.user()
                        + ": portcullis mfa enroll --ticket TICKET, then portcullis mfa confirm --ticket TICKET --otp CODE");
    }

    public void grantRole(Exchange exchange) {
        Principal principal = auth.require(exchange);
        Body body = exchange.jsonBody(Body.class, MAX_BODY);
        exchange.json(user(
                identity.grantRole(principal, body.otp(), exchange.pathParam("name"), grant(body), exchange.origin())));
    }

    public void revokeRole(Exchange exchange) {
        Principal principal = auth.require(exchange);
        Body body = exchange.jsonBody(Body.class, MAX_BODY);
        exchange.json(user(identity.revokeRole(
                principal, body.otp(), exchange.pathParam("name"), grant(body), exchange.origin())));
    }

    public void enableUser(Exchange exchange) {
        Principal principal = auth.require(exchange);
        Body body = exchange.jsonBody(Body.class, MAX_BODY);
        exchange.json(user(identity.enableUser(principal, body.otp(), exchange.pathParam("name"), exchange.origin())));
    }

    public void listUsers(Exchange exchange) {
        Principal principal = auth.require(exchange);
        if (!principal.canEverywhere(Permission.READ)) {
            throw new Refusal.Forbidden("Forbidden: listing users needs a global read role (admin or auditor).");
        }
        exchange.json(Map.of(
                "users", identity.listUsers().stream().map(IdentityRoutes::user).toList()));
    }

    private RoleGrant grant(Body body) {
        String project = project(body.project());
        return new RoleGrant(
                project == null ? RoleGrant.EVERY_PROJECT : project, Role.parse(required(body.role(), "role")));
    }

    private String project(String name) {
        return name == null || name.isBlank() ? null : projectNames.normalize(name);
    }

    private static String required(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new Refusal.Invalid("'" + field + "' is required.");
        }
        return value;
    }

    /** ISO-8601 ({@code P30D}) or the CLI's short form ({@code 30d}, {@code 12h}, {@code 90m}). */
    static Duration duration(String text) {
        try {
            if (text.startsWith("P") || text.startsWith("p")) {
                return Duration.parse(text);
            }
            long n = Long.parseLong(text.substring(0, text.length() - 1));
            return switch (text.charAt(text.length() - 1)) {
                case 'd' -> Duration.ofDays(n);
                case 'h' -> Duration.ofHours(n);
                case 'm' -> Duration.ofMinutes(n);
                case 's' -> Duration.ofSeconds(n);
                default -> throw new IllegalArgumentException();
            };
        } catch (RuntimeException e) {
            throw new Refusal.Invalid("'" + text + "' is not a duration (30d, 12h, 90m, or ISO-8601 like P30D).");
        }
    }

    private Map<String, Object> issued(IssuedToken issued) {
        Map<String, Object> out = token(issued.info(), clock.instant());
        out.put("token", issued.secret());
        return out;
    }

    static Map<String, Object> token(TokenInfo t, Instant now) {
        return t.asMap(now);
    }

    static Map<String, Object> user(User u) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", u.name());
        out.put("roles", u.grants().stream().map(RoleGrant::toString).toList());
        out.put("mfa", u.mfaEnabled());
        out.put("created_at", u.createdAt().toString());
        out.put(
                "last_active_at",
                u.lastActiveAt() == null ? null : u.lastActiveAt().toString());
        out.put("disabled_at", u.disabledAt() == null ? null : u.disabledAt().toString());
        out.put("disabled_reason", u.disabledReason());
        return out;
    }
}
