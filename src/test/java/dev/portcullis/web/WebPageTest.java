package dev.portcullis.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.app.Settings;
import dev.portcullis.http.HttpSettings;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Role;
import dev.portcullis.identity.RoleGrant;
import dev.portcullis.identity.WebSignInSettings;
import dev.portcullis.net.AddressBlock;
import dev.portcullis.testing.FormBrowser;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.SoftwareKey;
import dev.portcullis.testing.TestServer;
import dev.portcullis.testing.TestUser;
import dev.portcullis.testing.Uploads;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The approver's web page over HTTP, as a browser uses it (forms, cookies, redirects): sign-in
 * through a real OpenID Connect provider (mock-oauth2-server) with PKCE, and with an API token;
 * the queue and the release page; decisions with a fresh one-time code, bound to the files shown;
 * and what an attacker would try — a stolen cookie without the code, a form from another site, a
 * package whose every field is markup, a session after sign-out or revocation.
 */
class WebPageTest {

    private static final String CLIENT = "portcullis-web";

    @TempDir
    static Path dir;

    private static MockOAuth2Server provider;
    private static TestServer server;
    private static String uploader;
    private static TestUser ann;
    private static TestUser bob;

    @BeforeAll
    static void start() {
        provider = new MockOAuth2Server();
        provider.start();
        WebSignInSettings.Provider corp = new WebSignInSettings.Provider(
                URI.create(provider.issuerUrl("corp").toString()),
                CLIENT,
                "client-secret",
                null,
                null,
                Map.of("release-approvers", List.of(new RoleGrant(RoleGrant.EVERY_PROJECT, Role.APPROVER))));
        server = TestServer.start(
                "sqlite",
                dir.resolve("data"),
                (Settings s) -> s.withWeb(WebSignInSettings.DEFAULTS.withProvider(corp))
                        .withHttp(
                                HttpSettings.DEFAULTS.withTrustedProxies(List.of(AddressBlock.parse("127.0.0.1/32")))));
        uploader = server.token("uploader", Role.MAINTAINER, null, Permission.UPLOAD);
        ann = server.user("ann", new RoleGrant(RoleGrant.EVERY_PROJECT, Role.APPROVER), Permission.APPROVE);
        bob = server.user("bob", new RoleGrant(RoleGrant.EVERY_PROJECT, Role.APPROVER), Permission.APPROVE);
    }

    @AfterAll
    static void stop() {
        server.close();
        provider.shutdown();
    }

    private static FormBrowser signedIn(String token) {
        FormBrowser browser = new FormBrowser(server.url());
        HttpResponse<String> answer = browser.post("/ui/sign-in/token", Map.of("token", token));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(303);
        return browser;
    }

    private static void upload(String project, String version, Map<String, byte[]> extra) {
        uploadWith(project, version, List.of(), extra);
    }

    /** A wheel whose METADATA has {@code requires} lines (each may carry more header lines). */
    private static void uploadWith(String project, String version, List<String> requires, Map<String, byte[]> extra) {
        byte[] wheel = Uploads.wheel(project, version, project, version, extra, requires);
        RawHttp.Response r = RawHttp.upload(
                server.url(),
                uploader,
                Uploads.wheelForm(project, version, Uploads.wheelName(project, version), wheel)
                        .build());
        assertThat(r.status()).as(r.reason()).isEqualTo(200);
    }

    /** The approve form's fields as the page gave them, with a code and a comment. */
    private static Map<String, Object> decision(String page, String otp, String comment) {
        String approve = FormBrowser.form(page, "/approve");
        Map<String, Object> form = new LinkedHashMap<>();
        form.put("csrf", FormBrowser.inputValue(approve, "csrf"));
        form.put("files", FormBrowser.inputValues(approve, "files"));
        form.put("otp", otp);
        form.put("comment", comment);
        return form;
    }

