package dev.portcullis.audit.http;

import dev.portcullis.audit.TokenAudit;
import dev.portcullis.core.Refusal;
import dev.portcullis.http.ErrorStyle;
import dev.portcullis.http.Exchange;
import dev.portcullis.http.HttpRouter;
import dev.portcullis.http.Routes;
import dev.portcullis.identity.ApiAuthenticator;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Principal;
import java.time.Clock;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code GET /api/v1/audit/tokens}: the token inventory, for admins and auditors. */
public final class AuditRoutes implements Routes {

    private final ApiAuthenticator auth;
    private final TokenAudit audit;
    private final Clock clock;
    private final java.util.function.Supplier<java.util.List<dev.portcullis.upstream.Promoter.Target>>
            upstreamCredentials;

    public AuditRoutes(
            ApiAuthenticator auth,
            TokenAudit audit,
            Clock clock,
            java.util.function.Supplier<java.util.List<dev.portcullis.upstream.Promoter.Target>> upstreamCredentials) {
        this.upstreamCredentials = upstreamCredentials;
        this.auth = auth;
        this.audit = audit;
        this.clock = clock;
    }

    @Override
    public void register(HttpRouter router) {
        router.get("/api/v1/audit/tokens", ErrorStyle.JSON, this::tokens);
    }

    public void tokens(Exchange exchange) {
        Principal principal = auth.require(exchange);
        if (!principal.canEverywhere(Permission.READ)) {
            throw new Refusal.Forbidden("Forbidden: the token audit needs a global read role (admin or auditor).");
        }
        List<TokenAudit.Row> rows = audit.inventory();
        Map<TokenAudit.Severity, Integer> counts = new EnumMap<>(TokenAudit.Severity.class);
        List<Map<String, Object>> out = rows.stream()
                .map(row -> {
                    Map<String, Object> json = row.token().asMap(clock.instant());
                    json.put("age_days", row.ageDays());
                    json.put("rotation_history", row.rotationHistory());
                    json.put(
                            "flags",
                            row.flags().stream()
                                    .map(f -> {
                                        counts.merge(f.severity(), 1, Integer::sum);
                                        return Map.of(
                                                "code",
                                                f.code(),
                                                "severity",
                                                f.severity().wireName(),
                                                "message",
                                                f.message());
                                    })
                                    .toList());
                    return json;
                })
                .toList();
        Map<String, Object> summary = new LinkedHashMap<>();
        for (TokenAudit.Severity s : TokenAudit.Severity.values()) {
            summary.put(s.wireName(), counts.getOrDefault(s, 0));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("generated_at", clock.instant().toString());
        body.put("summary", summary);
        body.put("tokens", out);
        // Credentials for upstream indexes (promotion): sealed at rest; their age and last use.
        body.put(
                "upstream_credentials",
                upstreamCredentials.get().stream()
                        .map(t -> {
                            Map<String, Object> row = new LinkedHashMap<>();
                            row.put("project", t.project());
                            row.put("upload_url", t.uploadUrl());
                            row.put("created_by", t.createdBy());
                            row.put(
                                    "age_days",
                                    java.time.Duration.between(t.createdAt(), clock.instant())
                                            .toDays());
                            row.put(
                                    "last_used_at",
                                    t.lastUsedAt() == null
                                            ? null
                                            : t.lastUsedAt().toString());
                            return row;
                        })
                        .toList());
        exchange.json(body);
    }
}
