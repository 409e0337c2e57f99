package dev.portcullis.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.events.RecordedEvent;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The event log over the API: filter, export (JSON Lines, CEF), follow (docs/WATCH.md). */
@Command(
        name = "events",
        description =
                "Read the event log: filter by project, kind, actor and time; export as JSON Lines or CEF; --follow.")
final class EventsCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Mixin
    ServerOptions server;

    @Option(names = "--project", description = "Only this project's events.")
    String project;

    @Option(names = "--kind", description = "Only events of this kind (UploadStaged, ReleaseApproved, AlertRaised, …).")
    String kind;

    @Option(names = "--actor", description = "Only events by this actor (e.g. 'token ab12…', 'user alice').")
    String actor;

    @Option(
            names = "--since",
            paramLabel = "INSTANT",
            description = "From this time (ISO-8601, e.g. 2026-04-30T00:00:00Z).")
    String since;

    @Option(names = "--until", paramLabel = "INSTANT", description = "Before this time.")
    String until;

    @Option(
            names = "--after",
            paramLabel = "SEQ",
            defaultValue = "0",
            description = "Only events after this sequence number.")
    long after;

    @Option(names = "--format", defaultValue = "table", description = "table (default), jsonl or cef.")
    String format;

    @Option(names = "--follow", description = "Keep printing new events as they are recorded (Ctrl-C stops).")
    boolean follow;

    @Option(
            names = "--poll",
            defaultValue = "2",
            paramLabel = "SECONDS",
            description = "How often --follow asks. Default: ${DEFAULT-VALUE}.")
    int poll;

    @Spec
    CommandSpec spec;

    @Override
    @SuppressWarnings("unchecked")
    public Integer call() throws Exception {
        if (!List.of("table", "jsonl", "cef").contains(format)) {
            throw new IllegalArgumentException("--format is table, jsonl or cef");
        }
        PrintWriter out = spec.commandLine().getOut();
        ApiClient client = server.client();
        long cursor = after;
        do {
            StringBuilder path = new StringBuilder("/api/v1/events?limit=1000&after=" + cursor);
            append(path, "project", project);
            append(path, "kind", kind);
            append(path, "actor", actor);
            append(path, "since", since);
            append(path, "until", until);
            Map<String, Object> body = client.get(path.toString());
            List<Map<String, Object>> events = (List<Map<String, Object>>) body.get("events");
            for (Map<String, Object> e : events) {
                out.println(render(e));
            }
            out.flush();
            cursor = ((Number) body.get("next_after")).longValue();
            if (events.size() < 1000 && follow) {
                Thread.sleep(poll * 1000L);
            }
        } while (follow && !Thread.currentThread().isInterrupted());
        return 0;
    }

    private static void append(StringBuilder path, String key, String value) {
        if (value != null) {
            path.append('&').append(key).append('=').append(ApiClient.segment(value));
        }
    }

    private String render(Map<String, Object> e) throws Exception {
        return switch (format) {
            case "jsonl" -> JSON.writeValueAsString(e);
            case "cef" ->
                new RecordedEvent(
                                ((Number) e.get("seq")).longValue(),
                                Instant.parse((String) e.get("time")),
                                (String) e.get("kind"),
                                (String) e.get("actor"),
                                (String) e.get("project"),
                                (String) e.get("subject"),
                                (String) e.get("source_ip"),
                                (String) e.get("user_agent"),
                                JSON.writeValueAsString(e.get("details")),
                                (String) e.get("hash"))
                        .cef();
            default ->
                String.format(
                        java.util.Locale.ROOT,
                        "%6s %s %-24s %-8s %-28s %-20s %s",
                        e.get("seq"),
                        e.get("time"),
                        e.get("kind"),
                        e.get("outcome"),
                        e.get("actor"),
                        e.get("project") == null ? "-" : e.get("project"),
                        JSON.writeValueAsString(e.get("details")));
        };
    }
}