    @Test
    void signsInThroughTheProviderWithPkceAndMapsGroupsToRoles() {
        provider.enqueueCallback(new DefaultOAuth2TokenCallback(
                "corp",
                "carol-subject",
                "JWT",
                List.of(CLIENT),
                Map.of("preferred_username", "carol", "groups", List.of("release-approvers", "staff")),
                3600));
        FormBrowser browser = new FormBrowser(server.url());
        assertThat(browser.get("/ui/").headers().firstValue("Location")).contains("/ui/sign-in");

        HttpResponse<String> start = browser.get("/ui/sign-in/oidc");
        assertThat(start.statusCode()).isEqualTo(303);
        String authorize = start.headers().firstValue("Location").orElseThrow();
        assertThat(authorize)
                .startsWith(provider.issuerUrl("corp").toString())
                .contains("code_challenge_method=S256", "code_challenge=", "state=", "nonce=", "client_id=" + CLIENT);
        assertThat(browser.cookies().get("__Host-portcullis-login").setCookie())
                .contains("Secure", "HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=600");

        // The provider signs carol in and sends the browser back with a code.
        HttpResponse<String> back = browser.get(authorize);
        String callback = back.headers().firstValue("Location").orElseThrow();
        assertThat(callback).startsWith(server.url() + "/ui/sign-in/oidc/callback");

        // The same callback in another browser (login CSRF), or with the state changed, signs nobody in.
        assertThat(new FormBrowser(server.url()).get(callback).statusCode()).isEqualTo(401);
        FormBrowser tampered = browser.copy();
        HttpResponse<String> badState = tampered.get(callback.replaceAll("state=[^&]+", "state=forged"));
        assertThat(badState.statusCode()).isEqualTo(401);
        assertThat(badState.body()).contains("state does not match");

        HttpResponse<String> done = browser.get(callback);
        assertThat(done.statusCode()).as(done.body()).isEqualTo(303);
        FormBrowser.Cookie session = browser.cookies().get("__Host-portcullis");
        assertThat(session.setCookie()).contains("Path=/", "Secure", "HttpOnly", "SameSite=Lax");
        assertThat(browser.cookies()).doesNotContainKey("__Host-portcullis-login");

        HttpResponse<String> queue = browser.get("/ui/");
        assertThat(queue.statusCode()).isEqualTo(200);
        assertThat(queue.body()).contains("Signed in as carol (single sign-on)");
        assertThat(server.events("WebSignedIn")).isPositive();
        assertThat(server.app().identity().findUser("carol")).isPresent();

        // The group made carol an approver for this session: she sees the decision forms of a held release.
        upload("web-sso", "1.0.0", Map.of());
        String page = browser.get("/ui/releases/web-sso/1.0.0").body();
        assertThat(page).contains("Approve these files").contains("web-sso 1.0.0");
        // Replaying the code in the same browser after use: the login cookie is gone.
        assertThat(browser.get(callback).statusCode()).isEqualTo(401);
    }

    @Test
    void approvalNeedsTheCodeCountsEachPersonOnceAndBindsTheFilesShown() {
        assertThat(server.importPolicy("web-two", "approval:\n  required: 2\n").code())
                .isZero();
        upload("web-two", "1.0.0", Map.of());
        FormBrowser annBrowser = signedIn(ann.token());
        String page = annBrowser.get("/ui/releases/web-two/1.0.0").body();
        assertThat(page).contains("0 of 2 needed.").contains(Uploads.wheelName("web-two", "1.0.0"));
        String policy = annBrowser.get("/ui/projects/web-two/policy").body();
        assertThat(policy).contains("Version 1 (active)", "required: 2");
        List<String> shown = FormBrowser.inputValues(FormBrowser.form(page, "/approve"), "files");
        assertThat(shown).hasSize(1);

        // A stolen cookie (with the page's anti-forgery token) but no code: refused, nothing counted.
        FormBrowser thief = annBrowser.copy();
        HttpResponse<String> stolen =
                thief.post("/ui/releases/web-two/1.0.0/approve", decision(page, "", "looks fine"));
        assertThat(stolen.statusCode()).isEqualTo(403);
        assertThat(stolen.body()).contains("one-time code");
        assertThat(server.release("web-two", "1.0.0").path("approvals").size()).isZero();

        HttpResponse<String> first =
                annBrowser.post("/ui/releases/web-two/1.0.0/approve", decision(page, ann.otp(), "reviewed"));
        assertThat(first.statusCode()).as(first.body()).isEqualTo(303);
        String after = annBrowser
                .get(first.headers().firstValue("Location").orElseThrow())
                .body();
        assertThat(after).contains("Your approval is counted").contains("1 of 2 needed.");
        assertThat(after)
                .containsPattern("Who can still approve: [^.]*bob")
                .doesNotContainPattern("Who can still approve: [^.]*ann");
        assertThat(server.release("web-two", "1.0.0").path("state").asText()).isEqualTo("held");

        // Ann again: a person counts once.
        HttpResponse<String> again =
                annBrowser.post("/ui/releases/web-two/1.0.0/approve", decision(after, ann.otp(), "twice"));
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(again.body()).contains("a person counts once");

        // Bob loads the page, then a new file arrives: his approval of what he saw is refused.
        FormBrowser bobBrowser = signedIn(bob.token());
        String bobPage = bobBrowser.get("/ui/releases/web-two/1.0.0").body();
        byte[] second = Uploads.wheel("web-two", "1.0.0", "web-two", "1.0.0", Map.of());
        RawHttp.Response late = RawHttp.upload(
                server.url(),
                uploader,
                Uploads.wheelForm("web-two", "1.0.0", "web_two-1.0.0-py2.py3-none-any.whl", second)
                        .build());
        assertThat(late.status()).as(late.reason()).isEqualTo(200);
        HttpResponse<String> stale =
                bobBrowser.post("/ui/releases/web-two/1.0.0/approve", decision(bobPage, bob.otp(), "ok"));
        assertThat(stale.statusCode()).isEqualTo(409);
        assertThat(stale.body()).contains("review it again");
        assertThat(server.release("web-two", "1.0.0").path("state").asText()).isEqualTo("held");

        // Reloaded, the page shows both files; Bob's approval of those releases it.
        String fresh = bobBrowser.get("/ui/releases/web-two/1.0.0").body();
        assertThat(FormBrowser.inputValues(FormBrowser.form(fresh, "/approve"), "files"))
                .hasSize(2);
        HttpResponse<String> released =
                bobBrowser.post("/ui/releases/web-two/1.0.0/approve", decision(fresh, bob.otp(), "ok"));
        assertThat(released.statusCode()).as(released.body()).isEqualTo(303);
        assertThat(released.headers().firstValue("Location").orElseThrow()).endsWith("?done=counted");
        // Ann's approval was of one file: it no longer counts, so the release still waits for a second person.
        assertThat(server.release("web-two", "1.0.0").path("state").asText()).isEqualTo("held");
    }

