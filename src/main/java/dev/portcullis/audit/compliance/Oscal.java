package dev.portcullis.audit.compliance;

import dev.portcullis.audit.compliance.ComplianceReport.Clause;
import dev.portcullis.audit.compliance.ComplianceReport.Control;
import dev.portcullis.audit.compliance.ComplianceReport.Status;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The report as an OSCAL 1.1.2 {@code assessment-results} document (docs/COMPLIANCE.md), for GRC
 * tools: one result for this run, the NIST SP 800-53 controls it reviewed, one observation per
 * Portcullis control (method TEST: collected automatically from live state) and one finding per
 * NIST control and Portcullis control, satisfied when the control is met. The other frameworks
 * travel as properties. UUIDs are version 5, derived from the report's time and the item, so the
 * same report always renders the same document.
 */
public final class Oscal {

    public static final String OSCAL_VERSION = "1.1.2";
    private static final String NS = "https://portcullis.dev/ns/oscal";
    private static final UUID NAMESPACE = UUID.fromString("6f2b7c1e-0d4a-5c39-9a57-2f3f0c6e8b11");

    private Oscal() {}

    public static Map<String, Object> assessmentResults(ComplianceReport report, String version) {
        String at = time(report.generatedAt());
        String seed = at + "/";
        String planUuid = uuid(seed + "assessment-plan");

        List<Map<String, Object>> observations = new ArrayList<>();
        List<Map<String, Object>> findings = new ArrayList<>();
        Set<String> reviewed = new LinkedHashSet<>();
        for (Control c : report.controls()) {
            String observationUuid = uuid(seed + "observation/" + c.id());
            Map<String, Object> observation = new LinkedHashMap<>();
            observation.put("uuid", observationUuid);
            observation.put("title", c.title());
            observation.put(
                    "description", c.statement() + " Status: " + c.status().wireName() + " — " + c.why() + ".");
            List<Map<String, Object>> props = new ArrayList<>();
            props.add(prop("portcullis-control", c.id()));
            props.add(prop("status", c.status().wireName().replace(' ', '-')));
            for (Clause k : c.clauses()) {
                if (!k.framework().equals(ComplianceReport.NIST)) {
                    props.add(prop(frameworkProp(k.framework()), k.id()));
                }
            }
            observation.put("props", props);
            observation.put("methods", List.of("TEST"));
            observation.put("types", List.of("control-objective"));
            List<Map<String, Object>> evidence = new ArrayList<>();
            c.evidence().forEach(e -> evidence.add(Map.of("description", e.label() + ": " + e.value())));
            c.events().forEach(seq -> evidence.add(Map.of("description", "event log sequence number " + seq)));
            if (!evidence.isEmpty()) {
                observation.put("relevant-evidence", evidence);
            }
            observation.put("collected", at);
            observations.add(observation);

            for (Clause k : c.clauses()) {
                if (!k.framework().equals(ComplianceReport.NIST)) {
                    continue;
                }
                reviewed.add(k.oscalId());
                Map<String, Object> status = new LinkedHashMap<>();
                status.put("state", c.status() == Status.MET ? "satisfied" : "not-satisfied");
                status.put(
                        "reason", c.status() == Status.MET ? "pass" : c.status() == Status.PARTLY ? "other" : "fail");
                if (c.status() == Status.PARTLY) {
                    status.put("remarks", "Partly met: " + c.why());
                }
                Map<String, Object> target = new LinkedHashMap<>();
                target.put("type", "objective-id");
                target.put("target-id", k.oscalId() + "_obj");
                target.put("title", k.id() + " " + k.title());
                target.put("status", status);
                Map<String, Object> finding = new LinkedHashMap<>();
                finding.put("uuid", uuid(seed + "finding/" + c.id() + "/" + k.oscalId()));
                finding.put("title", k.id() + ": " + c.title());
                finding.put(
                        "description", c.why() + "." + (k.note() == null ? "" : " " + k.id() + " " + k.note() + "."));
                finding.put("props", List.of(prop("portcullis-control", c.id())));
                finding.put("target", target);
                finding.put("related-observations", List.of(Map.of("observation-uuid", observationUuid)));
                findings.add(finding);
            }
        }

        Map<String, Object> result = new LinkedHashMap<>();
        result.put("uuid", uuid(seed + "result"));
        result.put("title", "Portcullis publish-gate controls");
        result.put(
                "description",
                "Automated assessment of the controls Portcullis enforces on " + report.instance()
                        + ", from live state; activity since " + time(report.periodStart()) + ".");
        result.put("start", time(report.periodStart()));
        result.put("end", at);
        result.put(
                "reviewed-controls",
                Map.of(
                        "control-selections",
                        List.of(Map.of(
                                "include-controls",
                                reviewed.stream()
                                        .map(id -> Map.of("control-id", id))
                                        .toList()))));
        result.put("observations", observations);
        result.put("findings", findings);

        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("title", "Portcullis compliance evidence: " + report.instance());
        metadata.put("last-modified", at);
        metadata.put("version", version);
        metadata.put("oscal-version", OSCAL_VERSION);

        Map<String, Object> plan = new LinkedHashMap<>();
        plan.put("uuid", planUuid);
        plan.put("title", "Portcullis built-in assessment");
        plan.put(
                "description",
                "The checks docs/COMPLIANCE.md describes, run by `portcullis report compliance` against live state; "
                        + "there is no separate assessment-plan document.");

        Map<String, Object> document = new LinkedHashMap<>();
        document.put("uuid", uuid(seed + "assessment-results"));
        document.put("metadata", metadata);
        document.put("import-ap", Map.of("href", "#" + planUuid));
        document.put("results", List.of(result));
        document.put("back-matter", Map.of("resources", List.of(plan)));
        return Map.of("assessment-results", document);
    }

    private static Map<String, Object> prop(String name, String value) {
        return Map.of("name", name, "ns", NS, "value", value);
    }

    private static String frameworkProp(String framework) {
        return switch (framework) {
            case ComplianceReport.ISO -> "iso-27001-2022";
            case ComplianceReport.SOC2 -> "soc2-tsc";
            case ComplianceReport.PCI -> "pci-dss-4.0";
            default -> "framework";
        };
    }

    /** RFC 3339 with seconds (OSCAL's date-time pattern takes at most what Instant prints). */
    private static String time(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** A name-based version 5 UUID (SHA-1, RFC 4122 section 4.3): OSCAL accepts versions 4 and 5. */
    static String uuid(String name) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            ByteBuffer ns = ByteBuffer.allocate(16)
                    .putLong(NAMESPACE.getMostSignificantBits())
                    .putLong(NAMESPACE.getLeastSignificantBits());
            sha1.update(ns.array());
            byte[] hash = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
            hash[6] = (byte) ((hash[6] & 0x0f) | 0x50);
            hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);
            ByteBuffer b = ByteBuffer.wrap(hash, 0, 16);
            return new UUID(b.getLong(), b.getLong()).toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
