package dev.portcullis.core;

import java.time.Duration;

/** Exponential backoff: {@code first}, twice it, four times … never more than {@code cap}. */
public record Backoff(Duration first, Duration cap) {

    /** The pause after the {@code attempt}-th failure in a row (1-based). */
    public Duration after(int attempt) {
        int doublings = Math.max(0, Math.min(attempt - 1, 30));
        long millis = first.toMillis() > (Long.MAX_VALUE >> doublings) ? Long.MAX_VALUE : first.toMillis() << doublings;
        return Duration.ofMillis(Math.min(millis, cap.toMillis()));
    }
}
