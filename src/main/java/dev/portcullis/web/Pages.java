package dev.portcullis.web;

import dev.portcullis.gate.DecisionRecord;
import dev.portcullis.gate.Policy;
import dev.portcullis.http.Html;
import dev.portcullis.publish.Release;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/** The page frame, the sign-in page and the queue. Everything shown goes through {@link Html}. */
final class Pages {

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private Pages() {}

    static String time(Instant instant) {
        return instant == null ? "" : TIME.format(instant);
    }

    /** A whole page: head, the header with who is signed in (when someone is), {@code body}'s content. */
    static Html page(String title, WebRoutes.Caller caller, Consumer<Html> body) {
        Html html = Html.document()
                .open("html", "lang", "en")
                .open("head")
                .empty("meta", "charset", "utf-8")
                .empty("meta", "name", "viewport", "content", "width=device-width, initial-scale=1")
                .element("title", title + " · Portcullis")
                .empty("link", "rel", "stylesheet", "href", "/ui/static/portcullis.css")
                .element("script", "", "src", "/ui/static/webauthn.js", "defer", "defer")
                .close("head")
                .newline()
                .open("body")
                .element("a", "Skip to content", "href", "#content", "class", "skip")
                .open("header")
                .open("nav", "aria-label", "Main")
                .element("a", "Portcullis", "href", "/ui/", "class", "brand");
        if (caller != null) {
            html.element("a", "Queue", "href", "/ui/");
            html.element("a", "Alerts", "href", "/ui/alerts");
            if (caller.principal().canEverywhere(dev.portcullis.identity.Permission.READ)) {
                html.element("a", "Events", "href", "/ui/events");
                html.element("a", "Tokens", "href", "/ui/tokens");
            }
            html.element("a", "Security keys", "href", "/ui/keys");
            html.open("span", "class", "who")
                    .text("Signed in as " + caller.principal().userName() + " ("
                            + (caller.session().method().equals("oidc") ? "single sign-on" : "API token") + ")")
                    .close("span");
            signOutForm(html, caller, "/ui/sign-out", "Sign out");
            signOutForm(html, caller, "/ui/sign-out-everywhere", "Sign out everywhere");
        }
        html.close("nav").close("header").newline().open("main", "id", "content");
        body.accept(html);
        return html.close("main").close("body").close("html");
    }

    /**
     * The labelled field for a fresh one-time code ({@code otp}), as every decision form has it;
     * {@code hiddenLabel}: for screen readers only (inline forms in tables).
     */
    /**
     * What a page needs to ask for the signed-in person's key: their keys' credential ids (none:
     * they decide with codes), the relying-party id and a fresh nonce for the page's challenges.
     */
    record KeyPrompt(List<String> credentials, String rpId, String nonce) {
        boolean any() {
            return !credentials.isEmpty();
        }
    }

    /**
     * Opens a POST form to {@code action}. When the person has keys, the form asks one for its
     * answer to {@code challenge} (the page's script, webauthn.js, fills the hidden fields it adds);
     * a typed one-time code still goes through as it is.
     */
    static Html openForm(Html html, String action, String cssClass, KeyPrompt keys, byte[] challenge) {
        boolean ask = keys.any();
        html.open(
                "form",
                "method",
                "post",
                "action",
                action,
                "class",
                cssClass,
                "data-webauthn",
                ask ? "assert" : null,
                "data-challenge",
                ask ? KeyChallenges.base64url(challenge) : null,
                "data-rp-id",
                ask ? keys.rpId() : null,
                "data-credentials",
                ask ? String.join(",", keys.credentials()) : null);
        if (ask) {
            html.empty("input", "type", "hidden", "name", "nonce", "value", keys.nonce());
            for (String field :
                    List.of("key-credential", "key-client-data", "key-authenticator-data", "key-signature")) {
                html.empty("input", "type", "hidden", "name", field, "value", "");
            }
        }
        return html;
    }

    /** Where the page's script says what the key is doing (waiting, sending, failed). */
    static Html keyStatus(Html html) {
        return html.element("span", "", "data-webauthn-status", "", "role", "status", "class", "hint");
    }

