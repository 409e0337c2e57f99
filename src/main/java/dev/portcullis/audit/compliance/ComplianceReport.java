package dev.portcullis.audit.compliance;

import dev.portcullis.audit.Html;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compliance evidence (docs/COMPLIANCE.md): for each control Portcullis enforces, its status on
 * this instance, the evidence (counts, settings, examples, event sequence numbers) and the clauses
 * of NIST SP 800-53 Rev. 5, ISO/IEC 27001:2022, SOC 2 and PCI DSS v4.0 it supports.
 */
public record ComplianceReport(Instant generatedAt, Instant periodStart, String instance, List<Control> controls) {

    public enum Status {
        MET("met"),
        PARTLY("partly"),
        NOT_MET("not met");

        private final String wire;

        Status(String wire) {
            this.wire = wire;
        }

        public String wireName() {
            return wire;
        }
    }

    /** The frameworks, named as their current editions are. */
    public static final String NIST = "NIST SP 800-53 Rev. 5";

    public static final String ISO = "ISO/IEC 27001:2022 Annex A";
    public static final String SOC2 = "SOC 2 (TSC 2017)";
    public static final String PCI = "PCI DSS v4.0";

    /**
     * One clause a control supports. {@code formerly}: the ISO/IEC 27001:2013 numbers that common
     * write-ups still cite; {@code note}: where the clause applies only in part or by analogy.
     */
    public record Clause(String framework, String id, String title, String formerly, String note) {
        static Clause nist(String id, String title) {
            return new Clause(NIST, id, title, null, null);
        }

        static Clause nist(String id, String title, String note) {
            return new Clause(NIST, id, title, null, note);
        }

        static Clause iso(String id, String title, String formerly) {
            return new Clause(ISO, id, title, formerly, null);
        }

        /** A control new in the 2022 edition: there is no 2013 number to show. */
        static Clause isoNew(String id, String title) {
            return new Clause(ISO, id, title, null, "new in the 2022 edition");
        }

        static Clause soc2(String id, String title) {
            return new Clause(SOC2, id, title, null, null);
        }

        static Clause pci(String id, String title, String note) {
            return new Clause(PCI, id, title, null, note);
        }

        /** The OSCAL control id of a NIST clause ("IA-5(1)" → "ia-5.1"). */
        String oscalId() {
            return id.toLowerCase(java.util.Locale.ROOT).replace("(", ".").replace(")", "");
        }
    }

    /** A fact behind a status: a label and its value as a person reads it. */
    public record Evidence(String label, String value) {}

    public record Control(
            String id,
            String title,
            String statement,
            Status status,
            String why,
            List<Evidence> evidence,
            List<String> examples,
            List<Long> events,
            List<Clause> clauses) {
        public Control {
            evidence = List.copyOf(evidence);
            examples = List.copyOf(examples);
            events = List.copyOf(events);
            clauses = List.copyOf(clauses);
        }
    }

    public ComplianceReport {
        controls = List.copyOf(controls);
    }

    public long count(Status status) {
        return controls.stream().filter(c -> c.status() == status).count();
    }

