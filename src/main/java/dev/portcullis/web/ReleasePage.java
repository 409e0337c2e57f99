package dev.portcullis.web;

import dev.portcullis.gate.DecisionRecord;
import dev.portcullis.gate.Policy;
import dev.portcullis.gate.ReleaseGate;
import dev.portcullis.http.Html;
import dev.portcullis.identity.Permission;
import dev.portcullis.inspect.Finding;
import dev.portcullis.inspect.InspectionService;
import dev.portcullis.inspect.ManifestEntry;
import dev.portcullis.inspect.ReleaseDiff;
import dev.portcullis.publish.Artifact;
import dev.portcullis.publish.Release;
import dev.portcullis.publish.ReleaseState;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * One release as an approver needs it: the decision record with each reason, approvals so far and
 * who may still approve, the files with digests and provenance, the inspection's findings with the
 * offending lines, the diff against the previous release, and the decision forms.
 */
final class ReleasePage {

    /** Lists of paths longer than this are cut (with a link to all of them): a 10,000-file diff stays quick to read. */
    static final int LIST_LIMIT = 200;

    record View(
            Release release,
            List<DecisionRecord> decisions,
            List<ReleaseGate.Approval> approvals,
            Policy.Approval policy,
            List<Artifact> files,
            Map<Long, Map<String, Object>> provenance,
            List<InspectionService.FileReport> reports,
            String done,
            boolean all,
            Pages.KeyPrompt keys,
            List<String> stillEligible) {}

    private ReleasePage() {}

    static String href(Release release) {
        return href(release.project(), release.version());
    }

    static String href(String project, String version) {
        return "/ui/releases/" + segment(project) + "/" + segment(version);
    }

    private static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static Html render(WebRoutes.Caller caller, View v) {
        Release r = v.release();
        return Pages.page(r.project() + " " + r.version(), caller, html -> {
            html.open("h1")
                    .text(r.project() + " " + r.version() + " ")
                    .element(
                            "span",
                            r.state().wireName(),
                            "class",
                            "badge state-" + r.state().wireName())
                    .close("h1");
            String done = doneMessage(v.done());
            if (done != null) {
                html.element("p", done, "role", "status", "class", "done");
            }
            decision(html, v);
            approvals(html, v);
            files(html, v);
            inspection(html, v);
            forms(html, caller, v);
        });
    }

    private static String doneMessage(String code) {
        if (code == null) {
            return null;
        }
        return switch (code) {
            case "released" -> "Approved: the release is published.";
            case "counted" -> "Your approval is counted; the policy needs more people.";
            case "rejected" -> "Rejected: nothing of it will be served.";
            case "quarantined" -> "Quarantined: its files are no longer served.";
            default -> null;
        };
    }

    private static void decision(Html html, View v) {
        html.open("section", "aria-labelledby", "decision").element("h2", "Why it is here", "id", "decision");
        Release r = v.release();
        html.open("p")
                .text("Uploaded " + Pages.time(r.createdAt()) + ". ")
                .text(
                        r.decidedAt() == null
                                ? ""
                                : "Decided " + Pages.time(r.decidedAt()) + " by " + r.decidedBy()
                                        + (r.decisionReason() == null || "policy".equals(r.decidedBy())
                                                ? "" // the assessment's reasons follow, one by one
                                                : ": " + r.decisionReason())
                                        + ".")
                .close("p");
        if (v.decisions().isEmpty()) {
            html.element("p", "The gate has not assessed it yet.");
        } else {
            DecisionRecord latest = v.decisions().getFirst();
            html.open("p")
                    .text("The gate's assessment: " + latest.outcome().name().toLowerCase(java.util.Locale.ROOT)
                            + ", risk " + latest.risk() + " (policy version " + latest.policyVersion() + ", "
                            + Pages.time(latest.decidedAt()) + ").")
                    .close("p")
                    .open("ul", "class", "reasons");
            for (String reason : latest.reasons()) {
                html.element("li", reason);
            }
            html.close("ul");
        }
        html.close("section");
    }

