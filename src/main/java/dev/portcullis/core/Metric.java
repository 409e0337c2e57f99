package dev.portcullis.core;

import java.util.List;
import java.util.Map;

/**
 * One Prometheus metric a feature reports about what it owns ({@code /metrics} assembles them):
 * its name, {@code counter} or {@code gauge}, its help text, and its samples by labels.
 */
public record Metric(String name, String type, String help, List<Sample> samples) {

    public Metric {
        samples = List.copyOf(samples);
    }

    /** One value of the metric, for one set of labels (none for an unlabelled metric). */
    public record Sample(Map<String, String> labels, long value) {}

    /** An unlabelled counter. */
    public static Metric counter(String name, String help, long value) {
        return new Metric(name, "counter", help, List.of(new Sample(Map.of(), value)));
    }

    /** A metric with one sample per value of label {@code label}. */
    public static Metric byLabel(String name, String type, String help, String label, Map<String, Long> values) {
        return new Metric(
                name,
                type,
                help,
                values.entrySet().stream()
                        .map(e -> new Sample(Map.of(label, e.getKey()), e.getValue()))
                        .toList());
    }
}
