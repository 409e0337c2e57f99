package dev.portcullis.web;

import dev.portcullis.audit.TokenAudit;
import dev.portcullis.events.RecordedEvent;
import dev.portcullis.http.Html;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.TokenInfo;
import dev.portcullis.watch.EventLogIntegrity;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The record pages: the event timeline with the log's integrity, and the token inventory with the audit's flags. */
final class RecordPages {

    /** Events shown per page. */
    static final int EVENTS_PER_PAGE = 100;

    private RecordPages() {}

    /** The filters of the timeline, as the form sends them (blank: not filtered). */
    record EventFilter(String kind, String project, String actor, long after) {
        String query(long nextAfter) {
            Map<String, String> q = new LinkedHashMap<>();
            q.put("kind", kind);
            q.put("project", project);
            q.put("actor", actor);
            q.put("after", Long.toString(nextAfter));
            StringBuilder out = new StringBuilder();
            q.forEach((k, v) -> {
                if (v != null && !v.isEmpty()) {
                    out.append(out.isEmpty() ? "?" : "&")
                            .append(k)
                            .append('=')
                            .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
                }
            });
            return out.toString();
        }
    }

    /** The log's last verification, or why there is none. */
    record Integrity(EventLogIntegrity.Report report, Instant checkedAt, String error) {}

    static Html events(WebRoutes.Caller caller, EventFilter filter, List<RecordedEvent> events, Integrity integrity) {
        return Pages.page("Events", caller, html -> {
            html.element("h1", "Event timeline");
            if (integrity != null) {
                if (integrity.report() == null) {
                    html.element(
                            "p", "The event log could not be verified: " + integrity.error() + ".", "class", "error");
                } else if (integrity.report().intact()) {
                    html.element(
                            "p",
                            "Event log intact: " + integrity.report().events() + " events and "
                                    + integrity.report().checkpoints() + " signed checkpoints verified, "
                                    + Pages.time(integrity.checkedAt()) + ".",
                            "class",
                            "done");
                } else {
                    html.open("div", "class", "error", "role", "alert")
                            .element("p", "The event log does not verify (" + Pages.time(integrity.checkedAt()) + "):");
                    html.open("ul");
                    for (String problem : integrity.report().problems()) {
                        html.element("li", problem);
                    }
                    html.close("ul").close("div");
                }
            }
            html.open("form", "method", "get", "action", "/ui/events", "class", "filters")
                    .open("fieldset")
                    .element("legend", "Filter");
            field(html, "kind", "Kind (e.g. ReleaseApproved)", filter.kind());
            field(html, "project", "Project", filter.project());
            field(html, "actor", "Actor", filter.actor());
            html.element("button", "Show", "type", "submit").close("fieldset").close("form");
            if (events.isEmpty()) {
                html.element("p", "No events" + (filter.after() > 0 ? " after these." : "."), "role", "status");
                return;
            }
            html.open("table", "class", "events")
                    .element("caption", events.size() + " events, oldest first")
                    .open("thead")
                    .open("tr");
            for (String h : List.of("#", "Time", "Kind", "Outcome", "Actor", "Project", "Subject", "From", "Details")) {
                html.element("th", h, "scope", "col");
            }
            html.close("tr").close("thead").open("tbody");
            for (RecordedEvent e : events) {
                html.open("tr", "class", "outcome-" + e.outcome())
                        .element("td", e.seq())
                        .element("td", Pages.time(e.occurredAt()))
                        .element("td", e.kind())
                        .element("td", e.outcome())
                        .element("td", e.actor())
                        .element("td", e.project())
                        .element("td", e.subject())
                        .element("td", e.sourceIp())
                        .open("td")
                        .element("code", e.details(), "class", "excerpt")
                        .close("td")
                        .close("tr");
            }
            html.close("tbody").close("table");
            if (events.size() == EVENTS_PER_PAGE) {
                html.open("p")
                        .element(
                                "a",
                                "Later events",
                                "href",
                                "/ui/events" + filter.query(events.getLast().seq()))
                        .close("p");
            }
        });
    }

    private static void field(Html html, String name, String label, String value) {
        html.element("label", label, "for", "filter-" + name)
                .empty(
                        "input",
                        "type",
                        "text",
                        "id",
                        "filter-" + name,
                        "name",
                        name,
                        "value",
                        value == null ? "" : value);
    }

    static Html alerts(WebRoutes.Caller caller, List<dev.portcullis.watch.alert.AlertDispatcher.Raised> alerts) {
        return Pages.page("Alerts", caller, html -> {
            html.element("h1", "Alerts");
            if (alerts.isEmpty()) {
                html.element("p", "No alerts you may see.", "role", "status");
                return;
            }
            html.open("table", "class", "alerts")
                    .element("caption", alerts.size() + " alerts, newest first")
                    .open("thead")
                    .open("tr");
            for (String h : List.of("Raised", "Level", "Alert", "Project", "Delivery")) {
                html.element("th", h, "scope", "col");
            }
            html.close("tr").close("thead").open("tbody");
            for (dev.portcullis.watch.alert.AlertDispatcher.Raised a : alerts) {
                html.open("tr")
                        .element("td", Pages.time(a.raisedAt()))
                        .element("td", a.level(), "class", "severity-" + a.level())
                        .open("td")
                        .element("strong", a.title())
                        .element("p", a.message())
                        .close("td")
                        .open("td");
                if (a.project() != null && a.subject() != null) {
                    html.element(
                            "a", a.project() + " " + a.subject(), "href", ReleasePage.href(a.project(), a.subject()));
                } else {
                    html.text(a.project() == null ? "" : a.project());
                }
                html.close("td")
                        .element(
                                "td",
                                a.delivered() + " delivered"
                                        + (a.failed() > 0 ? ", " + a.failed() + " failed" : "")
                                        + (a.pending() > 0 ? ", " + a.pending() + " waiting" : ""),
                                "class",
                                a.failed() > 0 ? "error" : null)
                        .close("tr");
            }
            html.close("tbody").close("table");
        });
    }