    @Test
    void formsFromAnotherSiteAndFormsWithoutTheAntiForgeryTokenChangeNothing() {
        upload("web-csrf", "1.0.0", Map.of());
        FormBrowser browser = signedIn(ann.token());
        String page = browser.get("/ui/releases/web-csrf/1.0.0").body();

        Map<String, Object> noToken = decision(page, ann.otp(), "x");
        noToken.remove("csrf");
        HttpResponse<String> missing = browser.post("/ui/releases/web-csrf/1.0.0/approve", noToken);
        assertThat(missing.statusCode()).isEqualTo(403);
        assertThat(missing.body()).contains("anti-forgery token");

        HttpResponse<String> otherOrigin = browser.post(
                "/ui/releases/web-csrf/1.0.0/approve",
                decision(page, ann.otp(), "x"),
                "Origin",
                "https://evil.example");
        assertThat(otherOrigin.statusCode()).isEqualTo(403);
        HttpResponse<String> crossSite = browser.post(
                "/ui/releases/web-csrf/1.0.0/reject", decision(page, ann.otp(), "x"), "Sec-Fetch-Site", "cross-site");
        assertThat(crossSite.statusCode()).isEqualTo(403);
        // Logging someone in from another site is refused too.
        HttpResponse<String> loginCsrf = new FormBrowser(server.url())
                .post("/ui/sign-in/token", Map.of("token", ann.token()), "Origin", "https://evil.example");
        assertThat(loginCsrf.statusCode()).isEqualTo(403);

        assertThat(server.release("web-csrf", "1.0.0").path("state").asText()).isEqualTo("held");
        assertThat(server.release("web-csrf", "1.0.0").path("approvals").size()).isZero();
    }

