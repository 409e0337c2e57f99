package dev.portcullis.watch.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.core.Refusal;
import dev.portcullis.events.EventLog;
import dev.portcullis.events.RecordedEvent;
import dev.portcullis.http.ErrorStyle;
import dev.portcullis.http.Exchange;
import dev.portcullis.http.HttpRouter;
import dev.portcullis.http.Routes;
import dev.portcullis.identity.ApiAuthenticator;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Principal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/v1/events}: the event log, filtered by project, kind, actor and time, paged by
 * sequence number ({@code after}); as JSON, JSON Lines ({@code format=jsonl}) or CEF lines
 * ({@code format=cef}). A project's readers see its events; everything needs a global read role.
 */
public final class EventRoutes implements Routes {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ApiAuthenticator auth;
    private final EventLog events;

    public EventRoutes(ApiAuthenticator auth, EventLog events) {
        this.auth = auth;
        this.events = events;
    }

    @Override
    public void register(HttpRouter router) {
        router.get("/api/v1/events", ErrorStyle.JSON, this::list);
    }

    public void list(Exchange exchange) {
        Principal principal = auth.require(exchange);
        String project = exchange.query("project").orElse(null);
        if (project == null ? !principal.canEverywhere(Permission.READ) : !principal.can(Permission.READ, project)) {
            throw new Refusal.Forbidden("Forbidden: reading "
                    + (project == null
                            ? "all events needs a global read role (admin or auditor)"
                            : "the events of '" + project + "' needs read permission on it")
                    + ".");
        }
        EventLog.Query query;
        try {
            query = new EventLog.Query(
                    project,
                    exchange.query("kind").orElse(null),
                    exchange.query("actor").orElse(null),
                    exchange.query("since").map(Instant::parse).orElse(null),
                    exchange.query("until").map(Instant::parse).orElse(null),
                    exchange.query("after").map(Long::parseLong).orElse(0L),
                    exchange.query("limit").map(Integer::parseInt).orElse(1000));
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new Refusal.Invalid(
                    "since and until are ISO-8601 instants (2026-04-30T03:00:00Z); after and limit are numbers");
        }
        List<RecordedEvent> found = events.query(query);
        if (!principal.canEverywhere(Permission.READ)) {
            found = found.stream().map(RecordedEvent::withTokenIdsMasked).toList();
        }
        String format = exchange.query("format").orElse("json");
        switch (format) {
            case "json" ->
                exchange.json(Map.of(
                        "events",
                        found.stream().map(EventRoutes::json).toList(),
                        "next_after",
                        found.isEmpty() ? query.afterSeq() : found.getLast().seq()));
            case "jsonl" ->
                exchange.text(
                        "application/x-ndjson",
                        String.join("", found.stream().map(e -> line(json(e))).toList()));
            case "cef" ->
                exchange.text(
                        "text/plain; charset=utf-8",
                        String.join("", found.stream().map(e -> e.cef() + "\n").toList()));
            default -> throw new Refusal.Invalid("format is json, jsonl or cef");
        }
    }

    public static Map<String, Object> json(RecordedEvent e) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("seq", e.seq());
        out.put("time", e.occurredAt().toString());
        out.put("kind", e.kind());
        out.put("outcome", e.outcome());
        out.put("actor", e.actor());
        out.put("project", e.project());
        out.put("subject", e.subject());
        out.put("source_ip", e.sourceIp());
        out.put("user_agent", e.userAgent());
        try {
            out.put("details", JSON.readTree(e.details()));
        } catch (JsonProcessingException ex) {
            out.put("details", e.details());
        }
        out.put("hash", e.hash());
        return out;
    }

    private static String line(Map<String, Object> json) {
        try {
            return JSON.writeValueAsString(json) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
