package dev.portcullis.events;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The events a caller can trigger at will — refusals of anonymous or hostile requests — are
 * counted instead of written one by one: per kind, key (the source address, with the token id or
 * error code where there is one) and minute, the first {@value #WRITTEN_PER_KEY} are written at
 * once and the rest become one {@code EventsCounted} summary when the minute is over. At most
 * {@value #MAX_KEYS_PER_MINUTE} keys per kind and minute are told apart; beyond that they share
 * the key {@code *}. So a flood from any number of addresses writes a bounded number of rows per
 * minute ((3 + 1) x 100 per kind at most), and nothing it did is invisible.
 */
final class CountedEvents {

    static final int MAX_KEYS_PER_MINUTE = 100;
    static final int WRITTEN_PER_KEY = 3;

    private record Key(String kind, String key, long minute) {}

    private static final class Count {
        final AtomicLong seen = new AtomicLong();
        final Event first;

        Count(Event first) {
            this.first = first;
        }
    }

    private final Clock clock;
    private final Map<Key, Count> counts = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> keysPerKind = new ConcurrentHashMap<>();

    CountedEvents(Clock clock) {
        this.clock = clock;
    }

    /** Counts {@code event}; calls {@code write} with it when it is among the first of its kind, key and minute. */
    void count(Event event, String key, Consumer<Event> write) {
        long minute = clock.millis() / 60_000;
        String kindMinute = event.kind() + "@" + minute;
        Key k = new Key(event.kind(), key == null ? "?" : key, minute);
        if (!counts.containsKey(k)
                && keysPerKind
                                .computeIfAbsent(kindMinute, x -> new AtomicLong())
                                .incrementAndGet()
                        > MAX_KEYS_PER_MINUTE) {
            k = new Key(event.kind(), "*", minute);
        }
        Count count = counts.computeIfAbsent(k, x -> new Count(event));
        if (count.seen.incrementAndGet() <= WRITTEN_PER_KEY) {
            write.accept(event);
        }
    }

    /** Summaries of the minutes that are over (or of all, at shutdown), to be written as events. */
    List<Event> drain(boolean all) {
        long minute = clock.millis() / 60_000;
        List<Event> summaries = new ArrayList<>();
        for (Map.Entry<Key, Count> entry : List.copyOf(counts.entrySet())) {
            Key k = entry.getKey();
            if (!all && k.minute() >= minute) {
                continue;
            }
            counts.remove(k);
            keysPerKind.remove(k.kind() + "@" + k.minute());
            long more = entry.getValue().seen.get() - WRITTEN_PER_KEY;
            if (more > 0) {
                Event first = entry.getValue().first;
                Map<String, Object> details = new LinkedHashMap<>();
                details.put("kind", k.kind());
                details.put("key", k.key());
                details.put(
                        "minute",
                        java.time.Instant.ofEpochMilli(k.minute() * 60_000).toString());
                details.put("count", more);
                details.put("first", first.details());
                summaries.add(
                        new Event("EventsCounted", first.actor(), first.project(), k.kind(), first.origin(), details));
            }
        }
        return summaries;
    }
}
