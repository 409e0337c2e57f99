package dev.portcullis.identity;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts failed authentications in memory, per source address and per token id <em>and</em>
 * source, over a sliding window. Only failing attempts are ever throttled: a presented token is
 * always checked, and a correct secret is accepted whatever was counted — so nobody can lock a
 * legitimate holder out by forging tokens with its id or by failing from a shared address (a proxy,
 * a NAT). What the throttle buys is a clear 429 for a guesser, the burst alert, and no work beyond
 * a counter per attempt. Bounded: at most {@value #MAX_KEYS} keys; stale ones are dropped first,
 * and past that new keys are not tracked (which can only make a failing attempt answer 401 instead
 * of 429). Counts are per process.
 */
final class FailureThrottle {

    static final int MAX_KEYS = 100_000;

    /** What one failure did: whether this attempt is over a limit, and whether its address just crossed it. */
    record Outcome(boolean throttled, boolean addressCrossedLimit) {}

    private final Duration window;
    private final int perAddress;
    private final int perTokenAndAddress;
    private final Map<String, ArrayDeque<Long>> failures = new ConcurrentHashMap<>();

    FailureThrottle(Duration window, int perAddress, int perTokenAndAddress) {
        this.window = window;
        this.perAddress = perAddress;
        this.perTokenAndAddress = perTokenAndAddress;
    }

    /** Records one failed attempt from {@code address} naming {@code tokenId} (either may be null). */
    Outcome failed(String address, String tokenId, Instant now) {
        String source = address == null ? "?" : address;
        int fromAddress = record("a " + source, now);
        int forToken = tokenId == null ? 0 : record("t " + tokenId + " " + source, now);
        boolean throttled = fromAddress > perAddress || forToken > perTokenAndAddress;
        return new Outcome(throttled, fromAddress == perAddress);
    }

    /** How many failures from {@code address} are in the window (for tests and metrics). */
    int recent(String address, Instant now) {
        ArrayDeque<Long> times = failures.get("a " + address);
        if (times == null) {
            return 0;
        }
        synchronized (times) {
            expire(times, now);
            return times.size();
        }
    }

    private int record(String key, Instant now) {
        ArrayDeque<Long> times = failures.get(key);
        if (times == null) {
            if (failures.size() >= MAX_KEYS) {
                failures.values().removeIf(t -> {
                    synchronized (t) {
                        expire(t, now);
                        return t.isEmpty();
                    }
                });
                if (failures.size() >= MAX_KEYS) {
                    return 0;
                }
            }
            times = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
        }
        synchronized (times) {
            expire(times, now);
            times.addLast(now.toEpochMilli());
            // Never more than one past the larger limit is needed to answer.
            while (times.size() > Math.max(perAddress, perTokenAndAddress) + 1) {
                times.removeFirst();
            }
            return times.size();
        }
    }

    private void expire(ArrayDeque<Long> times, Instant now) {
        long cutoff = now.minus(window).toEpochMilli();
        while (!times.isEmpty() && times.peekFirst() <= cutoff) {
            times.removeFirst();
        }
    }
}
