package dev.portcullis.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Stopping lets running requests finish, refuses new ones, and the count cannot be driven below zero. */
class InFlightTest {

    @Test
    void stoppingWaitsForTheRunningRequestAndRefusesNewOnes() throws Exception {
        InFlight inFlight = new InFlight();
        assertThat(inFlight.enter()).isTrue();
        CountDownLatch stopping = new CountDownLatch(1);
        CompletableFuture<Boolean> stopped = CompletableFuture.supplyAsync(() -> {
            stopping.countDown();
            try {
                return inFlight.stop(Duration.ofMinutes(1));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        stopping.await();
        // The stop is waiting for the one running request (it cannot finish while one runs).
        assertThat(stopped).isNotDone();
        inFlight.exit();
        assertThat(stopped.get(1, TimeUnit.MINUTES)).isTrue();
        assertThat(inFlight.enter()).as("a request after the stop").isFalse();
        assertThat(inFlight.running()).isZero();
    }

    @Test
    void aStopThatTimesOutSaysSo() throws Exception {
        InFlight inFlight = new InFlight();
        inFlight.enter();
        assertThat(inFlight.stop(Duration.ofMillis(1))).isFalse();
        assertThat(inFlight.running()).isEqualTo(1);
    }

    @Test
    void aRequestCannotLeaveTwice() {
        InFlight inFlight = new InFlight();
        inFlight.enter();
        inFlight.exit();
        assertThatThrownBy(inFlight::exit).isInstanceOf(IllegalStateException.class);
        assertThat(inFlight.enter()).as("still serving").isTrue();
    }
}
