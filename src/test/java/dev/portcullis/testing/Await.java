package dev.portcullis.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The one way tests wait for something that another thread or process makes true (a server
 * process writing its first bytes, a connection being closed, a long poll parking): re-checked
 * often, failing with {@code what} after {@code timeout}. Never used to let time pass so that
 * something does not happen; for that, servers run without scheduled work and tests tick them.
 */
public final class Await {

    private Await() {}

    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + timeout.toSeconds() + " s for " + what);
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
            if (Thread.interrupted()) {
                throw new AssertionError("interrupted while waiting for " + what);
            }
        }
    }
}