    private static void approvals(Html html, View v) {
        long current =
                v.approvals().stream().filter(ReleaseGate.Approval::current).count();
        html.open("section", "aria-labelledby", "approvals")
                .element("h2", "Approvals", "id", "approvals")
                .element("p", current + " of " + v.policy().required() + " needed.");
        if (!v.approvals().isEmpty()) {
            html.open("ul");
            for (ReleaseGate.Approval a : v.approvals()) {
                html.element(
                        "li",
                        a.kind() + " by " + a.user() + ", " + Pages.time(a.approvedAt())
                                + (a.current() ? "" : " (for other files: does not count)"));
            }
            html.close("ul");
        }
        html.element(
                "p",
                "Who may approve: "
                        + (v.policy().roles().isEmpty()
                                ? ""
                                : "roles "
                                        + String.join(
                                                ", ",
                                                v.policy().roles().stream()
                                                        .map(role -> role.wireName())
                                                        .sorted()
                                                        .toList()))
                        + (v.policy().users().isEmpty()
                                ? ""
                                : "; users "
                                        + String.join(
                                                ", ",
                                                v.policy().users().stream()
                                                        .sorted()
                                                        .toList()))
                        + ". Nobody who uploaded a file of it; each person counts once.",
                "class",
                "hint");
        if (v.release().state() == ReleaseState.HELD || v.release().state() == ReleaseState.QUARANTINED) {
            html.element(
                    "p",
                    v.stillEligible().isEmpty()
                            ? "Nobody known here can still approve it (people whose role comes from the sign-in"
                                    + " provider's groups count when they sign in)."
                            : "Who can still approve: " + String.join(", ", v.stillEligible()) + ".");
        }
        html.open("p")
                .element(
                        "a",
                        "The project's policy and its versions",
                        "href",
                        "/ui/projects/" + segment(v.release().project()) + "/policy")
                .close("p");
        html.close("section");
    }

    private static void files(Html html, View v) {
        html.open("section", "aria-labelledby", "files")
                .element("h2", "Files", "id", "files")
                .open("table")
                .open("thead")
                .open("tr");
        for (String h : List.of("File", "Size", "SHA-256", "Uploaded", "Credential", "Provenance")) {
            html.element("th", h, "scope", "col");
        }
        html.close("tr").close("thead").open("tbody");
        for (Artifact f : v.files()) {
            html.open("tr")
                    .element("td", f.filename())
                    .element("td", String.format(java.util.Locale.ROOT, "%,d bytes", f.size()))
                    .open("td")
                    .element("code", f.sha256(), "class", "digest")
                    .close("td")
                    .element("td", Pages.time(f.uploadedAt()) + " by " + f.uploadedBy())
                    .element("td", f.viaTrustedPublisher() ? "trusted publisher (OIDC)" : "API token")
                    .open("td");
            Map<String, Object> provenance = v.provenance().get(f.id());
            if (provenance == null || provenance.isEmpty()) {
                html.text("none");
            } else {
                html.open("dl", "class", "compact");
                provenance.forEach((key, value) -> {
                    if (value != null) {
                        html.element("dt", key).element("dd", value);
                    }
                });
                html.close("dl");
            }
            html.close("td").close("tr");
        }
        html.close("tbody").close("table").close("section");
    }

    private static void inspection(Html html, View v) {
        html.open("section", "aria-labelledby", "inspection").element("h2", "Inspection and diff", "id", "inspection");
        for (InspectionService.FileReport report : v.reports()) {
            html.element("h3", report.filename());
            if (report.report() == null) {
                html.element(
                        "p", "Not inspected: " + report.error() + ". Such a file is never released without a person.");
                continue;
            }
            metadata(html, report.report().inspection());
            findings(html, report.report().findings());
            ReleaseDiff diff = report.report().diff();
            if (diff == null) {
                html.element("p", "The project's first release of this kind of file: nothing to compare with.");
            } else {
                diff(html, diff, v);
            }
        }
        html.close("section");
    }

