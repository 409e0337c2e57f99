package dev.portcullis.watch.http;

import dev.portcullis.core.Metric;
import dev.portcullis.http.ErrorStyle;
import dev.portcullis.http.Exchange;
import dev.portcullis.http.HttpRouter;
import dev.portcullis.http.Routes;
import dev.portcullis.store.Database;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;

/**
 * {@code GET /metrics} in the Prometheus text format: uploads and refusals, gate decisions by
 * outcome, signals by detector and severity (counted by this process since it started), alerts
 * raised, deliveries by state, and the delivery queue's depth. Counts that live in the database are
 * read at scrape time, so every process sharing it reports the same totals.
 */
public final class MetricsRoute implements Routes {

    private final Database database;
    private final List<Supplier<List<Metric>>> features;
    private final Map<String, LongAdder> signals = new ConcurrentHashMap<>();

    /** {@code features}: what each feature reports about its own tables (uploads and releases, refusals and events, decisions). */
    public MetricsRoute(Database database, List<Supplier<List<Metric>>> features) {
        this.database = database;
        this.features = List.copyOf(features);
    }

    @Override
    public void register(HttpRouter router) {
        router.get("/metrics", ErrorStyle.JSON, this::scrape);
    }

    /** Counts one signal (the gate calls this for each signal of each decision). */
    public void signal(String detector, String severity) {
        signals.computeIfAbsent(label("detector", detector) + "," + label("severity", severity), k -> new LongAdder())
                .increment();
    }

    public void scrape(Exchange exchange) {
        StringBuilder out = new StringBuilder();
        for (Supplier<List<Metric>> feature : features) {
            for (Metric metric : feature.get()) {
                header(out, metric.name(), metric.type(), metric.help());
                for (Metric.Sample sample : metric.samples()) {
                    out.append(metric.name());
                    if (!sample.labels().isEmpty()) {
                        out.append('{')
                                .append(String.join(
                                        ",",
                                        new TreeMap<>(sample.labels())
                                                .entrySet().stream()
                                                        .map(e -> label(e.getKey(), e.getValue()))
                                                        .toList()))
                                .append('}');
                    }
                    out.append(' ').append(sample.value()).append('\n');
                }
            }
        }
        database.withHandle(h -> {
            header(out, "portcullis_alerts_total", "counter", "Alerts raised by level.");
            grouped(h, "SELECT level, COUNT(*) FROM alerts GROUP BY level")
                    .forEach((level, n) -> out.append("portcullis_alerts_total{")
                            .append(label("level", level))
                            .append("} ")
                            .append(n)
                            .append('\n'));
            header(
                    out,
                    "portcullis_alert_deliveries",
                    "gauge",
                    "Alert deliveries by state (pending, delivered, failed).");
            grouped(h, "SELECT state, COUNT(*) FROM alert_deliveries GROUP BY state")
                    .forEach((state, n) -> out.append("portcullis_alert_deliveries{")
                            .append(label("state", state))
                            .append("} ")
                            .append(n)
                            .append('\n'));
            header(out, "portcullis_alert_delivery_failed_attempts_total", "counter", "Failed delivery attempts.");
            out.append("portcullis_alert_delivery_failed_attempts_total ")
                    .append(
                            count(
                                    h,
                                    "SELECT COALESCE(SUM(CASE WHEN state = 'delivered' THEN attempts - 1 ELSE attempts END), 0) FROM alert_deliveries"))
                    .append('\n');
            header(out, "portcullis_alert_queue_depth", "gauge", "Alert deliveries waiting to be sent.");
            out.append("portcullis_alert_queue_depth ")
                    .append(count(h, "SELECT COUNT(*) FROM alert_deliveries WHERE state = 'pending'"))
                    .append('\n');
            return null;
        });
        header(
                out,
                "portcullis_signals_total",
                "counter",
                "Detector signals in gate decisions, by detector and severity (this process).");
        new TreeMap<>(signals)
                .forEach((labels, n) -> out.append("portcullis_signals_total{")
                        .append(labels)
                        .append("} ")
                        .append(n.sum())
                        .append('\n'));
        exchange.text("text/plain; version=0.0.4; charset=utf-8", out.toString());
    }

    private static long count(Handle h, String sql) {
        return h.createQuery(sql).mapTo(Long.class).one();
    }

    private static Map<String, Long> grouped(Handle h, String sql) {
        Map<String, Long> out = new TreeMap<>();
        h.createQuery(sql)
                .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getLong(2)))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    private static void header(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ")
                .append(name)
                .append(' ')
                .append(help)
                .append('\n')
                .append("# TYPE ")
                .append(name)
                .append(' ')
                .append(type)
                .append('\n');
    }

    private static String label(String name, String value) {
        return name + "=\""
                + String.valueOf(value)
                        .replace("\\", "\\\\")
                        .replace("\"", "\\\"")
                        .replace("\n", "\\n") + "\"";
    }
}
