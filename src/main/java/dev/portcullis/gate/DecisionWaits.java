package dev.portcullis.gate;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Where long polls for a decision wait ({@code release wait} in CI): woken as soon as this process
 * commits a decision, and re-checking at a slow pace for decisions another process sharing the
 * database made. Waiting costs no database queries in between, however many wait.
 */
public final class DecisionWaits {

    /** How often a waiter re-reads the release anyway (decisions committed by another process). */
    static final Duration RECHECK = Duration.ofSeconds(2);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition decided = lock.newCondition();
    private final AtomicLong generation = new AtomicLong();
    private final AtomicInteger waiting = new AtomicInteger();

    /** A decision was committed: every waiter re-reads its release. */
    public void decided() {
        lock.lock();
        try {
            generation.incrementAndGet();
            decided.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** How many requests are waiting now. */
    public int waiting() {
        return waiting.get();
    }

    /** Waits until {@code done} holds (read afresh after every decision and every {@link #RECHECK}) or {@code timeout} passed. */
    public void await(BooleanSupplier done, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        waiting.incrementAndGet();
        try {
            while (true) {
                long seen = generation.get();
                if (done.getAsBoolean()) {
                    return;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                lock.lock();
                try {
                    if (generation.get() == seen) {
                        decided.await(Math.min(left, RECHECK.toNanos()), TimeUnit.NANOSECONDS);
                    }
                } finally {
                    lock.unlock();
                }
            }
        } finally {
            waiting.decrementAndGet();
        }
    }
}
