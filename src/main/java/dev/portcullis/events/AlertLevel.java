package dev.portcullis.events;

import java.util.Locale;

/** How loud an alert is; sinks are configured with the lowest level they receive. */
public enum AlertLevel {
    INFO,
    LOW,
    MEDIUM,
    HIGH,
    CRITICAL;

    public static AlertLevel parse(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new dev.portcullis.core.Refusal.Invalid(
                    "severity must be info, low, medium, high or critical, not '" + name + "'");
        }
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** CEF severity, 0-10. */
    public int cef() {
        return switch (this) {
            case INFO -> 1;
            case LOW -> 3;
            case MEDIUM -> 5;
            case HIGH -> 8;
            case CRITICAL -> 10;
        };
    }
}
