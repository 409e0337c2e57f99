package dev.portcullis.identity;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.portcullis.core.Origin;
import dev.portcullis.core.Refusal;
import dev.portcullis.events.AlertSink;
import dev.portcullis.events.Event;
import dev.portcullis.events.EventLog;
import dev.portcullis.store.Database;
import dev.portcullis.store.Sha256;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Trusted publishing (PyPI's protocol, docs/TRUSTED-PUBLISHING.md): projects register the CI
 * identities that may publish them; a CI job exchanges its OIDC token for a {@code pcl_p_} upload
 * token that covers those projects, carries the job's identity, and dies after 15 minutes. No
 * stored publishing secret exists at all.
 */
public final class TrustedPublishing {

    /** A registered publisher. */
    private final java.util.function.Predicate<String> openDrillSandboxes;

    public record Registered(
            long id, String project, TrustedPublisher publisher, Instant createdAt, String createdBy) {}

    /** The outcome of an exchange, in PyPI's shapes. */
    public sealed interface MintResult {}

    public record Minted(String token, Instant expires, List<String> projects) implements MintResult {
        @Override
        public String toString() {
            return "Minted[" + projects + " until " + expires + "]";
        }
    }

    public record Failed(String code, String description) implements MintResult {}

    /** Whether long-lived user tokens may upload to a project. */
    public enum TokenUploads {
        ALLOW,
        DENY
    }

    /** Claims copied into the release record and events (never the token itself). */
    private static final List<String> RECORDED_CLAIMS = List.of(
            "sub",
            "repository",
            "repository_owner",
            "repository_owner_id",
            "job_workflow_ref",
            "workflow_ref",
            "ref",
            "sha",
            "run_id",
            "run_attempt",
            "environment",
            "event_name",
            "project_path",
            "ci_config_ref_uri",
            "ref_path",
            "pipeline_id",
            "email");

    private static final ObjectMapper JSON =
            new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private final Database database;
    private final EventLog events;
    private final Clock clock;
    private final TokenFormat format;
    private final OidcSettings settings;
    private final Identity identity;
    private final AlertSink alerts;
    private final OidcVerifier verifier;

    /** {@code openDrillSandboxes}: whether a project is an open drill sandbox, whose drill identities the exchange trusts (the catalog answers). */
    public TrustedPublishing(
            Database database,
            EventLog events,
            Clock clock,
            SecureRandom random,
            OidcSettings settings,
            Identity identity,
            AlertSink alerts,
            DrillIssuer drillIssuer,
            dev.portcullis.net.GuardedHttp http,
            java.util.function.Predicate<String> openDrillSandboxes) {
        this.openDrillSandboxes = openDrillSandboxes;
        this.database = database;
        this.events = events;
        this.clock = clock;
        this.format = new TokenFormat(random);
        this.settings = settings;
        this.identity = identity;
        this.alerts = alerts;
        this.verifier = new OidcVerifier(clock, settings, Map.of(DrillIssuer.ISSUER, drillIssuer::publicKeys), http);
    }

    public OidcSettings settings() {
        return settings;
    }

    // ---------------------------------------------------------------- configuration

    /** Registers a publisher for a project: the project's owner (or a global admin) with a fresh second factor. */
    public Registered add(Principal by, String otp, String project, TrustedPublisher publisher, Origin origin) {
        requireProjectAdmin(by, project, "add a trusted publisher", origin);
        String issuer = publisher.issuer(settings);
        if (DrillIssuer.ISSUER.equals(issuer)) {
            throw new Refusal.Invalid(DrillIssuer.ISSUER + " is the drill issuer; only drill sandboxes trust it");
        }
        boolean builtIn = issuer.equals(settings.githubIssuer())
                || issuer.equals(settings.gitlabIssuer())
                || issuer.equals(settings.googleIssuer());
        if (!builtIn && !by.canEverywhere(Permission.ADMIN)) {
            // The server fetches discovery documents and keys from an issuer URL: only a global admin names a new one.
            events.appendCounted(
                    new Event(
                            "IdentityActionRefused",
                            by.actor(),
                            project,
                            by.userName(),
                            origin,
                            Map.of(
                                    "action",
                                    "add a trusted publisher",
                                    "reason",
                                    "a custom issuer needs a global admin")),
                    by.actor());
            throw new Refusal.Forbidden("only a global admin may register a publisher with its own issuer (" + issuer
                    + "); project owners use the built-in GitHub, GitLab.com and Google issuers");
        }
        identity.requireSecondFactor(by, otp, "add a trusted publisher to " + project, origin);
        return register(project, publisher, by.actor(), origin);
    }

    /**
     * A drill sandbox's publisher (docs/DRILLS.md): the drill issuer, for one sandbox project, with
     * no second factor — the sandbox service checked its caller, and the identity works nowhere else.
     */
    public Registered addDrillPublisher(String project, Map<String, String> claims, String actor, Origin origin) {
        return register(project, new TrustedPublisher.Generic(DrillIssuer.ISSUER, null, claims), actor, origin);
    }

    /**
     * A drill sandbox's provenance publisher (docs/DRILLS.md): a GitHub publisher whose owner id is 0,
     * which GitHub never issues, so no real token or certificate can be this publisher; its
     * attestations come from the drill Sigstore, trusted for open sandboxes only.
     */
    public Registered addDrillProvenancePublisher(
            String project, String owner, String workflow, BuildRules rules, String actor, Origin origin) {
        if (!openDrillSandboxes.test(project)) {
            throw new Refusal.Forbidden(project + " is not an open drill sandbox");
        }
        return register(
                project, new TrustedPublisher.GitHub(owner, "0", project, workflow, null, rules), actor, origin);
    }

    /** Whether {@code project} is an open drill sandbox (whose drill identities and drill provenance are trusted). */
    public boolean isOpenDrillSandbox(String project) {
        return openDrillSandboxes.test(project);
    }

    private Registered register(String project, TrustedPublisher publisher, String actor, Origin origin) {
        return database.inTransaction(h -> {
            h.createUpdate("INSERT INTO trusted_publishers (project, kind, issuer, config, created_at, created_by)"
                            + " VALUES (:p, :k, :i, :c, :t, :by)")
                    .bind("p", project)
                    .bind("k", publisher.kind())
                    .bind("i", publisher.issuer(settings))
                    .bind("c", json(publisher.config()))
                    .bind("t", clock.millis())
                    .bind("by", actor)
                    .execute();
            long id = h.createQuery("SELECT MAX(id) FROM trusted_publishers WHERE project = :p")
                    .bind("p", project)
                    .mapTo(Long.class)
                    .one();
            events.append(
                    h,
                    new Event(
                            "TrustedPublisherAdded",
                            actor,
                            project,
                            publisher.describe(),
                            origin,
                            Map.of("publisher_id", id, "kind", publisher.kind(), "config", publisher.config())));
            return new Registered(id, project, publisher, clock.instant(), actor);
        });
    }

    /** The projects (keys) that have at least one trusted publisher. */
    public java.util.Set<String> projectsWithPublishers() {
        return java.util.Set.copyOf(database.withHandle(
                h -> h.createQuery("SELECT DISTINCT project FROM trusted_publishers WHERE removed_at IS NULL")
                        .mapTo(String.class)
                        .list()));
    }

    /** Inside the caller's transaction: removes every publisher of {@code project} (a drill sandbox closing). */
    public void removeAll(org.jdbi.v3.core.Handle h, String project, Instant at, String actor) {
        h.createUpdate(
                        "UPDATE trusted_publishers SET removed_at = :t, removed_by = :by WHERE project = :p AND removed_at IS NULL")
                .bind("t", at.toEpochMilli())
                .bind("by", actor)
                .bind("p", project)
                .execute();
    }

    public void remove(Principal by, String otp, String project, long id, Origin origin) {
        requireProjectAdmin(by, project, "remove a trusted publisher", origin);
        identity.requireSecondFactor(by, otp, "remove a trusted publisher from " + project, origin);
        database.inTransaction(h -> {
            int removed = h.createUpdate("UPDATE trusted_publishers SET removed_at = :t, removed_by = :by"
                            + " WHERE id = :id AND project = :p AND removed_at IS NULL")
                    .bind("t", clock.millis())
                    .bind("by", by.actor())
                    .bind("id", id)
                    .bind("p", project)
                    .execute();
            if (removed == 0) {
                throw new Refusal.NotFound("project " + project + " has no trusted publisher " + id);
            }
            events.append(
                    h, new Event("TrustedPublisherRemoved", by.actor(), project, "publisher " + id, origin, Map.of()));
            return null;
        });
    }

    public List<Registered> list(String project) {
        return database.withHandle(h -> h.createQuery("SELECT * FROM trusted_publishers WHERE removed_at IS NULL"
                        + (project == null ? "" : " AND project = :p") + " ORDER BY id")
                .bindMap(project == null ? Map.of() : Map.of("p", project))
                .map((rs, ctx) -> new Registered(
                        rs.getLong("id"),
                        rs.getString("project"),
                        TrustedPublisher.fromConfig(rs.getString("kind"), config(rs.getString("config"))),
                        Instant.ofEpochMilli(rs.getLong("created_at")),
                        rs.getString("created_by")))
                .list());
    }

    /** Sets whether long-lived tokens may upload to the project (owner or admin, fresh second factor). */
    public void setTokenUploads(Principal by, String otp, String project, TokenUploads mode, Origin origin) {
        requireProjectAdmin(by, project, "change who may upload", origin);
        identity.requireSecondFactor(by, otp, "change who may upload to " + project, origin);
        applyTokenUploads(project, mode, by.actor());
    }

    /**
     * Records the token-upload rule decided by an authorized policy change (the gate's {@code
     * Policies}, which has already checked the owner and the second factor).
     */
    public void applyTokenUploads(String project, TokenUploads mode, String actor) {
        database.inTransaction(h -> {
            h.createUpdate("DELETE FROM token_upload_rules WHERE project = :p")
                    .bind("p", project)
                    .execute();
            h.createUpdate(
                            "INSERT INTO token_upload_rules (project, mode, updated_at, updated_by) VALUES (:p, :m, :t, :by)")
                    .bind("p", project)
                    .bind("m", mode.name().toLowerCase(java.util.Locale.ROOT))
                    .bind("t", clock.millis())
                    .bind("by", actor)
                    .execute();
            events.append(
                    h,
                    new Event(
                            "TokenUploadRuleChanged",
                            actor,
                            project,
                            project,
                            Origin.LOCAL,
                            Map.of("mode", mode.name().toLowerCase(java.util.Locale.ROOT))));
            return null;
        });
    }

    public TokenUploads tokenUploads(String project) {
        return database.withHandle(h -> h.createQuery("SELECT mode FROM token_upload_rules WHERE project = :p")
                        .bind("p", project)
                        .mapTo(String.class)
                        .findOne())
                .map(m -> TokenUploads.valueOf(m.toUpperCase(java.util.Locale.ROOT)))
                .orElse(TokenUploads.ALLOW);
    }

    /**
     * The upload-time rule: a long-lived token uploading to a project that has a trusted publisher
     * is a high-severity signal (an event and an alert) — the lightning pattern — and is refused
     * when the project denies token uploads. Returns the refusal message, if refused.
     */
    public Optional<String> checkUpload(Principal principal, String project, Origin origin) {
        if (principal.isTrustedPublisher() || list(project).isEmpty()) {
            return Optional.empty();
        }
        boolean denied = tokenUploads(project) == TokenUploads.DENY;
        String message = "a long-lived token (" + principal.actor() + ") uploaded to '" + project
                + "', which publishes through a trusted publisher"
                + (denied ? "; refused: the project accepts only its trusted publishers" : "");
        events.append(new Event(
                "TokenUploadToTrustedProject",
                principal.actor(),
                project,
                project,
                origin,
                Map.of("severity", "high", "refused", denied, "message", message)));
        alerts.raise(new AlertSink.Alert(
                "TokenUploadToTrustedProject",
                dev.portcullis.events.AlertLevel.HIGH,
                project,
                project,
                "a long-lived token uploaded to " + project + ", which publishes through a trusted publisher",
                message,
                Map.of("actor", principal.actor(), "refused", denied),
                List.of(),
                List.of()));
        return denied
                ? Optional.of("Project '" + project
                        + "' accepts uploads only from its trusted publishers, not from API tokens.")
                : Optional.empty();
    }

    // ---------------------------------------------------------------- the exchange

    /** PyPI's {@code POST /_/oidc/mint-token}: a CI OIDC token in, a short-lived upload token out. */
    public MintResult exchange(String jwt, Origin origin) {
        return exchange(jwt, settings.audience(), null, origin);
    }

    /**
     * npm's exchange ({@code POST /-/npm/v1/oidc/token/exchange/package/<name>}): the token must be
     * for {@code audience} ({@code npm:<this registry's host>}) and its publisher one of {@code
     * project}'s; the upload token minted covers that project only. A generic publisher keeps the
     * audience it was registered with.
     */
    public MintResult exchangeForProject(String jwt, String audience, String project, Origin origin) {
        return exchange(jwt, audience, project, origin);
    }

    private MintResult exchange(String jwt, String audience, String project, Origin origin) {
        if (!settings.enabled()) {
            return failed("not-enabled", "Trusted publishing functionality not enabled", null, origin);
        }
        List<Registered> publishers = list(project);
        java.util.function.Function<Registered, String> audienceOf =
                r -> r.publisher() instanceof TrustedPublisher.Generic
                        ? r.publisher().audience(settings)
                        : audience;
        Map<String, Set<String>> audiences = new HashMap<>();
        for (String builtIn : List.of(settings.githubIssuer(), settings.gitlabIssuer(), settings.googleIssuer())) {
            audiences.computeIfAbsent(builtIn, k -> new HashSet<>()).add(audience);
        }
        for (Registered r : publishers) {
            audiences
                    .computeIfAbsent(r.publisher().issuer(settings), k -> new HashSet<>())
                    .add(audienceOf.apply(r));
        }
        OidcVerifier.Result verified = verifier.verify(jwt, audiences);
        if (verified instanceof OidcVerifier.Rejected rejected) {
            return failed(rejected.code(), rejected.description(), null, origin);
        }
        OidcVerifier.Verified token = (OidcVerifier.Verified) verified;
        Map<String, Object> claims = token.claims();
        String presented = token.audience();
        List<Registered> matched = new ArrayList<>();
        String why = "no publisher is registered for issuer " + token.issuer();
        for (Registered r : publishers) {
            if (!r.publisher().issuer(settings).equals(token.issuer())
                    || !audienceOf.apply(r).equals(presented)) {
                continue;
            }
            Optional<String> mismatch = r.publisher().mismatch(claims);
            if (mismatch.isEmpty()) {
                matched.add(r);
            } else if (matched.isEmpty()) {
                why = mismatch.get();
            }
        }
        if (DrillIssuer.ISSUER.equals(token.issuer())) {
            // Defence in depth: the drill identity publishes to open drill sandboxes and nothing else.
            matched.removeIf(r -> !openDrillSandbox(r.project()));
            why = "the drill issuer is trusted only for open drill sandboxes";
        }
        if (matched.isEmpty()) {
            return failed(
                    "invalid-publisher", "valid token, but no corresponding publisher (" + why + ")", claims, origin);
        }
        Object jti = claims.get("jti");
        boolean needsJti = matched.stream()
                .anyMatch(r -> r.publisher() instanceof TrustedPublisher.GitHub
                        || r.publisher() instanceof TrustedPublisher.GitLab);
        if (jti == null && needsJti) {
            return failed("invalid-token", "malformed or invalid token: jti is required", claims, origin);
        }
        return mint(token, matched, jti == null ? null : String.valueOf(jti), claims, origin);
    }

    private boolean openDrillSandbox(String project) {
        return openDrillSandboxes.test(project);
    }

    /** A request that is not even {@code {"token": "..."}}: refused (an event), or not-enabled. */
    public MintResult refuseRequest(String description, Origin origin) {
        return settings.enabled()
                ? failed("invalid-payload", description, null, origin)
                : failed("not-enabled", "Trusted publishing functionality not enabled", null, origin);
    }

    private MintResult mint(
            OidcVerifier.Verified token,
            List<Registered> matched,
            String jti,
            Map<String, Object> claims,
            Origin origin) {
        Registered first = matched.getFirst();
        List<String> projects =
                matched.stream().map(Registered::project).distinct().sorted().toList();
        Map<String, String> recorded = new TreeMap<>();
        for (String name : RECORDED_CLAIMS) {
            if (claims.get(name) != null) {
                recorded.put(name, String.valueOf(claims.get(name)));
            }
        }
        PublisherIdentity who = new PublisherIdentity(
                first.id(), first.publisher().kind(), first.publisher().describe(), recorded);
        String secret = format.generate(TokenFormat.Kind.PUBLISH);
        TokenFormat.Parsed parsed = TokenFormat.parse(secret).orElseThrow();
        Instant now = clock.instant();
        Instant expires = now.plus(settings.tokenLifetime());
        try {
            database.inTransaction(h -> {
                if (jti != null) {
                    // Single use, decided by the database: a replay fails here on every process.
                    h.createUpdate("INSERT INTO oidc_jti (issuer, jti, expires_at) VALUES (:i, :j, :e)")
                            .bind("i", token.issuer())
                            .bind("j", jti)
                            .bind(
                                    "e",
                                    token.expiresAt().plus(OidcSettings.LEEWAY).toEpochMilli())
                            .execute();
                }
                identity.publishTokens().insert(h, parsed, Sha256.hex(secret), first.id(), projects, who, now, expires);
                Map<String, Object> details = new LinkedHashMap<>(recorded);
                details.put("projects", projects);
                details.put("publisher", who.description());
                details.put("expires", expires.toString());
                for (String project : projects) {
                    events.append(
                            h,
                            new Event(
                                    "PublishTokenMinted",
                                    who.description(),
                                    project,
                                    "token " + parsed.id(),
                                    origin,
                                    details));
                }
                return null;
            });
        } catch (RuntimeException e) {
            if (Database.isUniqueViolation(e)) {
                return failed("invalid-reuse-token", "invalid token: already used", claims, origin);
            }
            throw e;
        }
        return new Minted(secret, expires, projects);
    }

    private MintResult failed(String code, String description, Map<String, Object> claims, Origin origin) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("code", code);
        details.put("description", description);
        if (claims != null) {
            for (String name : RECORDED_CLAIMS) {
                if (claims.get(name) != null) {
                    details.put(name, String.valueOf(claims.get(name)));
                }
            }
        }
        // Counted: anyone can post tokens to the exchange.
        events.appendCounted(
                new Event("PublishTokenRefused", null, null, code, origin, details), origin.ip() + " " + code);
        return new Failed(code, description);
    }

    /** Forgets used JWT ids and publish tokens well past expiry. */
    public int housekeeping() {
        long now = clock.millis();
        return database.inTransaction(h -> h.createUpdate("DELETE FROM oidc_jti WHERE expires_at < :now")
                        .bind("now", now)
                        .execute()
                + identity.publishTokens().purge(h));
    }

    private void requireProjectAdmin(Principal by, String project, String action, Origin origin) {
        if (!by.can(Permission.ADMIN, project)) {
            events.appendCounted(
                    new Event(
                            "IdentityActionRefused",
                            by.actor(),
                            project,
                            by.userName(),
                            origin,
                            Map.of("action", action, "reason", "needs the project's owner or a global admin")),
                    by.actor());
            throw new Refusal.Forbidden("only the owner of '" + project + "' or a global admin may " + action);
        }
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> config(String json) {
        try {
            return JSON.readValue(json, new TypeReference<LinkedHashMap<String, String>>() {});
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored publisher config is unreadable", e);
        }
    }
}
