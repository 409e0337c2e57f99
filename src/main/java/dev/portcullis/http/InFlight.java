package dev.portcullis.http;

import java.time.Duration;

/**
 * The requests being handled, so that stopping lets them finish. Counted where a handler runs —
 * one {@link #enter} and one {@link #exit} on the same thread — never from Undertow's completion
 * callbacks: when a timeout closes a connection under a blocked read, Undertow can complete an
 * exchange twice, and a count kept from those callbacks (Undertow's GracefulShutdownHandler) went
 * below zero into its "shut down" bit, after which every request was answered 503 for good.
 */
final class InFlight {

    private int running;
    private boolean stopping;

    /** Counts a request in; false once stopping, when it must be refused. */
    synchronized boolean enter() {
        if (stopping) {
            return false;
        }
        running++;
        return true;
    }

    /** Counts a request out; called exactly once for each {@link #enter} that returned true. */
    synchronized void exit() {
        if (running <= 0) {
            throw new IllegalStateException("a request left that never entered");
        }
        running--;
        if (running == 0) {
            notifyAll();
        }
    }

    synchronized int running() {
        return running;
    }

    /** Refuses new requests from now on and waits up to {@code max} for the running ones; true when none is left. */
    synchronized boolean stop(Duration max) throws InterruptedException {
        stopping = true;
        long deadline = System.nanoTime() + max.toNanos();
        while (running > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }
}