    @Test
    void everythingAPackageControlsIsShownAsTextUnderTheSecurityHeaders() {
        String markup = "<script>alert(1)</script><img src=x onerror=alert(2)>";
        upload("web-xss", "1.0.0", Map.of());
        server.approve("web-xss", "1.0.0");
        uploadWith(
                "web-xss",
                "1.1.0",
                List.of("requests\nSummary: " + markup + "\nAuthor: " + markup + "\nHome-page: javascript:" + markup),
                Map.of(
                        "web_xss/" + markup + ".py",
                        ("import base64\nexec(base64.b64decode('cHJpbnQoMSk='))  # " + markup + "\n")
                                .getBytes(StandardCharsets.UTF_8),
                        "web_xss/__init__.py",
                        ("VERSION = '1.1.0'\n# </code></pre>" + markup + "\n").getBytes(StandardCharsets.UTF_8)));
        FormBrowser browser = signedIn(ann.token());
        HttpResponse<String> page = browser.get("/ui/releases/web-xss/1.1.0");
        assertThat(page.statusCode()).isEqualTo(200);
        String body = page.body();
        // The one script is the page's own file (WebAuthn); nothing a package sent became markup.
        assertThat(body.split("<script", -1)).hasSize(2);
        assertThat(body).contains("<script src=\"/ui/static/webauthn.js\" defer=\"defer\"></script>");
        assertThat(body).doesNotContain("<img", "onerror=alert(2)>");
        assertThat(body).contains("&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;/code&gt;&lt;/pre&gt;");
        assertThat(body).contains("exec(base64.b64decode(").contains("Added: ");
        assertThat(body).contains("Declares web-xss 1.1.0: &lt;script&gt;alert(1)");

        HttpResponse<String> headers = browser.get("/ui/");
        assertThat(headers.headers().firstValue("Content-Security-Policy").orElseThrow())
                .contains("default-src 'none'", "script-src 'self'", "frame-ancestors 'none'", "form-action 'self'")
                .doesNotContain("unsafe-inline");
        assertThat(headers.headers().firstValue("X-Frame-Options")).contains("DENY");
        assertThat(headers.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        assertThat(headers.headers().firstValue("Cache-Control")).contains("no-store");
        assertThat(headers.headers().firstValue("Strict-Transport-Security")).isEmpty();
        // Behind the trusted TLS proxy: HSTS.
        HttpResponse<String> tls =
                browser.post("/ui/sign-in/token", Map.of("token", "x"), "X-Forwarded-Proto", "https");
        assertThat(tls.headers().firstValue("Strict-Transport-Security"))
                .contains("max-age=31536000; includeSubDomains");
        // An error page escapes too.
        HttpResponse<String> missing = browser.get("/ui/releases/web-xss/" + "%3Cscript%3E");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).doesNotContain("<script>");
    }

    @Test
    void sessionsEndOnSignOutEverywhereIdlenessAndTokenRevocation() {
        FormBrowser laptop = signedIn(bob.token());
        FormBrowser phone = signedIn(bob.token());
        assertThat(laptop.get("/ui/").statusCode()).isEqualTo(200);
        String csrf = FormBrowser.inputValue(laptop.get("/ui/").body(), "csrf");
        HttpResponse<String> everywhere = laptop.post("/ui/sign-out-everywhere", Map.of("csrf", csrf));
        assertThat(everywhere.statusCode()).isEqualTo(303);
        assertThat(laptop.get("/ui/").statusCode()).isEqualTo(303);
        assertThat(phone.get("/ui/").statusCode())
                .as("the other session ended too")
                .isEqualTo(303);

        FormBrowser idle = signedIn(bob.token());
        assertThat(idle.get("/ui/").statusCode()).isEqualTo(200);
        server.clock().advance(Duration.ofMinutes(31));
        assertThat(idle.get("/ui/").statusCode()).isEqualTo(303);

        String token = server.token("dora", Role.APPROVER, null, Permission.READ);
        FormBrowser dora = signedIn(token);
        assertThat(dora.get("/ui/").statusCode()).isEqualTo(200);
        String id = token.substring("pcl_u_".length(), "pcl_u_".length() + 12);
        server.app().identity().revokeToken(id, "lost", "test", dev.portcullis.core.Origin.LOCAL);
        assertThat(dora.get("/ui/").statusCode())
                .as("the token's session dies with it")
                .isEqualTo(303);
    }