    public Map<String, Object> toMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("generated_at", generatedAt.toString());
        out.put("period_start", periodStart.toString());
        out.put("instance", instance);
        Map<String, Object> summary = new LinkedHashMap<>();
        for (Status s : Status.values()) {
            summary.put(s.wireName(), count(s));
        }
        out.put("summary", summary);
        List<Map<String, Object>> list = new ArrayList<>();
        for (Control c : controls) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", c.id());
            m.put("title", c.title());
            m.put("statement", c.statement());
            m.put("status", c.status().wireName());
            m.put("why", c.why());
            m.put(
                    "evidence",
                    c.evidence().stream()
                            .map(e -> Map.of("label", e.label(), "value", e.value()))
                            .toList());
            m.put("examples", c.examples());
            m.put("event_seqs", c.events());
            m.put("mappings", c.clauses().stream().map(ComplianceReport::clause).toList());
            list.add(m);
        }
        out.put("controls", list);
        return out;
    }

    private static Map<String, Object> clause(Clause c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("framework", c.framework());
        m.put("id", c.id());
        m.put("title", c.title());
        if (c.formerly() != null) {
            m.put("iso_27001_2013", c.formerly());
        }
        if (c.note() != null) {
            m.put("note", c.note());
        }
        return m;
    }

    /** One printable page: the summary table first, then each control with its evidence and clauses. */
    public String html() {
        StringBuilder out = new StringBuilder();
        out.append(
                        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Portcullis compliance evidence</title>\n<style>")
                .append(Html.STYLE)
                .append("</style></head><body>\n<h1>Compliance evidence</h1>\n<p>")
                .append(Html.escape(instance))
                .append(", generated ")
                .append(generatedAt)
                .append(", period from ")
                .append(periodStart)
                .append(". ")
                .append(count(Status.MET))
                .append(" met, ")
                .append(count(Status.PARTLY))
                .append(" partly, ")
                .append(count(Status.NOT_MET))
                .append(" not met.</p>\n");
        out.append(
                "<table><thead><tr><th>Control</th><th>Status</th><th>NIST SP 800-53r5</th><th>ISO/IEC 27001:2022</th><th>SOC 2</th>"
                        + "<th>PCI DSS v4.0</th></tr></thead><tbody>\n");
        for (Control c : controls) {
            out.append("<tr><td><a href=\"#")
                    .append(c.id())
                    .append("\">")
                    .append(Html.escape(c.title()))
                    .append("</a></td><td class=\"")
                    .append(css(c.status()))
                    .append("\">")
                    .append(c.status().wireName())
                    .append("</td>");
            for (String framework : List.of(NIST, ISO, SOC2, PCI)) {
                out.append("<td>")
                        .append(Html.escape(String.join(
                                ", ",
                                c.clauses().stream()
                                        .filter(k -> k.framework().equals(framework))
                                        .map(k ->
                                                k.id() + (k.formerly() != null ? " (2013: " + k.formerly() + ")" : ""))
                                        .toList())))
                        .append("</td>");
            }
            out.append("</tr>\n");
        }
        out.append("</tbody></table>\n");
        for (Control c : controls) {
            out.append("<h2 id=\"")
                    .append(c.id())
                    .append("\">")
                    .append(Html.escape(c.title()))
                    .append(" — <span class=\"")
                    .append(css(c.status()))
                    .append("\">")
                    .append(c.status().wireName())
                    .append("</span></h2>\n<p>")
                    .append(Html.escape(c.statement()))
                    .append("</p>\n<p><em>")
                    .append(Html.escape(c.why()))
                    .append("</em></p>\n<table><tbody>\n");
            for (Evidence e : c.evidence()) {
                out.append("<tr><th>")
                        .append(Html.escape(e.label()))
                        .append("</th><td>")
                        .append(Html.escape(e.value()))
                        .append("</td></tr>\n");
            }
            out.append("</tbody></table>\n");
            if (!c.examples().isEmpty()) {
                out.append("<p>Examples:</p><ul>");
                c.examples()
                        .forEach(x -> out.append("<li>").append(Html.escape(x)).append("</li>"));
                out.append("</ul>\n");
            }
            if (!c.events().isEmpty()) {
                out.append("<p>Events (sequence numbers in the event log): ")
                        .append(Html.escape(String.join(
                                ", ", c.events().stream().map(String::valueOf).toList())))
                        .append("</p>\n");
            }
            out.append(
                    "<table><thead><tr><th>Framework</th><th>Clause</th><th>Title</th><th>Note</th></tr></thead><tbody>\n");
            for (Clause k : c.clauses()) {
                out.append("<tr><td>")
                        .append(Html.escape(k.framework()))
                        .append("</td><td>")
                        .append(Html.escape(k.id()))
                        .append(k.formerly() != null ? " <small>(2013: " + Html.escape(k.formerly()) + ")</small>" : "")
                        .append("</td><td>")
                        .append(Html.escape(k.title()))
                        .append("</td><td>")
                        .append(Html.escape(k.note()))
                        .append("</td></tr>\n");
            }
            out.append("</tbody></table>\n");
        }
        return out.append("</body></html>\n").toString();
    }

    private static String css(Status s) {
        return switch (s) {
            case MET -> "ok";
            case PARTLY -> "partly";
            case NOT_MET -> "bad";
        };
    }
}