    static Html policy(
            WebRoutes.Caller caller, String project, List<dev.portcullis.gate.Policies.Version> versions, int active) {
        return Pages.page("Policy of " + project, caller, html -> {
            html.element("h1", "Release policy of " + project);
            if (versions.isEmpty()) {
                html.element(
                        "p",
                        "No policy of its own: the default applies (every release held for one approval by an"
                                + " approver, owner or admin). docs/POLICY.md describes the document.");
                return;
            }
            html.element(
                    "p",
                    active == 0 ? "No version is active: the default applies." : "Version " + active + " is active.",
                    "role",
                    "status");
            for (dev.portcullis.gate.Policies.Version v : versions) { // newest first
                html.open("section", "aria-label", "Version " + v.version())
                        .element("h2", "Version " + v.version() + " (" + v.status() + ")")
                        .element(
                                "p",
                                "Proposed " + Pages.time(v.createdAt()) + " by " + v.createdBy()
                                        + (v.confirmedBy() == null ? "" : "; confirmed by " + v.confirmedBy()) + ".")
                        .open("pre")
                        .element("code", v.document())
                        .close("pre")
                        .close("section");
            }
        });
    }

    static Html tokens(
            WebRoutes.Caller caller, List<TokenAudit.Row> rows, Instant now, Pages.KeyPrompt keys, String done) {
        boolean mayRevoke = caller.principal().canEverywhere(Permission.ADMIN);
        return Pages.page("Tokens", caller, html -> {
            html.element("h1", "API tokens");
            if ("revoked".equals(done)) {
                html.element("p", "Token revoked.", "role", "status", "class", "done");
            }
            html.element(
                    "p",
                    "Every token, its use, and what the audit flags. "
                            + (mayRevoke
                                    ? "Revoking needs a reason and your key or a fresh one-time code."
                                    : "Global admins revoke tokens here."),
                    "class",
                    "hint");
            html.open("table", "class", "tokens").open("thead").open("tr");
            for (String h : List.of("Token", "Owner", "Scope", "Status", "Created", "Expires", "Last used", "Flags")) {
                html.element("th", h, "scope", "col");
            }
            if (mayRevoke) {
                html.element("th", "Revoke", "scope", "col");
            }
            html.close("tr").close("thead").open("tbody");
            for (TokenAudit.Row row : rows) {
                TokenInfo t = row.token();
                html.open("tr")
                        .element("td", t.id() + (t.name() == null ? "" : " (" + t.name() + ")"))
                        .element("td", t.owner())
                        .element(
                                "td",
                                Permission.format(t.permissions())
                                        + (t.project() == null ? " on every project" : " on " + t.project()))
                        .element("td", row.status().name().toLowerCase(java.util.Locale.ROOT))
                        .element("td", Pages.time(t.createdAt()) + " (" + row.ageDays() + " days)")
                        .element("td", Pages.time(t.expiresAt()))
                        .element(
                                "td",
                                t.lastUsedAt() == null
                                        ? "never"
                                        : Pages.time(t.lastUsedAt()) + " from " + t.lastUsedIp())
                        .open("td");
                if (!row.flags().isEmpty()) {
                    html.open("ul", "class", "flags");
                    for (TokenAudit.Flag flag : row.flags()) {
                        String severity = flag.severity().wireName();
                        html.element("li", severity + ": " + flag.message(), "class", "severity-" + severity);
                    }
                    html.close("ul");
                }
                html.close("td");
                if (mayRevoke) {
                    html.open("td");
                    if (row.status() == TokenInfo.Status.ACTIVE) {
                        String id = "revoke-" + t.id();
                        Pages.openForm(
                                        html,
                                        "/ui/tokens/revoke",
                                        "inline",
                                        keys,
                                        KeyChallenges.action(caller.secret(), "revoke-token", t.id(), keys.nonce()))
                                .empty("input", "type", "hidden", "name", "csrf", "value", caller.csrf())
                                .empty("input", "type", "hidden", "name", "token", "value", t.id())
                                .element(
                                        "label",
                                        "Reason for revoking " + t.id(),
                                        "for",
                                        id + "-reason",
                                        "class",
                                        "visually-hidden")
                                .empty(
                                        "input",
                                        "type",
                                        "text",
                                        "id",
                                        id + "-reason",
                                        "name",
                                        "reason",
                                        "placeholder",
                                        "reason",
                                        "required",
                                        "required",
                                        "size",
                                        "12");
                        Pages.codeField(
                                        html,
                                        id + "-otp",
                                        keys.any() ? "One-time code (leave empty to use your key)" : "One-time code",
                                        true,
                                        !keys.any())
                                .element(
                                        "button",
                                        keys.any() ? "Revoke with your key" : "Revoke",
                                        "type",
                                        "submit",
                                        "id",
                                        id);
                        Pages.keyStatus(html).close("form");
                    }
                    html.close("td");
                }
                html.close("tr");
            }
            html.close("tbody").close("table");
            html.element("p", "As of " + Pages.time(now) + ".", "class", "hint");
        });
    }
}
