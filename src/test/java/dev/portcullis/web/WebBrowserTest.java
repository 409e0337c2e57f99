package dev.portcullis.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.app.Settings;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Role;
import dev.portcullis.identity.RoleGrant;
import dev.portcullis.identity.WebSignInSettings;
import dev.portcullis.testing.Lightning;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestServer;
import dev.portcullis.testing.TestUser;
import dev.portcullis.testing.Uploads;
import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.openqa.selenium.virtualauthenticator.HasVirtualAuthenticator;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticator;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticatorOptions;

/**
 * The approver page in a real browser (Debian's Chromium through ChromeDriver, installed by
 * scripts/setup): sign in through the organisation's OpenID Connect provider, find the held
 * release in the queue, approve it with the keyboard and a fresh code, see that a second approver
 * is needed; the page fits a narrow window (200% zoom) without scrolling sideways. Screenshots of
 * the pages are written to {@code target/ui-screenshots} (docs/UI.md shows them).
 */
class WebBrowserTest {

    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    private static final String PROJECT = Lightning.NAME;

    @TempDir
    static Path dir;

    private static MockOAuth2Server provider;
    private static TestServer server;
    private static WebDriver browser;

    @BeforeAll
    static void start() {
        assertThat(new File(CHROMIUM))
                .as("Chromium and ChromeDriver are installed by scripts/setup (Debian: chromium chromium-driver)")
                .exists();
        provider = new MockOAuth2Server();
        provider.start();
        WebSignInSettings.Provider corp = new WebSignInSettings.Provider(
                URI.create(provider.issuerUrl("corp").toString()),
                "portcullis-web",
                "client-secret",
                null,
                null,
                Map.of("release-approvers", List.of(new RoleGrant(RoleGrant.EVERY_PROJECT, Role.APPROVER))));
        server = TestServer.start(
                "sqlite",
                dir.resolve("data"),
                (Settings s) -> s.withWeb(WebSignInSettings.DEFAULTS.withProvider(corp)));
        ChromeOptions options = new ChromeOptions()
                .setBinary(CHROMIUM)
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.close();
        }
        if (provider != null) {
            provider.shutdown();
        }
    }

    @Test
    void anApproverSignsInWithTheProviderAndApprovesWithTheKeyboard() throws Exception {
        String uploader = server.token("uploader", Role.MAINTAINER, null, Permission.UPLOAD);
        TestUser erin = server.user("erin", new RoleGrant("unrelated", Role.AUDITOR), Permission.READ);
        // lightning 2.6.1 as it was, released; then 2.6.2 as the attacker's token uploaded it.
        upload(uploader, "2.6.1", Map.of());
        assertThat(server.approve(PROJECT, "2.6.1").status()).isEqualTo(200);
        assertThat(server.importPolicy(PROJECT, "approval:\n  required: 2\n").code())
                .isZero();
        upload(
                uploader,
                "2.6.2",
                Map.of(
                        "lightning/__init__.py",
                        utf8("from lightning.core import Trainer\n" + Lightning.COMPROMISED_INIT),
                        "lightning/_runtime/start.py",
                        utf8(Lightning.LOADER),
                        "lightning/_runtime/router_runtime.js",
                        utf8(Lightning.obfuscatedScript(200_000))));
        upload(
                uploader,
                "2.7.0",
                Map.of("lightning/utils.py", utf8("def seed_everything(seed):\n    return int(seed) % (2**32)\n")));

        // Erin's roles here would not let her approve; her provider group does, for the session.
        provider.enqueueCallback(new DefaultOAuth2TokenCallback(
                "corp",
                "erin-subject",
                "JWT",
                List.of("portcullis-web"),
                Map.of("preferred_username", "erin", "groups", List.of("release-approvers")),
                3600));
        browser.get(server.url() + "/ui/");
        assertThat(browser.getCurrentUrl()).endsWith("/ui/sign-in");
        screenshot("sign-in");
        browser.findElement(By.linkText("Sign in with your organisation's account"))
                .click();
        assertThat(browser.getCurrentUrl()).isEqualTo(server.url() + "/ui/");
        assertThat(browser.findElement(By.className("who")).getText()).contains("erin (single sign-on)");
        screenshot("queue");

        // The compromised release: the gate put it in quarantine by itself; the page says why, line by line.
        browser.findElement(By.linkText("lightning 2.6.2")).click();
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("lightning 2.6.2 quarantined");
        assertThat(browser.getPageSource())
                .contains(
                        "starts a background thread at import",
                        "lightning/_runtime/start.py",
                        "Bring back from quarantine");
        screenshot("quarantined");

        // An ordinary release waits for two people.
        browser.findElement(By.linkText("Queue")).click();
        browser.findElement(By.linkText("lightning 2.7.0")).click();
        assertThat(browser.getPageSource())
                .contains("0 of 2 needed.", "int(seed) % (2**32)", "<span class=\"tok-kw\">return</span>");
        screenshot("release");

        // Keyboard only: focus the code field through its label's target, type, press Enter.
        WebElement code = browser.findElement(By.id("approve-otp"));
        code.sendKeys(erin.otp());
        code.sendKeys(Keys.ENTER);
        assertThat(browser.findElement(By.cssSelector("[role=status]")).getText())
                .isEqualTo("Your approval is counted; the policy needs more people.");
        assertThat(browser.getPageSource()).contains("1 of 2 needed.");
        assertThat(server.release(PROJECT, "2.7.0").path("state").asText()).isEqualTo("held");
        screenshot("approved-once");

        // At 200% zoom (half the CSS width), nothing needs a sideways scroll.
        browser.manage().window().setSize(new Dimension(640, 900));
        browser.navigate().refresh();
        Object overflow = ((JavascriptExecutor) browser)
                .executeScript("return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
        assertThat(((Number) overflow).intValue()).isLessThanOrEqualTo(0);
        browser.manage().window().setSize(new Dimension(1280, 1000));
    }

    /**
     * With a passkey (Chrome's virtual authenticator): registered after a one-time code; a policy
     * that requires keys refuses codes; the key's assertion approves exactly the files the page
     * showed — the same assertion over a changed file list does not verify.
     */
    @Test
    void aSecurityKeyApprovesExactlyTheFilesShown() throws Exception {
        String uploader = server.token("key-uploader", Role.MAINTAINER, null, Permission.UPLOAD);
        TestUser fay = server.user("fay", new RoleGrant(RoleGrant.EVERY_PROJECT, Role.APPROVER), Permission.APPROVE);
        TestUser gus = server.user("gus", new RoleGrant(RoleGrant.EVERY_PROJECT, Role.APPROVER), Permission.APPROVE);
        VirtualAuthenticator key = ((HasVirtualAuthenticator) browser)
                .addVirtualAuthenticator(new VirtualAuthenticatorOptions()
                        .setProtocol(VirtualAuthenticatorOptions.Protocol.CTAP2)
                        .setTransport(VirtualAuthenticatorOptions.Transport.USB)
                        .setHasResidentKey(true)
                        .setHasUserVerification(true)
                        .setIsUserVerified(true));
        try {
            // WebAuthn needs a domain: the page is reached as localhost.
            String site = server.url().replace("127.0.0.1", "localhost");
            browser.get(site + "/ui/sign-in");
            browser.findElement(By.id("token")).sendKeys(fay.token());
            browser.findElement(By.id("token")).sendKeys(Keys.ENTER);
            browser.get(site + "/ui/keys");
            browser.findElement(By.id("key-name")).sendKeys("virtual key");
            browser.findElement(By.id("key-otp")).sendKeys(fay.otp());
            browser.findElement(By.id("register-key")).click();
            assertThat(waiting()
                            .until(d -> d.findElement(By.cssSelector("[role=status]")))
                            .getText())
                    .isEqualTo("Key registered. Decisions on this page now use it.");
            assertThat(key.getCredentials()).hasSize(1);
            screenshot("keys");

            assertThat(server.importPolicy("keyed", "approval:\n  required: 1\n  require_security_key: true\n")
                            .code())
                    .isZero();
            uploadWheel(uploader, "keyed", "1.0.0", "keyed-1.0.0-py3-none-any.whl");
            // A code, which a phishing proxy could relay, is refused where the policy asks for a key.
            RawHttp.Response byCode = server.decide(gus, "keyed", "1.0.0", "approve");
            assertThat(byCode.status()).isEqualTo(403);
            assertThat(byCode.body()).contains("requires a passkey or security key");

            // The page lists both files; a third arrives; the form's file list is changed to match the
            // release now. The key signed the page's list, so the changed form does not verify.
            uploadWheel(uploader, "keyed", "1.0.0", "keyed-1.0.0-py2.py3-none-any.whl");
            browser.get(site + "/ui/releases/keyed/1.0.0");
            String late = uploadWheel(uploader, "keyed", "1.0.0", "keyed-1.0.0-py3-none-manylinux1_x86_64.whl");
            ((JavascriptExecutor) browser)
                    .executeScript(
                            "const f = document.querySelector(\"form[action$='/approve']\");"
                                    + " const extra = document.createElement('input'); extra.type = 'hidden';"
                                    + " extra.name = 'files'; extra.value = arguments[0]; f.appendChild(extra);",
                            late);
            browser.findElement(By.id("approve-submit")).click();
            waiting().until(d -> d.findElement(By.tagName("h1")).getText().equals("Refused"));
            assertThat(browser.findElement(By.className("error")).getText())
                    .contains("does not verify for this decision");
            assertThat(server.release("keyed", "1.0.0").path("state").asText()).isEqualTo("held");

            // Reloaded: the page shows all three; the key approves them, with no code typed.
            browser.get(site + "/ui/releases/keyed/1.0.0");
            browser.findElement(By.id("approve-submit")).click();
            assertThat(waiting()
                            .until(d -> d.findElement(By.cssSelector("p.done")))
                            .getText())
                    .isEqualTo("Approved: the release is published.");
            assertThat(server.release("keyed", "1.0.0").path("state").asText()).isEqualTo("released");
            assertThat(server.release("keyed", "1.0.0")
                            .path("approval_records")
                            .get(0)
                            .path("files")
                            .size())
                    .isEqualTo(3);
            assertThat(server.events("SecurityKeyRegistered")).isEqualTo(1);

            // A signed form counts once: sent again (say, by a proxy that kept it) it is refused before
            // anything is counted (the key's counter; for keys without one, the used challenge).
            assertThat(server.importPolicy("keyed-two", "approval:\n  required: 2\n")
                            .code())
                    .isZero();
            uploadWheel(uploader, "keyed-two", "1.0.0", "keyed_two-1.0.0-py3-none-any.whl");
            browser.get(site + "/ui/releases/keyed-two/1.0.0");
            ((JavascriptExecutor) browser)
                    .executeScript("const send = HTMLFormElement.prototype.submit;"
                            + " HTMLFormElement.prototype.submit = function () {"
                            + "   sessionStorage.setItem('sent', new URLSearchParams(new FormData(this)).toString());"
                            + "   send.call(this); };");
            browser.findElement(By.id("approve-submit")).click();
            assertThat(waiting()
                            .until(d -> d.findElement(By.cssSelector("p.done")))
                            .getText())
                    .isEqualTo("Your approval is counted; the policy needs more people.");
            String sent =
                    (String) ((JavascriptExecutor) browser).executeScript("return sessionStorage.getItem('sent');");
            assertThat(sent).contains("key-signature=");
            java.net.http.HttpResponse<String> replay = java.net.http.HttpClient.newHttpClient()
                    .send(
                            java.net.http.HttpRequest.newBuilder(
                                            URI.create(site + "/ui/releases/keyed-two/1.0.0/approve"))
                                    .header("Content-Type", "application/x-www-form-urlencoded")
                                    .header(
                                            "Cookie",
                                            "__Host-portcullis="
                                                    + browser.manage()
                                                            .getCookieNamed("__Host-portcullis")
                                                            .getValue())
                                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(sent))
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(replay.statusCode()).isEqualTo(403);
            assertThat(replay.body()).contains("sent again (replayed)");
            assertThat(server.release("keyed-two", "1.0.0")
                            .path("approval_records")
                            .size())
                    .isEqualTo(1);
        } finally {
            ((HasVirtualAuthenticator) browser).removeVirtualAuthenticator(key);
        }
    }

    /**
     * What an attacker tries from outside, in the real browser: a page on another site posts the
     * approve form to Portcullis (the browser holds a live session) — SameSite keeps the cookie off
     * and the same-site check refuses it; and the session cookie copied out of the browser, with the
     * page's anti-forgery token, still cannot approve without the second factor.
     */
    @Test
    void anotherSiteCannotApproveAndAStolenCookieAloneCannotEither() throws Exception {
        String uploader = server.token("csrf-uploader", Role.MAINTAINER, null, Permission.UPLOAD);
        TestUser hal = server.user("hal", new RoleGrant(RoleGrant.EVERY_PROJECT, Role.APPROVER), Permission.APPROVE);
        uploadWheel(uploader, "target", "1.0.0", "target-1.0.0-py3-none-any.whl");
        String site = server.url().replace("127.0.0.1", "localhost");
        browser.get(site + "/ui/sign-in");
        browser.findElement(By.id("token")).sendKeys(hal.token());
        browser.findElement(By.id("token")).sendKeys(Keys.ENTER);
        browser.get(site + "/ui/releases/target/1.0.0");
        String csrf = browser.findElement(By.name("csrf")).getDomAttribute("value");
        String files = String.join(
                "",
                browser.findElements(By.cssSelector("form[action$='/approve'] input[name=files]")).stream()
                        .map(e -> "&files=" + e.getDomAttribute("value"))
                        .toList());

        // The attacker's page (another site: 127.0.0.1, not localhost) with a form aimed at Portcullis.
        com.sun.net.httpserver.HttpServer evil =
                com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        String page = "<!DOCTYPE html><form id=f method=post action=\"" + site
                + "/ui/releases/target/1.0.0/reject\"><input name=csrf value=\"" + csrf
                + "\"><input name=comment value=pwned><input name=otp value=000000>"
                + "<button id=go>win a prize</button></form>";
        evil.createContext("/", exchange -> {
            byte[] body = page.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/html");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        evil.start();
        try {
            browser.get("http://127.0.0.1:" + evil.getAddress().getPort() + "/");
            browser.findElement(By.id("go")).click();
            waiting().until(d -> d.getCurrentUrl().startsWith(site));
            assertThat(browser.getPageSource()).contains("Refused").doesNotContain("Rejected: nothing of it");
        } finally {
            evil.stop(0);
        }
        assertThat(server.release("target", "1.0.0").path("state").asText()).isEqualTo("held");

        // The cookie and the form's token, copied out of the browser: no code, no key, no approval.
        String cookie = browser.manage().getCookieNamed("__Host-portcullis").getValue();
        java.net.http.HttpResponse<String> stolen = java.net.http.HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(URI.create(site + "/ui/releases/target/1.0.0/approve"))
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .header("Cookie", "__Host-portcullis=" + cookie)
                                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                                        "csrf=" + csrf + files + "&otp="))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(stolen.statusCode()).isEqualTo(403);
        assertThat(server.release("target", "1.0.0").path("approvals").size()).isZero();
    }

    /** Waits up to 10 s, looking again when the page changed under a lookup (a navigation after a key's answer). */
    private static WebDriverWait waiting() {
        WebDriverWait wait = new WebDriverWait(browser, java.time.Duration.ofSeconds(10));
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        return wait;
    }

    /** Uploads a generated wheel of {@code project} under {@code filename}; returns its SHA-256. */
    private static String uploadWheel(String token, String project, String version, String filename) {
        byte[] wheel =
                Uploads.wheel(project, version, project, version, Map.of("keyed/" + filename + ".txt", utf8(filename)));
        RawHttp.Response uploaded = RawHttp.upload(
                server.url(),
                token,
                Uploads.wheelForm(project, version, filename, wheel).build());
        assertThat(uploaded.status()).as(uploaded.reason()).isEqualTo(200);
        return Uploads.sha256(wheel);
    }

    private static void upload(String token, String version, Map<String, byte[]> files) {
        Map<String, byte[]> entries = new java.util.LinkedHashMap<>();
        dev.portcullis.audit.drill.StandIn.clean(PROJECT, version).forEach(entries::put);
        entries.putAll(files);
        byte[] wheel = Uploads.wheel(PROJECT, version, PROJECT, version, entries);
        RawHttp.Response uploaded = RawHttp.upload(
                server.url(),
                token,
                Uploads.wheelForm(PROJECT, version, Uploads.wheelName(PROJECT, version), wheel)
                        .build());
        assertThat(uploaded.status()).as(uploaded.reason()).isEqualTo(200);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void screenshot(String name) throws java.io.IOException {
        Path out = Path.of("target", "ui-screenshots");
        Files.createDirectories(out);
        byte[] png = ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        Files.write(out.resolve(name + ".png"), png);
    }
}
