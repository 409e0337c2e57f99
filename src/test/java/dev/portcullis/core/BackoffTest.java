package dev.portcullis.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void doublesFromTheFirstPauseUpToTheCap() {
        Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(10));
        assertThat(backoff.after(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.after(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.after(5)).isEqualTo(Duration.ofSeconds(16));
        assertThat(backoff.after(10)).isEqualTo(Duration.ofSeconds(512));
        assertThat(backoff.after(11)).isEqualTo(Duration.ofMinutes(10));
        assertThat(backoff.after(1_000)).as("no overflow").isEqualTo(Duration.ofMinutes(10));
        assertThat(new Backoff(Duration.ofDays(400), Duration.ofDays(1000)).after(64))
                .isEqualTo(Duration.ofDays(1000));
    }
}
