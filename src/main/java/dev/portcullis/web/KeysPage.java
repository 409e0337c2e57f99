package dev.portcullis.web;

import dev.portcullis.http.Html;
import dev.portcullis.identity.SecurityKeys;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The signed-in person's passkeys and security keys: the list, removal, and registering another. */
final class KeysPage {

    private KeysPage() {}

    static Html render(
            WebRoutes.Caller caller,
            List<SecurityKeys.Key> keys,
            String rpId,
            String nonce,
            String challenge,
            String done) {
        Pages.KeyPrompt prompt =
                new Pages.KeyPrompt(keys.stream().map(SecurityKeys.Key::id).toList(), rpId, nonce);
        return Pages.page("Security keys", caller, html -> {
            html.element("h1", "Your passkeys and security keys");
            if ("registered".equals(done)) {
                html.element(
                        "p", "Key registered. Decisions on this page now use it.", "role", "status", "class", "done");
            } else if ("removed".equals(done)) {
                html.element("p", "Key removed.", "role", "status", "class", "done");
            }
            html.element(
                    "p",
                    "A key signs this page's address into every approval, so a look-alike site cannot relay it the"
                            + " way it can relay a one-time code. Each approval's key challenge names the release and"
                            + " the exact files you approve.",
                    "class",
                    "hint");
            if (keys.isEmpty()) {
                html.element("p", "You have no key yet.");
            } else {
                html.open("table")
                        .open("thead")
                        .open("tr")
                        .element("th", "Name", "scope", "col")
                        .element("th", "Registered", "scope", "col")
                        .element("th", "Last used", "scope", "col")
                        .element("th", "Remove (with a key or a one-time code)", "scope", "col")
                        .close("tr")
                        .close("thead")
                        .open("tbody");
                for (SecurityKeys.Key key : keys) {
                    String id = "remove-" + Integer.toHexString(key.id().hashCode());
                    html.open("tr")
                            .element("td", key.name())
                            .element("td", Pages.time(key.createdAt()))
                            .element("td", key.lastUsedAt() == null ? "never" : Pages.time(key.lastUsedAt()))
                            .open("td");
                    Pages.openForm(
                                    html,
                                    "/ui/keys/remove",
                                    "inline",
                                    prompt,
                                    KeyChallenges.action(caller.secret(), "remove-key", key.id(), nonce))
                            .empty("input", "type", "hidden", "name", "csrf", "value", caller.csrf())
                            .empty("input", "type", "hidden", "name", "credential", "value", key.id());
                    Pages.codeField(
                                    html,
                                    id,
                                    "One-time code for removing " + key.name() + " (leave empty to use a key)",
                                    true,
                                    false)
                            .element("button", "Remove with a key", "type", "submit");
                    Pages.keyStatus(html).close("form").close("td").close("tr");
                }
                html.close("tbody").close("table");
            }
            html.open(
                            "form",
                            "method",
                            "post",
                            "action",
                            "/ui/keys/register",
                            "class",
                            "decision",
                            "data-webauthn",
                            "register",
                            "data-challenge",
                            challenge,
                            "data-rp-id",
                            rpId,
                            "data-user-id",
                            KeyChallenges.base64url(
                                    ("portcullis-user:" + caller.principal().userId())
                                            .getBytes(StandardCharsets.UTF_8)),
                            "data-user-name",
                            caller.principal().userName(),
                            "data-exclude",
                            String.join(
                                    ",", keys.stream().map(SecurityKeys.Key::id).toList()))
                    .open("fieldset")
                    .element("legend", "Register a key")
                    .empty("input", "type", "hidden", "name", "csrf", "value", caller.csrf())
                    .empty("input", "type", "hidden", "name", "nonce", "value", nonce)
                    .empty("input", "type", "hidden", "name", "key-attestation", "value", "")
                    .empty("input", "type", "hidden", "name", "key-client-data", "value", "")
                    .element("label", "Name (to tell your keys apart)", "for", "key-name")
                    .empty(
                            "input",
                            "type",
                            "text",
                            "id",
                            "key-name",
                            "name",
                            "name",
                            "maxlength",
                            "100",
                            "required",
                            "required");
            Pages.codeField(
                            html,
                            "key-otp",
                            "One-time code — or, for your first factor, the enrolment ticket (pcl_e_…) an admin gave you",
                            false,
                            true)
                    .element("button", "Register a key", "type", "submit", "id", "register-key")
                    .element("p", "", "data-webauthn-status", "", "role", "status", "class", "hint")
                    .close("fieldset")
                    .close("form");
        });
    }
}
