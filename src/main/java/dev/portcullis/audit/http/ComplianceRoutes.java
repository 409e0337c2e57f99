package dev.portcullis.audit.http;

import dev.portcullis.audit.compliance.ComplianceEvidence;
import dev.portcullis.audit.compliance.ComplianceReport;
import dev.portcullis.audit.compliance.Oscal;
import dev.portcullis.core.Refusal;
import dev.portcullis.http.ErrorStyle;
import dev.portcullis.http.Exchange;
import dev.portcullis.http.HttpRouter;
import dev.portcullis.http.Routes;
import dev.portcullis.identity.ApiAuthenticator;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Principal;

/**
 * {@code GET /api/v1/audit/compliance?format=json|html|oscal}: the compliance evidence report
 * (docs/COMPLIANCE.md), built from live state on each request, for admins and auditors.
 */
public final class ComplianceRoutes implements Routes {

    private final ApiAuthenticator auth;
    private final ComplianceEvidence evidence;

    public ComplianceRoutes(ApiAuthenticator auth, ComplianceEvidence evidence) {
        this.auth = auth;
        this.evidence = evidence;
    }

    @Override
    public void register(HttpRouter router) {
        router.get("/api/v1/audit/compliance", ErrorStyle.JSON, this::report);
    }

    public void report(Exchange exchange) {
        Principal principal = auth.require(exchange);
        if (!principal.canEverywhere(Permission.READ)) {
            throw new Refusal.Forbidden(
                    "Forbidden: the compliance report needs a global read role (admin or auditor).");
        }
        String format = exchange.query("format").orElse("json");
        if (!format.equals("json") && !format.equals("html") && !format.equals("oscal")) {
            throw new Refusal.Invalid("format is json, html or oscal");
        }
        ComplianceReport report = evidence.report();
        switch (format) {
            case "html" -> exchange.text("text/html; charset=utf-8", report.html());
            case "oscal" ->
                exchange.json(
                        Oscal.assessmentResults(report, report.generatedAt().toString()));
            default -> exchange.json(report.toMap());
        }
    }
}