    /**
     * Keys, with an authenticator in software for what a browser's cannot do: a key whose counter
     * stays 0 (many passkeys) cannot have one signed answer counted twice (the challenge is used up);
     * an answer a phishing site obtained (its own origin) is refused; a new key needs a code, and
     * removing one a code (or a key: {@link #aKeyAloneRevokesTokensAndRemovesKeys}).
     */
    @Test
    void keyAnswersCountOnceAndOnlyForThisSite() {
        FormBrowser browser = signedIn(bob.token());
        String origin = server.url();
        String rpId = URI.create(origin).getHost();
        SoftwareKey key = new SoftwareKey(false);

        String keysPage = browser.get("/ui/keys").body();
        assertThat(register(browser, key, origin, rpId, "software key", "").statusCode())
                .as("a key is added only with a code")
                .isEqualTo(403);
        HttpResponse<String> registered = register(browser, key, origin, rpId, "software key", bob.otp());
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(303);
        assertThat(browser.get("/ui/keys").body()).contains("software key");

        assertThat(server.importPolicy("web-key", "approval:\n  required: 2\n").code())
                .isZero();
        upload("web-key", "1.0.0", Map.of());
        String page = browser.get("/ui/releases/web-key/1.0.0").body();
        String approve = FormBrowser.form(page, "/approve");
        assertThat(FormBrowser.attribute(approve, "data-credentials")).isEqualTo(key.credentialId());
        String challenge = FormBrowser.attribute(approve, "data-challenge");

        // Signed for the look-alike site a phishing kit runs: refused, nothing counted.
        HttpResponse<String> phished = browser.post(
                "/ui/releases/web-key/1.0.0/approve",
                keyForm(approve, key.credentialId(), key.get(challenge, "https://portcullis.evil.example", rpId)));
        assertThat(phished.statusCode()).isEqualTo(403);
        assertThat(phished.body()).contains("does not verify");

        Map<String, Object> signed = keyForm(approve, key.credentialId(), key.get(challenge, origin, rpId));
        HttpResponse<String> counted = browser.post("/ui/releases/web-key/1.0.0/approve", signed);
        assertThat(counted.statusCode()).as(counted.body()).isEqualTo(303);
        HttpResponse<String> again = browser.post("/ui/releases/web-key/1.0.0/approve", signed);
        assertThat(again.statusCode()).isEqualTo(403);
        assertThat(again.body()).contains("already used");
        assertThat(server.release("web-key", "1.0.0").path("approval_records").size())
                .isEqualTo(1);

        String keyId = FormBrowser.inputValue(
                FormBrowser.form(browser.get("/ui/keys").body(), "/ui/keys/remove"), "credential");
        long removedBefore = server.events("SecurityKeyRemoved");
        HttpResponse<String> removed = browser.post(
                "/ui/keys/remove",
                Map.of("csrf", FormBrowser.inputValue(keysPage, "csrf"), "credential", keyId, "otp", bob.otp()));
        assertThat(removed.statusCode()).isEqualTo(303);
        assertThat(browser.get("/ui/keys").body()).contains("You have no key yet.");
        assertThat(server.events("SecurityKeyRemoved")).isEqualTo(removedBefore + 1);
    }

    /** Someone with no factor at all registers a key with the enrolment ticket an admin gave them: the key is their factor. */
    @Test
    void aFirstKeyIsRegisteredWithAnEnrolmentTicketAndIsTheOnlyFactor() {
        String token = server.token("ivy", Role.APPROVER, null, Permission.APPROVE);
        String ticket = ticket("ivy");
        FormBrowser browser = signedIn(token);
        SoftwareKey key = new SoftwareKey(true);
        String origin = server.url();
        String rpId = URI.create(origin).getHost();

        // Another person's ticket does not work.
        String othersTicket = ticket("uploader");
        assertThat(register(browser, key, origin, rpId, "first key", othersTicket)
                        .statusCode())
                .isEqualTo(403);
        assertThat(register(browser, key, origin, rpId, "first key", ticket).statusCode())
                .isEqualTo(303);
        // Used up: a second key needs a code or a new ticket.
        assertThat(register(browser, new SoftwareKey(true), origin, rpId, "first key", ticket)
                        .statusCode())
                .isEqualTo(403);

        upload("web-ivy", "1.0.0", Map.of());
        String approve =
                FormBrowser.form(browser.get("/ui/releases/web-ivy/1.0.0").body(), "/approve");
        HttpResponse<String> approved = browser.post(
                "/ui/releases/web-ivy/1.0.0/approve",
                keyForm(
                        approve,
                        key.credentialId(),
                        key.get(FormBrowser.attribute(approve, "data-challenge"), origin, rpId)));
        assertThat(approved.statusCode()).as(approved.body()).isEqualTo(303);
        assertThat(server.release("web-ivy", "1.0.0").path("state").asText()).isEqualTo("released");
        // On the API she has no codes: the refusal says where her factor works.
        upload("web-ivy", "1.1.0", Map.of());
        RawHttp.Response byApi = server.decideWith(token, "web-ivy", "1.1.0", "approve", "123456");
        assertThat(byApi.status()).isEqualTo(403);
        assertThat(byApi.body()).contains("use your security key on the web page");
    }