    /** What the file says about itself: name, version, summary, declared facts, dependencies, entry points. */
    private static void metadata(Html html, dev.portcullis.inspect.Inspection inspection) {
        dev.portcullis.inspect.PackageMetadata m = inspection.metadata();
        html.element(
                "p",
                "Declares " + m.name() + " " + m.version() + (m.summary() == null ? "" : ": " + m.summary()) + " · "
                        + inspection.manifest().size() + " files"
                        + (inspection.complete() ? "" : " · INCOMPLETE: not every entry was read"));
        List<String> facts = m.facts().entrySet().stream()
                .filter(e -> !e.getKey().equals("metadata-version"))
                .map(e -> e.getKey() + ": " + e.getValue())
                .toList();
        facts(html, "Declared", facts);
        facts(html, "Dependencies", m.dependencies());
        facts(
                html,
                "Entry points",
                m.entryPoints().entrySet().stream()
                        .flatMap(group -> group.getValue().entrySet().stream()
                                .map(e -> group.getKey() + ": " + e.getKey() + " = " + e.getValue()))
                        .toList());
    }

    private static void findings(Html html, List<Finding> findings) {
        if (findings.isEmpty()) {
            html.element("p", "No findings.");
            return;
        }
        html.open("table", "class", "findings")
                .element("caption", findings.size() + " findings, most severe first")
                .open("thead")
                .open("tr");
        for (String h : List.of("Severity", "Finding", "Where", "Line")) {
            html.element("th", h, "scope", "col");
        }
        html.close("tr").close("thead").open("tbody");
        for (Finding f : findings) {
            String severity = f.severity().name().toLowerCase(java.util.Locale.ROOT);
            html.open("tr")
                    .element("td", severity, "class", "severity-" + severity)
                    .element("td", f.message() + " (" + f.rule() + ")")
                    .element("td", f.path() == null ? "" : f.path() + (f.line() == null ? "" : ":" + f.line()))
                    .open("td");
            if (f.excerpt() != null) {
                html.element("code", f.excerpt(), "class", "excerpt");
            }
            html.close("td").close("tr");
        }
        html.close("tbody").close("table");
    }

    private static void diff(Html html, ReleaseDiff d, View v) {
        ReleaseDiff.Totals t = d.totals();
        html.element(
                "p",
                "Compared with " + d.from() + ": " + d.added().size() + " files added, "
                        + d.removed().size() + " removed, " + d.changed().size() + " changed; "
                        + t.filesBefore() + " → " + t.filesAfter() + " files, "
                        + String.format(java.util.Locale.ROOT, "%,d → %,d", t.bytesBefore(), t.bytesAfter())
                        + " bytes unpacked.");
        facts(html, "Dependencies added", d.addedDependencies());
        facts(html, "Dependencies removed", d.removedDependencies());
        facts(html, "Dependencies changed", d.changedDependencies());
        facts(html, "New entry points", d.addedEntryPoints());
        facts(html, "Code that runs on import, changed", d.importTimeChanges());
        facts(html, "New top-level names", d.newTopLevel());
        facts(html, "Hidden folders", d.hiddenDirectories());
        facts(html, "Declared facts changed", d.changedFacts());
        paths(html, "Added", d.added().stream().map(ManifestEntry::path).toList(), v);
        paths(html, "Removed", d.removed().stream().map(ManifestEntry::path).toList(), v);
        paths(
                html,
                "Changed",
                d.changed().stream()
                        .map(c -> c.path() + " (" + c.sizeBefore() + " → " + c.sizeAfter() + " bytes)")
                        .toList(),
                v);
        for (ReleaseDiff.FileDiff fileDiff : d.diffs()) {
            Highlight.Language language = Highlight.of(fileDiff.path());
            html.open("details", "class", "diff")
                    .element("summary", fileDiff.path())
                    .open("pre")
                    .open("code");
            for (String line : fileDiff.unified().split("\n", -1)) {
                String kind = line.startsWith("+++") || line.startsWith("---")
                        ? "file"
                        : line.startsWith("@@")
                                ? "hunk"
                                : line.startsWith("+") ? "add" : line.startsWith("-") ? "del" : null;
                html.open("span", "class", kind);
                if (language != null && !line.isEmpty() && !"file".equals(kind) && !"hunk".equals(kind)) {
                    html.text(line.substring(0, 1));
                    Highlight.line(html, line.substring(1), language);
                } else {
                    html.text(line);
                }
                html.close("span").newline();
            }
            html.close("code").close("pre").close("details");
        }
    }

