package dev.portcullis.audit.drill;

import dev.portcullis.audit.Html;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a drill run found (docs/DRILLS.md): per scenario the controls expected to fire, those that
 * fired with their evidence, the gate's decision and how long detection took. A scenario passes
 * when every expected control fired; the run passes when every scenario did.
 */
public record Scorecard(String server, Instant startedAt, Instant finishedAt, List<Result> scenarios) {

    /** One control's check: fired or not, and what showed it (a signal, an event, a status code). */
    public record Control(String id, boolean fired, String evidence) {}

    /**
     * One scenario's outcome. {@code detectionMillis} is the time from the attacking request until
     * the drill saw the decision and the alert (null when nothing was uploaded); {@code error} is set
     * when the scenario itself could not run, which counts as a failure.
     */
    public record Result(
            String scenario,
            String title,
            String project,
            List<Control> controls,
            String decision,
            Long detectionMillis,
            String error) {

        public Result {
            controls = List.copyOf(controls);
        }

        public boolean passed() {
            return error == null && !controls.isEmpty() && controls.stream().allMatch(Control::fired);
        }

        public List<String> missed() {
            return controls.stream().filter(c -> !c.fired()).map(Control::id).toList();
        }
    }

    public Scorecard {
        scenarios = List.copyOf(scenarios);
    }

    public boolean passed() {
        return !scenarios.isEmpty() && scenarios.stream().allMatch(Result::passed);
    }

    /** The scorecard as a JSON-ready map (also the DrillCompleted event's details). */
    public Map<String, Object> toMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("server", server);
        out.put("started_at", startedAt.toString());
        out.put("finished_at", finishedAt.toString());
        out.put("passed", passed());
        out.put(
                "failed",
                scenarios.stream()
                        .filter(r -> !r.passed())
                        .map(Result::scenario)
                        .toList());
        List<Map<String, Object>> list = new ArrayList<>();
        for (Result r : scenarios) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("scenario", r.scenario());
            s.put("title", r.title());
            s.put("project", r.project());
            s.put("passed", r.passed());
            s.put("decision", r.decision());
            s.put("detection_ms", r.detectionMillis());
            s.put("expected", r.controls().stream().map(Control::id).toList());
            s.put(
                    "fired",
                    r.controls().stream()
                            .filter(Control::fired)
                            .map(Control::id)
                            .toList());
            s.put("missed", r.missed());
            s.put(
                    "controls",
                    r.controls().stream()
                            .map(c -> Map.of("id", c.id(), "fired", c.fired(), "evidence", c.evidence()))
                            .toList());
            if (r.error() != null) {
                s.put("error", r.error());
            }
            list.add(s);
        }
        out.put("scenarios", list);
        return out;
    }

    /** A terminal table: one line per scenario, then each missed control with what was seen instead. */
    public String table() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(
                Locale.ROOT,
                "%-20s %-6s %-9s %-22s %-10s %s%n",
                "SCENARIO",
                "RESULT",
                "CONTROLS",
                "DECISION",
                "DETECTED",
                "MISSED"));
        for (Result r : scenarios) {
            long fired = r.controls().stream().filter(Control::fired).count();
            out.append(String.format(
                    Locale.ROOT,
                    "%-20s %-6s %-9s %-22s %-10s %s%n",
                    r.scenario(),
                    r.passed() ? "pass" : "FAIL",
                    fired + "/" + r.controls().size(),
                    r.decision() == null ? "-" : r.decision(),
                    r.detectionMillis() == null ? "-" : r.detectionMillis() + " ms",
                    r.error() != null ? "error: " + r.error() : String.join(", ", r.missed())));
        }
        for (Result r : scenarios) {
            for (Control c : r.controls()) {
                if (!c.fired()) {
                    out.append("  ")
                            .append(r.scenario())
                            .append(": ")
                            .append(c.id())
                            .append(" did not fire (")
                            .append(c.evidence())
                            .append(")\n");
                }
            }
        }
        long passed = scenarios.stream().filter(Result::passed).count();
        out.append(passed)
                .append(" of ")
                .append(scenarios.size())
                .append(" scenarios passed")
                .append(passed() ? "" : "; controls were missed")
                .append('\n');
        return out.toString();
    }

    /** One printable HTML page: the summary table, then every control of every scenario with its evidence. */
    public String html() {
        StringBuilder out = new StringBuilder();
        out.append(
                        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Portcullis drill scorecard</title>\n<style>")
                .append(Html.STYLE)
                .append("</style></head><body>\n");
        out.append("<h1>Detection drill scorecard</h1>\n<p>Server ")
                .append(Html.escape(server))
                .append(", ")
                .append(startedAt)
                .append(" to ")
                .append(finishedAt)
                .append(". <strong class=\"")
                .append(passed() ? "ok\">All scenarios passed" : "bad\">Controls were missed")
                .append("</strong>.</p>\n");
        out.append(
                "<table><thead><tr><th>Scenario</th><th>Result</th><th>Controls fired</th><th>Decision</th><th>Detected after</th>"
                        + "<th>Missed</th></tr></thead><tbody>\n");
        for (Result r : scenarios) {
            long fired = r.controls().stream().filter(Control::fired).count();
            out.append("<tr><td>")
                    .append(Html.escape(r.title()))
                    .append("<br><code>")
                    .append(Html.escape(r.scenario()))
                    .append("</code></td><td class=\"")
                    .append(r.passed() ? "ok\">pass" : "bad\">fail")
                    .append("</td><td>")
                    .append(fired)
                    .append(" / ")
                    .append(r.controls().size())
                    .append("</td><td>")
                    .append(Html.escape(r.decision() == null ? "-" : r.decision()))
                    .append("</td><td>")
                    .append(r.detectionMillis() == null ? "-" : r.detectionMillis() + " ms")
                    .append("</td><td>")
                    .append(Html.escape(r.error() != null ? "error: " + r.error() : String.join(", ", r.missed())))
                    .append("</td></tr>\n");
        }
        out.append("</tbody></table>\n");
        for (Result r : scenarios) {
            out.append("<h2>")
                    .append(Html.escape(r.title()))
                    .append("</h2>\n<p>Sandbox <code>")
                    .append(Html.escape(String.valueOf(r.project())))
                    .append(
                            "</code></p>\n<table><thead><tr><th>Control</th><th>Fired</th><th>Evidence</th></tr></thead><tbody>\n");
            for (Control c : r.controls()) {
                out.append("<tr><td><code>")
                        .append(Html.escape(c.id()))
                        .append("</code></td><td class=\"")
                        .append(c.fired() ? "ok\">yes" : "bad\">no")
                        .append("</td><td>")
                        .append(Html.escape(c.evidence()))
                        .append("</td></tr>\n");
            }
            out.append("</tbody></table>\n");
        }
        return out.append("</body></html>\n").toString();
    }
}