    static Html codeField(Html html, String id, String label, boolean hiddenLabel, boolean required) {
        return html.element("label", label, "for", id, "class", hiddenLabel ? "visually-hidden" : null)
                .empty(
                        "input",
                        "type",
                        "text",
                        "id",
                        id,
                        "name",
                        "otp",
                        "class",
                        hiddenLabel ? "code" : null,
                        "inputmode",
                        "numeric",
                        "autocomplete",
                        "one-time-code",
                        "required",
                        required ? "required" : null);
    }

    private static void signOutForm(Html html, WebRoutes.Caller caller, String action, String label) {
        html.open("form", "method", "post", "action", action, "class", "inline")
                .empty("input", "type", "hidden", "name", "csrf", "value", caller.csrf())
                .element("button", label, "type", "submit", "class", "link")
                .close("form");
    }

    static Html signIn(boolean provider, boolean ended) {
        return page("Sign in", null, html -> {
            html.element("h1", "Sign in to approve releases");
            if (ended) {
                html.element("p", "You are signed out.", "role", "status");
            }
            if (provider) {
                html.open("p")
                        .element(
                                "a",
                                "Sign in with your organisation's account",
                                "href",
                                "/ui/sign-in/oidc",
                                "class",
                                "button")
                        .close("p");
            }
            html.open("form", "method", "post", "action", "/ui/sign-in/token")
                    .open("fieldset")
                    .element("legend", provider ? "Or with an API token" : "With an API token")
                    .element("label", "API token (read or approve)", "for", "token")
                    .empty(
                            "input",
                            "type",
                            "password",
                            "id",
                            "token",
                            "name",
                            "token",
                            "autocomplete",
                            "off",
                            "required",
                            "required")
                    .element("button", "Sign in", "type", "submit")
                    .close("fieldset")
                    .close("form")
                    .element(
                            "p",
                            "The page can read and approve no more than the token can; every decision asks for a"
                                    + " fresh one-time code.",
                            "class",
                            "hint");
        });
    }

    /** A release waiting for people: held, or in quarantine. */
    record QueueEntry(Release release, DecisionRecord decision, int approvals, Policy.Approval policy) {
        Instant expiresAt() {
            return release.createdAt().plus(policy.expiresAfter());
        }
    }

    static Html queue(WebRoutes.Caller caller, List<QueueEntry> entries, Instant now) {
        List<QueueEntry> sorted = entries.stream()
                .sorted(Comparator.comparing(QueueEntry::expiresAt))
                .toList();
        return page("Queue", caller, html -> {
            html.element("h1", "Releases waiting for a decision");
            if (sorted.isEmpty()) {
                html.element("p", "Nothing is waiting.", "role", "status");
                return;
            }
            html.open("table")
                    .element("caption", sorted.size() + " waiting, the soonest to expire first")
                    .open("thead")
                    .open("tr");
            for (String h : List.of("Release", "State", "Risk", "Approvals", "Uploaded", "Expires")) {
                html.element("th", h, "scope", "col");
            }
            html.close("tr").close("thead").open("tbody");
            for (QueueEntry e : sorted) {
                Duration left = Duration.between(now, e.expiresAt());
                boolean soon = e.release().state() == dev.portcullis.publish.ReleaseState.HELD
                        && left.compareTo(Duration.ofDays(1)) < 0;
                html.open("tr")
                        .open("td")
                        .element(
                                "a",
                                e.release().project() + " " + e.release().version(),
                                "href",
                                ReleasePage.href(e.release()))
                        .close("td")
                        .element(
                                "td",
                                e.release().state().wireName(),
                                "class",
                                "state-" + e.release().state().wireName())
                        .element(
                                "td",
                                e.decision() == null
                                        ? ""
                                        : String.valueOf(e.decision().risk()))
                        .element("td", e.approvals() + " of " + e.policy().required())
                        .element("td", time(e.release().createdAt()))
                        .element(
                                "td",
                                e.release().state() == dev.portcullis.publish.ReleaseState.HELD
                                        ? time(e.expiresAt()) + (soon ? " (soon)" : "")
                                        : "",
                                "class",
                                soon ? "soon" : null)
                        .close("tr");
            }
            html.close("tbody").close("table");
        });
    }
}