    /**
     * Someone whose only factor is a key uses it for what else needs a second factor on the page:
     * revoking a token and removing a key. Each answer is bound to its subject — an answer for one
     * token does not revoke another — and a form answered on another site is refused.
     */
    @Test
    void aKeyAloneRevokesTokensAndRemovesKeys() {
        String token = server.token("kim", Role.ADMIN, null, Permission.ADMIN, Permission.READ);
        String ticket = ticket("kim");
        FormBrowser browser = signedIn(token);
        SoftwareKey key = new SoftwareKey(true);
        String origin = server.url();
        String rpId = URI.create(origin).getHost();
        assertThat(register(browser, key, origin, rpId, "only key", ticket).statusCode())
                .isEqualTo(303);

        String victim = server.token("ci-kim", Role.MAINTAINER, "web-kim", Permission.UPLOAD);
        String bystander = server.token("ci-kim-2", Role.MAINTAINER, "web-kim", Permission.UPLOAD);
        String victimId = victim.substring("pcl_u_".length(), "pcl_u_".length() + 12);
        String bystanderId = bystander.substring("pcl_u_".length(), "pcl_u_".length() + 12);
        String page = browser.get("/ui/tokens").body();
        String form = FormBrowser.form(page, "/ui/tokens/revoke", "value=\"" + victimId + "\"");
        assertThat(form).contains("data-webauthn=\"assert\"", "Revoke with your key");
        String challenge = FormBrowser.attribute(form, "data-challenge");

        // The answer to the victim row's challenge, sent for another token: refused, nothing revoked.
        Map<String, Object> misused = keyForm(form, key.credentialId(), key.get(challenge, origin, rpId));
        misused.put("token", bystanderId);
        misused.put("reason", "wrong row");
        assertThat(browser.post("/ui/tokens/revoke", misused).statusCode()).isEqualTo(403);
        // Answered on a look-alike site: refused.
        Map<String, Object> phished =
                keyForm(form, key.credentialId(), key.get(challenge, "https://portcullis.evil.example", rpId));
        phished.put("token", victimId);
        phished.put("reason", "phished");
        assertThat(browser.post("/ui/tokens/revoke", phished).statusCode()).isEqualTo(403);
        for (String t : List.of(victim, bystander)) {
            assertThat(status(t)).isNotEqualTo(401);
        }
        // Answered here, for this row's token: that token alone is revoked.
        Map<String, Object> signed = keyForm(form, key.credentialId(), key.get(challenge, origin, rpId));
        signed.put("token", victimId);
        signed.put("reason", "left on a laptop");
        HttpResponse<String> revoked = browser.post("/ui/tokens/revoke", signed);
        assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(303);
        assertThat(status(victim)).isEqualTo(401);
        assertThat(status(bystander)).isNotEqualTo(401);

        // The key removes itself (her last factor: an admin's reset gives her a ticket again).
        String keys = browser.get("/ui/keys").body();
        String remove = FormBrowser.form(keys, "/ui/keys/remove");
        long removedBefore = server.events("SecurityKeyRemoved");
        Map<String, Object> removal = keyForm(
                remove, key.credentialId(), key.get(FormBrowser.attribute(remove, "data-challenge"), origin, rpId));
        removal.put("credential", FormBrowser.inputValue(remove, "credential"));
        HttpResponse<String> removed = browser.post("/ui/keys/remove", removal);
        assertThat(removed.statusCode()).as(removed.body()).isEqualTo(303);
        assertThat(browser.get("/ui/keys").body()).contains("You have no key yet.");
        assertThat(server.events("SecurityKeyRemoved")).isEqualTo(removedBefore + 1);
    }

    /** An admin's reset of {@code user}'s second factors: the enrolment ticket it issues. */
    private static String ticket(String user) {
        return server.app()
                .identity()
                .resetSecondFactor(user, "test", dev.portcullis.core.Origin.LOCAL)
                .secret();
    }

    /** What the API answers {@code token}: 401 once it is revoked. */
    private static int status(String token) {
        return RawHttp.send(server.url(), "GET", "/api/v1/releases", Map.of("Authorization", "Bearer " + token), null)
                .status();
    }

    /** Registers {@code key} through the keys page's form, with {@code codeOrTicket}. */
    private static HttpResponse<String> register(
            FormBrowser browser, SoftwareKey key, String origin, String rpId, String name, String codeOrTicket) {
        String form = FormBrowser.form(browser.get("/ui/keys").body(), "/ui/keys/register");
        String[] created = key.create(FormBrowser.attribute(form, "data-challenge"), origin, rpId);
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("csrf", FormBrowser.inputValue(form, "csrf"));
        fields.put("nonce", FormBrowser.inputValue(form, "nonce"));
        fields.put("name", name);
        fields.put("key-attestation", created[0]);
        fields.put("key-client-data", created[1]);
        fields.put("otp", codeOrTicket);
        return browser.post("/ui/keys/register", fields);
    }