    private static void facts(Html html, String title, List<String> items) {
        if (items.isEmpty()) {
            return;
        }
        html.element("h4", title).open("ul");
        for (String item : items) {
            html.element("li", item);
        }
        html.close("ul");
    }

    private static void paths(Html html, String title, List<String> paths, View v) {
        if (paths.isEmpty()) {
            return;
        }
        html.open("details", "open", paths.size() <= 50 ? "open" : null)
                .element("summary", title + ": " + paths.size() + " files")
                .open("ul", "class", "paths");
        int shown = v.all() ? paths.size() : Math.min(LIST_LIMIT, paths.size());
        for (String p : paths.subList(0, shown)) {
            html.element("li", p);
        }
        html.close("ul");
        if (shown < paths.size()) {
            html.open("p")
                    .text((paths.size() - shown) + " more. ")
                    .element("a", "Show every file", "href", href(v.release()) + "?all#inspection")
                    .close("p");
        }
        html.close("details");
    }

    private static void forms(Html html, WebRoutes.Caller caller, View v) {
        ReleaseState state = v.release().state();
        if ((state != ReleaseState.HELD && state != ReleaseState.QUARANTINED)
                || !caller.principal().can(Permission.APPROVE, v.release().project())) {
            return;
        }
        html.open("section", "aria-labelledby", "decide").element("h2", "Decide", "id", "decide");
        String base = href(v.release());
        if (state == ReleaseState.HELD) {
            decisionForm(html, caller, v, base + "/approve", "Approve these files", "Comment (optional)", false, true);
            decisionForm(html, caller, v, base + "/reject", "Reject", "Reason (required)", true, false);
        } else {
            decisionForm(
                    html,
                    caller,
                    v,
                    base + "/unquarantine",
                    "Bring back from quarantine",
                    "Comment (optional)",
                    false,
                    true);
        }
        if (state == ReleaseState.HELD) {
            decisionForm(html, caller, v, base + "/quarantine", "Quarantine", "Reason (required)", true, false);
        }
        html.close("section");
    }

    private static void decisionForm(
            Html html,
            WebRoutes.Caller caller,
            View v,
            String action,
            String label,
            String noteLabel,
            boolean noteRequired,
            boolean bindsFiles) {
        String id = action.substring(action.lastIndexOf('/') + 1);
        boolean keys = v.keys().any();
        List<String> digests = v.files().stream().map(Artifact::sha256).toList();
        Pages.openForm(
                        html,
                        action,
                        "decision",
                        v.keys(),
                        KeyChallenges.decision(
                                caller.secret(),
                                id,
                                v.release().project(),
                                v.release().version(),
                                digests,
                                v.keys().nonce()))
                .open("fieldset")
                .element("legend", label)
                .empty("input", "type", "hidden", "name", "csrf", "value", caller.csrf());
        for (String digest : digests) {
            html.empty("input", "type", "hidden", "name", "files", "value", digest);
        }
        if (bindsFiles) {
            html.element(
                    "p",
                    "You approve exactly the " + v.files().size()
                            + " files listed above, by digest; a file that arrives later makes this approval fail.",
                    "class",
                    "hint");
        }
        html.element("label", noteLabel, "for", id + "-comment")
                .empty(
                        "input",
                        "type",
                        "text",
                        "id",
                        id + "-comment",
                        "name",
                        "comment",
                        "maxlength",
                        "500",
                        "required",
                        noteRequired ? "required" : null);
        Pages.codeField(
                        html,
                        id + "-otp",
                        keys ? "One-time code (leave empty to use your security key)" : "One-time code",
                        false,
                        !keys)
                .element("button", keys ? label + " with your key" : label, "type", "submit", "id", id + "-submit");
        Pages.keyStatus(html).close("fieldset").close("form");
    }
}
