package dev.portcullis.web;

import dev.portcullis.core.Origin;
import dev.portcullis.core.Refusal;
import dev.portcullis.gate.Decision;
import dev.portcullis.gate.ReleaseGate;
import dev.portcullis.http.ErrorStyle;
import dev.portcullis.http.Exchange;
import dev.portcullis.http.Html;
import dev.portcullis.http.HttpRouter;
import dev.portcullis.http.Routes;
import dev.portcullis.identity.Principal;
import dev.portcullis.identity.StepUp;
import dev.portcullis.identity.WebSessions;
import dev.portcullis.identity.WebSignIn;
import dev.portcullis.inspect.InspectionService;
import dev.portcullis.publish.Artifact;
import dev.portcullis.publish.Catalog;
import dev.portcullis.publish.Release;
import dev.portcullis.publish.ReleaseState;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The approver's web page under {@code /ui/} (docs/WEB.md): sign-in, the queue, one release with
 * everything the decision rests on, and the decisions themselves, each with a fresh second factor.
 *
 * <p>Who may call what: every page but sign-in needs a session (cookie {@value #SESSION_COOKIE}:
 * {@code Secure}, {@code HttpOnly}, {@code SameSite=Lax}, host-only); a session can read and
 * approve at most what its sign-in could. Every state change is a POST carrying the session's
 * anti-forgery token, and is refused when the browser says it came from another site ({@code
 * Origin}, {@code Sec-Fetch-Site}). Every answer carries the page's security headers ({@link
 * Html#headers}); everything a package controls is escaped ({@link Html}).
 */
public final class WebRoutes implements Routes {

    static final String SESSION_COOKIE = "__Host-portcullis";
    static final String LOGIN_COOKIE = "__Host-portcullis-login";
    private static final int MAX_FORM = 64 * 1024;

    private final WebSignIn signIn;
    private final dev.portcullis.identity.Identity identity;
    private final KeyChallenges challenges;
    private final Catalog catalog;
    private final ReleaseGate gate;
    private final InspectionService inspection;
    private final Function<List<Long>, Map<Long, Map<String, Object>>> provenance;
    private final Clock clock;
    private final String baseUrl;
    private final Records records;
    private RecordPages.Integrity integrity;

    /**
     * What the record pages read: the event log, its verifier (run at most every {@link
     * #INTEGRITY_INTERVAL}: it reads the whole log), and the token audit.
     */
    public record Records(
            dev.portcullis.events.EventLog events,
            dev.portcullis.watch.EventLogIntegrity integrity,
            dev.portcullis.audit.TokenAudit tokens,
            dev.portcullis.watch.alert.AlertDispatcher alerts) {}

    static final java.time.Duration INTEGRITY_INTERVAL = java.time.Duration.ofMinutes(5);

    /** {@code baseUrl}: the server's public URL (for the provider's redirect URI), or null to use the request's Host. */
    public WebRoutes(
            WebSignIn signIn,
            dev.portcullis.identity.Identity identity,
            java.security.SecureRandom random,
            Catalog catalog,
            ReleaseGate gate,
            InspectionService inspection,
            Function<List<Long>, Map<Long, Map<String, Object>>> provenance,
            Clock clock,
            String baseUrl,
            Records records) {
        this.signIn = signIn;
        this.identity = identity;
        this.challenges = new KeyChallenges(random, clock);
        this.catalog = catalog;
        this.gate = gate;
        this.inspection = inspection;
        this.provenance = provenance;
        this.clock = clock;
        this.baseUrl = baseUrl;
        this.records = records;
    }

    @Override
    public void register(HttpRouter router) {
        router.get("/ui", ErrorStyle.HTML, ex -> ex.redirect(303, "/ui/"))
                .get("/ui/", ErrorStyle.HTML, this::queue)
                .get("/ui/static/{file}", ErrorStyle.HTML, this::staticFile)
                .get("/ui/sign-in", ErrorStyle.HTML, this::signInPage)
                .post("/ui/sign-in/token", ErrorStyle.HTML, this::signInWithToken)
                .get("/ui/sign-in/oidc", ErrorStyle.HTML, this::startProviderSignIn)
                .get("/ui/sign-in/oidc/callback", ErrorStyle.HTML, this::finishProviderSignIn)
                .post("/ui/sign-out", ErrorStyle.HTML, this::signOut)
                .post("/ui/sign-out-everywhere", ErrorStyle.HTML, this::signOutEverywhere)
                .get("/ui/releases/{project}/{version}", ErrorStyle.HTML, this::release)
                .post("/ui/releases/{project}/{version}/{action}", ErrorStyle.HTML, this::decide)
                .get("/ui/events", ErrorStyle.HTML, this::events)
                .get("/ui/tokens", ErrorStyle.HTML, this::tokens)
                .get("/ui/alerts", ErrorStyle.HTML, this::alerts)
                .get("/ui/projects/{project}/policy", ErrorStyle.HTML, this::policy)
                .post("/ui/tokens/revoke", ErrorStyle.HTML, this::revokeToken)
                .get("/ui/keys", ErrorStyle.HTML, this::keys)
                .post("/ui/keys/register", ErrorStyle.HTML, this::registerKey)
                .post("/ui/keys/remove", ErrorStyle.HTML, this::removeKey);
    }

    // ---------------------------------------------------------------- sessions

    /** The signed-in caller of a page: the session, its cookie secret, and what it may do now. */
    record Caller(WebSessions.Session session, String secret, Principal principal) {
        String csrf() {
            return WebSessions.csrfToken(secret);
        }
    }

    private Optional<Caller> caller(Exchange exchange) {
        String secret = exchange.cookie(SESSION_COOKIE);
        return signIn.sessions()
                .find(secret)
                .flatMap(session -> signIn.principal(session).map(p -> new Caller(session, secret, p)));
    }

    /** A page's caller, or a redirect to sign-in (empty). */
    private Optional<Caller> pageCaller(Exchange exchange) {
        Optional<Caller> caller = caller(exchange);
        if (caller.isEmpty()) {
            exchange.redirect(303, "/ui/sign-in");
        }
        return caller;
    }

    /**
     * A state change's caller: a live session, a same-site request, and the session's anti-forgery
     * token in the form. Returns the form's fields with it.
     */
    private Map.Entry<Caller, Map<String, String>> changeCaller(Exchange exchange) {
        requireSameSite(exchange);
        Caller caller = caller(exchange)
                .orElseThrow(() -> new Refusal.Unauthenticated("You are not signed in (or your session ended)."));
        Map<String, String> form = exchange.formBody(MAX_FORM);
        String sent = form.getOrDefault("csrf", "");
        if (!MessageDigest.isEqual(
                sent.getBytes(StandardCharsets.UTF_8), caller.csrf().getBytes(StandardCharsets.UTF_8))) {
            throw new Refusal.Forbidden(
                    "The form's anti-forgery token is missing or wrong; reload the page and try again.");
        }
        return Map.entry(caller, form);
    }

    /**
     * Refuses a POST the browser says another site started: {@code Sec-Fetch-Site} other than
     * same-origin or none, or an {@code Origin} naming another host.
     */
    private void requireSameSite(Exchange exchange) {
        String site = exchange.header("Sec-Fetch-Site");
        if (site != null && !site.equals("same-origin") && !site.equals("none")) {
            throw new Refusal.Forbidden("Refused: this form was sent from another site (" + site + ").");
        }
        String origin = exchange.header("Origin");
        if (origin != null) {
            String authority;
            try {
                authority = URI.create(origin).getRawAuthority();
            } catch (IllegalArgumentException e) {
                authority = null;
            }
            String expected = baseUrl != null ? URI.create(baseUrl).getRawAuthority() : exchange.header("Host");
            if (authority == null || !authority.equalsIgnoreCase(expected)) {
                throw new Refusal.Forbidden("Refused: this form was sent from another site (" + origin + ").");
            }
        }
    }

    private static String sessionCookie(String secret) {
        return SESSION_COOKIE + "=" + secret + "; Path=/; Secure; HttpOnly; SameSite=Lax";
    }

    private static String expired(String name) {
        return name + "=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0";
    }

    // ---------------------------------------------------------------- sign-in

    void signInPage(Exchange exchange) {
        Html.send(
                exchange,
                Pages.signIn(signIn.hasProvider(), exchange.query("ended").isPresent()));
    }

    void signInWithToken(Exchange exchange) {
        requireSameSite(exchange);
        Map<String, String> form = exchange.formBody(MAX_FORM);
        WebSessions.Opened opened = signIn.withToken(form.get("token"), exchange.origin());
        exchange.addSetCookie(sessionCookie(opened.secret()));
        exchange.redirect(303, "/ui/");
    }

    void startProviderSignIn(Exchange exchange) {
        WebSignIn.Redirect redirect = signIn.startProviderSignIn(callback(exchange));
        exchange.addSetCookie(LOGIN_COOKIE + "=" + redirect.login().secret()
                + "; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age="
                + WebSignIn.LOGIN_TIMEOUT.toSeconds());
        exchange.redirect(303, redirect.location().toString());
    }

    void finishProviderSignIn(Exchange exchange) {
        exchange.addSetCookie(expired(LOGIN_COOKIE));
        WebSessions.Opened opened = signIn.finishProviderSignIn(
                exchange.cookie(LOGIN_COOKIE),
                exchange.query("state").orElse(null),
                exchange.query("code").orElse(null),
                exchange.query("error").orElse(null),
                callback(exchange),
                exchange.origin());
        exchange.addSetCookie(sessionCookie(opened.secret()));
        exchange.redirect(303, "/ui/");
    }

    private URI callback(Exchange exchange) {
        String base = baseUrl != null ? baseUrl : "http://" + exchange.header("Host");
        return URI.create(base + "/ui/sign-in/oidc/callback");
    }

    void signOut(Exchange exchange) {
        Map.Entry<Caller, Map<String, String>> change = changeCaller(exchange);
        signIn.sessions().signOut(change.getKey().secret(), exchange.origin());
        exchange.addSetCookie(expired(SESSION_COOKIE));
        exchange.redirect(303, "/ui/sign-in?ended");
    }

    void signOutEverywhere(Exchange exchange) {
        Map.Entry<Caller, Map<String, String>> change = changeCaller(exchange);
        signIn.sessions().signOutEverywhere(change.getKey().session(), exchange.origin());
        exchange.addSetCookie(expired(SESSION_COOKIE));
        exchange.redirect(303, "/ui/sign-in?ended");
    }

    // ---------------------------------------------------------------- pages

    void queue(Exchange exchange) {
        Optional<Caller> caller = pageCaller(exchange);
        if (caller.isEmpty()) {
            return;
        }
        Principal principal = caller.get().principal();
        List<Pages.QueueEntry> entries = new ArrayList<>();
        for (ReleaseState state : List.of(ReleaseState.HELD, ReleaseState.QUARANTINED)) {
            for (Release release : catalog.releases(state)) {
                if (principal.maySee(release.project())) {
                    entries.add(new Pages.QueueEntry(
                            release,
                            gate.decisions(release).stream().findFirst().orElse(null),
                            gate.approvers(release).size(),
                            gate.policies().active(release.project()).approval()));
                }
            }
        }
        Html.send(exchange, Pages.queue(caller.get(), entries, clock.instant()));
    }

    void release(Exchange exchange) {
        Optional<Caller> caller = pageCaller(exchange);
        if (caller.isEmpty()) {
            return;
        }
        Release release = visibleRelease(caller.get().principal(), exchange);
        List<Artifact> files = catalog.artifactsOf(release.id());
        ReleasePage.View view = new ReleasePage.View(
                release,
                gate.decisions(release),
                gate.approvals(release),
                gate.policies().active(release.project()).approval(),
                files,
                provenance.apply(files.stream().map(Artifact::id).toList()),
                inspection.reports(release),
                exchange.query("done").orElse(null),
                exchange.query("all").isPresent(),
                keyPrompt(caller.get(), exchange),
                // Local users only: whom the provider's groups make approvers is known when they sign in.
                gate.whoCanStillApprove(release, identity.listUsers()));
        Html.send(exchange, ReleasePage.render(caller.get(), view));
    }

    /** The signed-in person's keys, for forms that ask one instead of a code. */
    private Pages.KeyPrompt keyPrompt(Caller caller, Exchange exchange) {
        return new Pages.KeyPrompt(
                identity.securityKeys().list(caller.principal().userId()).stream()
                        .map(dev.portcullis.identity.SecurityKeys.Key::id)
                        .toList(),
                URI.create(pageOrigin(exchange)).getHost(),
                challenges.nonce());
    }

    /** A code, or the key's answer to the challenge for {@code action} on {@code subject}. */
    private StepUp stepUp(Exchange exchange, Caller caller, Map<String, String> form, String action, String subject) {
        return blankToNull(form.get("key-credential")) == null
                ? StepUp.code(form.get("otp"))
                : keyAssertion(
                        exchange, form, KeyChallenges.action(caller.secret(), action, subject, form.get("nonce")));
    }

    private Release visibleRelease(Principal principal, Exchange exchange) {
        Release release = catalog.requireRelease(exchange.pathParam("project"), exchange.pathParam("version"));
        if (!principal.maySee(release.project())) {
            throw new Refusal.NotFound("No such release.");
        }
        return release;
    }

    /**
     * A decision from the release page: approve, reject, quarantine or unquarantine, with the
     * one-time code, and (for approvals) the digests of the files the page showed — so an approval
     * counts for exactly those bytes, and a file that arrived since makes it fail.
     */
    void decide(Exchange exchange) {
        Map.Entry<Caller, Map<String, String>> change = changeCaller(exchange);
        Principal principal = change.getKey().principal();
        Map<String, String> form = change.getValue();
        Release release = visibleRelease(principal, exchange);
        String otp = form.get("otp");
        String note = blankToNull(form.get("comment"));
        List<String> files = form.containsKey("files")
                ? Arrays.stream(form.get("files").split("\n"))
                        .filter(s -> !s.isBlank())
                        .toList()
                : List.of();
        Origin origin = exchange.origin();
        String project = release.project();
        String version = release.version();
        String action = exchange.pathParam("action");
        if (!List.of("approve", "unquarantine", "reject", "quarantine").contains(action)) {
            throw new Refusal.NotFound("No such decision.");
        }
        StepUp stepUp = blankToNull(form.get("key-credential")) == null
                ? StepUp.code(otp)
                : keyAssertion(
                        exchange,
                        form,
                        KeyChallenges.decision(
                                change.getKey().secret(), action, project, version, files, form.get("nonce")));
        Decision decision = switch (action) {
            case "approve" -> gate.approve(principal, stepUp, project, version, note, files, origin);
            case "unquarantine" -> gate.unquarantine(principal, stepUp, project, version, note, files, origin);
            case "reject" -> gate.reject(principal, stepUp, project, version, required(note), origin);
            default -> gate.quarantine(principal, stepUp, project, version, required(note), origin);
        };
        String done = switch (decision) {
            case Decision.Decided d -> d.release().state().wireName();
            case Decision.Pending p -> "counted";
            case Decision.AlreadyDecided a ->
                throw new Refusal.Conflict("Nothing changed: " + version + " of " + project + " — " + a.reason() + ".");
            case Decision.Forbidden f -> throw new Refusal.Forbidden("Forbidden: " + f.reason() + ".");
            case Decision.NotFound n -> throw new Refusal.NotFound("No release " + version + " of " + project + ".");
        };
        exchange.redirect(303, ReleasePage.href(release) + "?done=" + done);
    }

    /** The key's answer in a form, for the challenge the form's fields make. */
    private StepUp.Key keyAssertion(Exchange exchange, Map<String, String> form, byte[] challenge) {
        challenges.requireFresh(form.get("nonce"));
        String origin = pageOrigin(exchange);
        return new StepUp.Key(
                KeyChallenges.fromBase64url(form.get("key-credential"), "credential"),
                KeyChallenges.fromBase64url(form.get("key-client-data"), "client data"),
                KeyChallenges.fromBase64url(form.get("key-authenticator-data"), "authenticator data"),
                KeyChallenges.fromBase64url(form.get("key-signature"), "signature"),
                challenge,
                origin,
                URI.create(origin).getHost());
    }

    /**
     * The page's origin as the browser sees it (what WebAuthn signs): the configured public URL, or
     * the request's Host over http (https when a trusted proxy says so).
     */
    private String pageOrigin(Exchange exchange) {
        if (baseUrl != null) {
            URI base = URI.create(baseUrl);
            return base.getScheme() + "://" + base.getRawAuthority();
        }
        return (exchange.secure() ? "https" : "http") + "://" + exchange.header("Host");
    }

    // ---------------------------------------------------------------- records

    /**
     * The event timeline: everything for global readers (admin, auditor), a project's events for
     * its readers (token ids cut short, as on the API); with the log's integrity for global readers.
     */
    void events(Exchange exchange) {
        Optional<Caller> caller = pageCaller(exchange);
        if (caller.isEmpty()) {
            return;
        }
        Principal principal = caller.get().principal();
        RecordPages.EventFilter filter;
        try {
            filter = new RecordPages.EventFilter(
                    blankToNull(exchange.query("kind").orElse(null)),
                    blankToNull(exchange.query("project").orElse(null)),
                    blankToNull(exchange.query("actor").orElse(null)),
                    Math.max(0, exchange.query("after").map(Long::parseLong).orElse(0L)));
        } catch (NumberFormatException e) {
            throw new Refusal.Invalid("after is an event number");
        }
        boolean everything = principal.canEverywhere(dev.portcullis.identity.Permission.READ);
        if (filter.project() == null
                ? !everything
                : !principal.can(dev.portcullis.identity.Permission.READ, filter.project())) {
            throw new Refusal.Forbidden(
                    filter.project() == null
                            ? "All events need a global read role (admin or auditor); choose a project you may read."
                            : "You may not read the events of " + filter.project() + ".");
        }
        List<dev.portcullis.events.RecordedEvent> found = records.events()
                .query(new dev.portcullis.events.EventLog.Query(
                        filter.project(),
                        filter.kind(),
                        filter.actor(),
                        null,
                        null,
                        filter.after(),
                        RecordPages.EVENTS_PER_PAGE));
        if (!everything) {
            found = found.stream()
                    .map(dev.portcullis.events.RecordedEvent::withTokenIdsMasked)
                    .toList();
        }
        Html.send(exchange, RecordPages.events(caller.get(), filter, found, everything ? integrity() : null));
    }

    private synchronized RecordPages.Integrity integrity() {
        java.time.Instant now = clock.instant();
        if (integrity == null || !integrity.checkedAt().plus(INTEGRITY_INTERVAL).isAfter(now)) {
            try {
                integrity = new RecordPages.Integrity(records.integrity().verifyNow(), now, null);
            } catch (IOException | RuntimeException e) {
                integrity = new RecordPages.Integrity(null, now, "the checkpoints could not be read");
            }
        }
        return integrity;
    }

    /**
     * A project's policy, every version with who proposed and confirmed it, for the project's
     * readers and approvers; webhook URLs (their receivers' secrets) whole only for its owners.
     */
    void policy(Exchange exchange) {
        Optional<Caller> caller = pageCaller(exchange);
        if (caller.isEmpty()) {
            return;
        }
        Principal principal = caller.get().principal();
        String project;
        try {
            project =
                    catalog.ecosystems().project(exchange.pathParam("project")).key();
        } catch (Refusal r) {
            throw new Refusal.NotFound("No such project.");
        }
        boolean owner = principal.can(dev.portcullis.identity.Permission.ADMIN, project);
        if (!owner && !principal.maySee(project)) {
            throw new Refusal.NotFound("No policy for this project that you may read.");
        }
        List<dev.portcullis.gate.Policies.Version> versions = gate.policies().versions(project).stream()
                .map(v -> owner
                        ? v
                        : new dev.portcullis.gate.Policies.Version(
                                v.project(),
                                v.version(),
                                dev.portcullis.gate.Policies.redacted(v.document()),
                                v.status(),
                                v.createdAt(),
                                v.createdBy(),
                                v.confirmedBy()))
                .toList();
        Html.send(
                exchange,
                RecordPages.policy(
                        caller.get(),
                        project,
                        versions,
                        gate.policies()
                                .activeVersion(project)
                                .map(dev.portcullis.gate.Policies.Version::version)
                                .orElse(0)));
    }

    /** The newest alerts: all of them for global readers; of the projects they may see, for others. */
    void alerts(Exchange exchange) {
        Optional<Caller> caller = pageCaller(exchange);
        if (caller.isEmpty()) {
            return;
        }
        Principal principal = caller.get().principal();
        boolean everything = principal.canEverywhere(dev.portcullis.identity.Permission.READ);
        List<dev.portcullis.watch.alert.AlertDispatcher.Raised> shown = records.alerts().recent(200).stream()
                .filter(a -> everything || (a.project() != null && principal.maySee(a.project())))
                .toList();
        Html.send(exchange, RecordPages.alerts(caller.get(), shown));
    }

    /** The token inventory with the audit's flags, for global readers; global admins revoke from it. */
    void tokens(Exchange exchange) {
        Optional<Caller> caller = pageCaller(exchange);
        if (caller.isEmpty()) {
            return;
        }
        if (!caller.get().principal().canEverywhere(dev.portcullis.identity.Permission.READ)) {
            throw new Refusal.Forbidden("The token inventory needs a global read role (admin or auditor).");
        }
        Html.send(
                exchange,
                RecordPages.tokens(
                        caller.get(),
                        records.tokens().inventory(),
                        clock.instant(),
                        keyPrompt(caller.get(), exchange),
                        exchange.query("done").orElse(null)));
    }

    void revokeToken(Exchange exchange) {
        Map.Entry<Caller, Map<String, String>> change = changeCaller(exchange);
        Map<String, String> form = change.getValue();
        String token = form.getOrDefault("token", "");
        identity.revokeToken(
                change.getKey().principal(),
                stepUp(exchange, change.getKey(), form, "revoke-token", token),
                token,
                required(blankToNull(form.get("reason"))),
                exchange.origin());
        exchange.redirect(303, "/ui/tokens?done=revoked");
    }

    // ---------------------------------------------------------------- keys

    void keys(Exchange exchange) {
        Optional<Caller> caller = pageCaller(exchange);
        if (caller.isEmpty()) {
            return;
        }
        Principal principal = caller.get().principal();
        String nonce = challenges.nonce();
        Html.send(
                exchange,
                KeysPage.render(
                        caller.get(),
                        identity.securityKeys().list(principal.userId()),
                        URI.create(pageOrigin(exchange)).getHost(),
                        nonce,
                        KeyChallenges.base64url(
                                KeyChallenges.registration(caller.get().secret(), nonce)),
                        exchange.query("done").orElse(null)));
    }

    void registerKey(Exchange exchange) {
        Map.Entry<Caller, Map<String, String>> change = changeCaller(exchange);
        Map<String, String> form = change.getValue();
        challenges.requireFresh(form.get("nonce"));
        String origin = pageOrigin(exchange);
        identity.registerKey(
                change.getKey().principal(),
                form.get("otp"),
                new dev.portcullis.identity.SecurityKeys.Registration(
                        form.get("name"),
                        KeyChallenges.fromBase64url(form.get("key-attestation"), "attestation"),
                        KeyChallenges.fromBase64url(form.get("key-client-data"), "client data"),
                        KeyChallenges.registration(change.getKey().secret(), form.get("nonce")),
                        origin,
                        URI.create(origin).getHost()),
                exchange.origin());
        exchange.redirect(303, "/ui/keys?done=registered");
    }

    void removeKey(Exchange exchange) {
        Map.Entry<Caller, Map<String, String>> change = changeCaller(exchange);
        Map<String, String> form = change.getValue();
        String credential = form.getOrDefault("credential", "");
        identity.removeKey(
                change.getKey().principal(),
                stepUp(exchange, change.getKey(), form, "remove-key", credential),
                credential,
                exchange.origin());
        exchange.redirect(303, "/ui/keys?done=removed");
    }

    private static String required(String reason) {
        if (reason == null) {
            throw new Refusal.Invalid("Say why: the reason is recorded with the decision.");
        }
        return reason;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    void staticFile(Exchange exchange) throws IOException {
        String file = exchange.pathParam("file");
        String type = switch (file) {
            case "portcullis.css" -> "text/css; charset=utf-8";
            case "webauthn.js" -> "text/javascript; charset=utf-8";
            default -> throw new Refusal.NotFound("Not found.");
        };
        try (InputStream in = WebRoutes.class.getResourceAsStream("/web/" + file)) {
            if (in == null) {
                throw new Refusal.NotFound("Not found.");
            }
            Html.headers(exchange);
            exchange.header("Cache-Control", "public, max-age=3600");
            exchange.text(type, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }
}