    private static Map<String, Object> keyForm(String form, String credential, String[] assertion) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("csrf", FormBrowser.inputValue(form, "csrf"));
        fields.put("nonce", FormBrowser.inputValue(form, "nonce"));
        fields.put("files", FormBrowser.inputValues(form, "files"));
        fields.put("otp", "");
        fields.put("key-credential", credential);
        fields.put("key-client-data", assertion[0]);
        fields.put("key-authenticator-data", assertion[1]);
        fields.put("key-signature", assertion[2]);
        return fields;
    }

    @Test
    void globalReadersSeeTheTimelineAndTokensAndAdminsRevokeWithACode() {
        FormBrowser admin = signedIn(server.adminToken());
        HttpResponse<String> events = admin.get("/ui/events?kind=WebSignedIn");
        assertThat(events.statusCode()).isEqualTo(200);
        assertThat(events.body()).contains("Event log intact:", "WebSignedIn").doesNotContain("UserAdded");

        // An approver without a global read role sees neither all events nor the token inventory.
        FormBrowser approver = signedIn(ann.token());
        assertThat(approver.get("/ui/events").statusCode()).isEqualTo(403);
        assertThat(approver.get("/ui/tokens").statusCode()).isEqualTo(403);
        assertThat(approver.get("/ui/").body()).doesNotContain("href=\"/ui/tokens\"");

        String victim = server.token("ci-bot", Role.MAINTAINER, "web-revoke", Permission.UPLOAD);
        String id = victim.substring("pcl_u_".length(), "pcl_u_".length() + 12);
        String page = admin.get("/ui/tokens").body();
        assertThat(page).contains(id, "ci-bot", "upload on web-revoke");
        String form = FormBrowser.form(page, "/ui/tokens/revoke");
        Map<String, Object> revoke = new LinkedHashMap<>();
        revoke.put("csrf", FormBrowser.inputValue(form, "csrf"));
        revoke.put("token", id);
        revoke.put("reason", "left on a laptop");
        revoke.put("otp", "");
        assertThat(admin.post("/ui/tokens/revoke", revoke).statusCode())
                .as("no revocation without a code")
                .isEqualTo(403);
        assertThat(RawHttp.send(
                                server.url(),
                                "GET",
                                "/api/v1/releases",
                                Map.of("Authorization", "Bearer " + victim),
                                null)
                        .status())
                .isNotEqualTo(401);
        revoke.put("otp", server.admin().otp());
        HttpResponse<String> revoked = admin.post("/ui/tokens/revoke", revoke);
        assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(303);
        assertThat(RawHttp.send(
                                server.url(),
                                "GET",
                                "/api/v1/releases",
                                Map.of("Authorization", "Bearer " + victim),
                                null)
                        .status())
                .isEqualTo(401);
        assertThat(admin.get(revoked.headers().firstValue("Location").orElseThrow())
                        .body())
                .contains("Token revoked.");

        // A release the gate quarantines raises an alert; the alerts page lists it, without its recipients.
        upload(
                "web-alert",
                "1.0.0",
                Map.of(
                        "web_alert/__init__.py",
                        dev.portcullis.testing.Lightning.COMPROMISED_INIT.getBytes(StandardCharsets.UTF_8),
                        "web_alert/start.py",
                        dev.portcullis.testing.Lightning.LOADER.getBytes(StandardCharsets.UTF_8)));
        String alerts = admin.get("/ui/alerts").body();
        assertThat(alerts).contains("web-alert 1.0.0", "/ui/releases/web-alert/1.0.0");
        assertThat(approver.get("/ui/alerts").body())
                .as("an approver of every project sees its alerts")
                .contains("web-alert 1.0.0");
        // An approver's session cannot revoke, whatever it posts.
        revoke.put("csrf", FormBrowser.inputValue(approver.get("/ui/").body(), "csrf"));
        revoke.put("token", server.adminToken().substring("pcl_u_".length(), "pcl_u_".length() + 12));
        revoke.put("otp", ann.otp());
        long verified = server.events("SecondFactorVerified");
        assertThat(approver.post("/ui/tokens/revoke", revoke).statusCode()).isEqualTo(403);
        assertThat(server.events("SecondFactorVerified"))
                .as("refused before the code is spent")
                .isEqualTo(verified);
    }

    @Test
    void aProviderThatCannotBeReachedIsAskedAtMostEvery30SecondsAndEndedSessionsArePurged() {
        try (dev.portcullis.testing.HookReceiver broken = new dev.portcullis.testing.HookReceiver();
                TestServer other = TestServer.start(
                        "sqlite",
                        dir.resolve("down"),
                        (Settings s) ->
                                s.withWeb(WebSignInSettings.DEFAULTS.withProvider(new WebSignInSettings.Provider(
                                        URI.create(broken.url()), CLIENT, null, null, null, Map.of()))))) {
            // The "provider" answers its discovery document with 204: not a provider.
            FormBrowser browser = new FormBrowser(other.url());
            HttpResponse<String> first = browser.get("/ui/sign-in/oidc");
            assertThat(first.statusCode()).isEqualTo(503);
            assertThat(first.body()).contains("cannot be reached");
            assertThat(first.headers().firstValue("Content-Security-Policy")).isPresent();
            assertThat(broken.bodies()).hasSize(1);
            for (int i = 0; i < 20; i++) {
                assertThat(browser.get("/ui/sign-in/oidc").statusCode()).isEqualTo(503);
            }
            assertThat(broken.bodies()).as("asked once in 30 seconds").hasSize(1);
            other.clock().advance(Duration.ofSeconds(31));
            assertThat(browser.get("/ui/sign-in/oidc").statusCode()).isEqualTo(503);
            assertThat(broken.bodies()).hasSize(2);
            // Failed provider sign-ins from one address are counted: past the limit a callback is
            // refused before anything is asked of the provider.
            HttpResponse<String> refused = null;
            for (int i = 0; i < dev.portcullis.identity.IdentitySettings.DEFAULTS.maxFailuresPerAddress(); i++) {
                refused = browser.get("/ui/sign-in/oidc/callback?state=forged&code=c");
                assertThat(refused.statusCode()).isEqualTo(401);
            }
            HttpResponse<String> throttled = browser.get("/ui/sign-in/oidc/callback?state=forged&code=c");
            assertThat(throttled.statusCode()).isEqualTo(429);
            assertThat(throttled.body()).contains("too many failed sign-ins");

            // The token sign-in still works.
            HttpResponse<String> signedIn = browser.post("/ui/sign-in/token", Map.of("token", other.adminToken()));
            assertThat(signedIn.statusCode()).isEqualTo(303);
            String csrf = FormBrowser.inputValue(browser.get("/ui/").body(), "csrf");
            assertThat(browser.post("/ui/sign-out", Map.of("csrf", csrf)).statusCode())
                    .isEqualTo(303);

            // Ended sessions are kept a week for the record, then housekeeping deletes them.
            java.util.function.LongSupplier ended = () -> other.app()
                    .database()
                    .withHandle(h -> h.createQuery("SELECT COUNT(*) FROM web_sessions WHERE closed_at IS NOT NULL")
                            .mapTo(Long.class)
                            .one());
            other.app().identity().housekeeping();
            assertThat(ended.getAsLong()).isEqualTo(1);
            other.clock().advance(Duration.ofDays(8));
            other.app().identity().housekeeping();
            assertThat(ended.getAsLong()).isZero();
        }
    }

    @Test
    void aTokensSessionCanDoNoMoreThanTheToken() {
        // An upload token does not sign in at all.
        HttpResponse<String> upload =
                new FormBrowser(server.url()).post("/ui/sign-in/token", Map.of("token", uploader));
        assertThat(upload.statusCode()).isEqualTo(401);
        assertThat(upload.body()).contains("read or approve");

        // A read token of an approver sees the release but gets no forms, and a forged form is refused.
        upload("web-read", "1.0.0", Map.of());
        String readToken = server.token("ann", Role.APPROVER, null, Permission.READ);
        FormBrowser reader = signedIn(readToken);
        String page = reader.get("/ui/releases/web-read/1.0.0").body();
        assertThat(page).contains("web-read 1.0.0").doesNotContain("Approve these files");
        Map<String, Object> forged = new LinkedHashMap<>();
        forged.put("csrf", FormBrowser.inputValue(page, "csrf"));
        forged.put("otp", ann.otp());
        HttpResponse<String> refused = reader.post("/ui/releases/web-read/1.0.0/approve", forged);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(server.release("web-read", "1.0.0").path("state").asText()).isEqualTo("held");
    }
}
