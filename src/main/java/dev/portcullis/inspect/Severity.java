package dev.portcullis.inspect;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * How bad a finding is, and what it contributes to a release's risk (0-100; docs/INSPECTION.md).
 * Low findings never hold a release on their own under the default policy; medium and above do.
 */
public enum Severity {
    INFO(0),
    LOW(10),
    MEDIUM(35),
    HIGH(60),
    CRITICAL(95);

    private final int score;

    Severity(int score) {
        this.score = score;
    }

    public int score() {
        return score;
    }

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean atLeast(Severity other) {
        return compareTo(other) >= 0;
    }

    @JsonCreator
    public static Severity fromWire(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
