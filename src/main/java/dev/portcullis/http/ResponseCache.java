package dev.portcullis.http;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.zip.GZIPOutputStream;

/**
 * The read path's cache: the 200 responses of public routes (index pages, metadata, file
 * downloads), each kept with the database's change number at the moment its handler started
 * ({@link #generation}). An entry is served only while that number is unchanged, so a response
 * computed before a release was approved, yanked or quarantined is never served after the
 * decision's transaction ended in this process; decisions of other processes sharing the database
 * are seen through the event log's head (docs/PERFORMANCE.md). Bounded in entries and bytes: when
 * full it starts over, so a client cycling request variants costs cache hits, never memory.
 */
final class ResponseCache {

    static final int MAX_ENTRIES = 10_000;
    static final long MAX_BYTES = 64L * 1024 * 1024;
    /** Bodies below this are not worth compressing. */
    private static final int GZIP_FROM = 1024;

    /** Response headers kept with an entry; the server sets the rest itself on every response. */
    private static final List<HttpString> SKIPPED =
            List.of(Headers.CONTENT_LENGTH, Headers.DATE, Headers.CONNECTION, Headers.TRANSFER_ENCODING, Headers.ETAG);

    /**
     * One cached response: its headers and either a body (with its gzip form, when worth it) or a
     * file sent zero-copy. Entity tags are strong; the gzip form has its own.
     */
    record Entry(
            long generation,
            List<Map.Entry<HttpString, String>> headers,
            String etag,
            byte[] body,
            byte[] gzip,
            Path file,
            long size) {

        long weight() {
            return (body == null ? 0 : body.length) + (gzip == null ? 0 : gzip.length) + 512;
        }
    }

    /** Where a handler's response is kept, if it turns out cacheable: the key and the change number at its start. */
    record Slot(ResponseCache cache, String key, long generation) {}

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicLong bytes = new AtomicLong();
    private final LongSupplier generation;

    ResponseCache(LongSupplier generation) {
        this.generation = generation;
    }

    /** The key of a request: its target (path and query, as sent) and what it accepts. */
    static String key(HttpServerExchange exchange) {
        String accept = exchange.getRequestHeaders().getFirst(Headers.ACCEPT);
        String query = exchange.getQueryString();
        return exchange.getRequestURI() + (query == null || query.isEmpty() ? "" : "?" + query) + "\n"
                + (accept == null ? "" : accept);
    }

    Slot slot(String key) {
        return new Slot(this, key, generation.getAsLong());
    }

    /** The entry for {@code key}, if it was computed at the current change number. */
    Entry current(String key) {
        Entry e = entries.get(key);
        return e != null && e.generation() == generation.getAsLong() ? e : null;
    }

    /** Keeps a body response (status 200) that a handler wrote; returns its entity tag. */
    String putBody(Slot slot, HttpServerExchange exchange, byte[] body) {
        String etag = etagOf(exchange, body);
        put(slot, new Entry(slot.generation(), headersOf(exchange), etag, body, gzip(body), null, body.length));
        return etag;
    }

    /** Keeps a whole-file response (status 200) that a handler sent. */
    void putFile(Slot slot, HttpServerExchange exchange, Path file, long size) {
        String etag = exchange.getResponseHeaders().getFirst(Headers.ETAG);
        put(slot, new Entry(slot.generation(), headersOf(exchange), etag, null, null, file, size));
    }

    int size() {
        return entries.size();
    }

    /** Synchronized so the byte count stays exact across a start-over (a miss path only, never a hit). */
    private synchronized void put(Slot slot, Entry entry) {
        if (entry.weight() > MAX_BYTES / 16) {
            return;
        }
        if (entries.size() >= MAX_ENTRIES || bytes.get() + entry.weight() > MAX_BYTES) {
            entries.clear();
            bytes.set(0);
        }
        Entry previous = entries.put(slot.key(), entry);
        bytes.addAndGet(entry.weight() - (previous == null ? 0 : previous.weight()));
    }

    private static List<Map.Entry<HttpString, String>> headersOf(HttpServerExchange exchange) {
        List<Map.Entry<HttpString, String>> out = new ArrayList<>();
        for (HeaderValues values : exchange.getResponseHeaders()) {
            if (SKIPPED.contains(values.getHeaderName())) {
                continue;
            }
            for (String v : values) {
                out.add(Map.entry(values.getHeaderName(), v));
            }
        }
        return List.copyOf(out);
    }

    /** The handler's own entity tag, else one from the body's digest. */
    private static String etagOf(HttpServerExchange exchange, byte[] body) {
        String own = exchange.getResponseHeaders().getFirst(Headers.ETAG);
        return own != null ? own : "\"" + dev.portcullis.store.Sha256.hex(body).substring(0, 32) + "\"";
    }

    /** The gzip form's entity tag: another representation, another tag (RFC 9110 §8.8.3). */
    static String gzipEtag(String etag) {
        return etag.endsWith("\"") ? etag.substring(0, etag.length() - 1) + "-gzip\"" : etag + "-gzip";
    }

    private static byte[] gzip(byte[] body) {
        if (body.length < GZIP_FROM) {
            return null;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 4 + 64);
        try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
            zip.write(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.size() < body.length ? out.toByteArray() : null;
    }
}
