package dev.portcullis.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.core.Origin;
import dev.portcullis.core.Refusal;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.PathTemplateMatch;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Deque;
import java.util.Optional;

/** A thin, blocking view of one HTTP request and its response, for handlers. */
public final class Exchange {

    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServerExchange exchange;
    private final ClientAddress clients;
    private final ResponseCache.Slot cacheSlot;

    Exchange(HttpServerExchange exchange, ClientAddress clients) {
        this(exchange, clients, null);
    }

    /** An exchange of a public route: a 200 response it writes is kept in {@code cacheSlot}'s cache. */
    Exchange(HttpServerExchange exchange, ClientAddress clients, ResponseCache.Slot cacheSlot) {
        this.exchange = exchange;
        this.clients = clients;
        this.cacheSlot = cacheSlot;
    }

    public String method() {
        return exchange.getRequestMethod().toString();
    }

    public String path() {
        return exchange.getRequestPath();
    }

    /**
     * A path template parameter. An encoded slash ({@code %2F}, kept encoded while routing so it
     * cannot add a path segment) is decoded here: a scoped npm package {@code @scope%2Fname} is one
     * parameter, {@code @scope/name}.
     */
    public String pathParam(String name) {
        PathTemplateMatch match = exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY);
        String value = match == null ? null : match.getParameters().get(name);
        return value == null ? null : value.replace("%2F", "/").replace("%2f", "/");
    }

    public Optional<String> query(String name) {
        Deque<String> values = exchange.getQueryParameters().get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.getFirst());
    }

    public String header(String name) {
        HeaderValues values = exchange.getRequestHeaders().get(name);
        return values == null ? null : values.getFirst();
    }

    public long contentLength() {
        return exchange.getRequestContentLength();
    }

    /**
     * The request body, bounded: past {@code maxBytes} reads fail with an HTTP 413 problem and the
     * connection is closed. Every handler that reads a body reads it through this or {@link
     * #jsonBody}.
     */
    public InputStream body(long maxBytes) {
        return new java.io.FilterInputStream(requestStream()) {
            private long read;

            @Override
            public int read() throws java.io.IOException {
                int b = super.read();
                if (b >= 0) {
                    count(1);
                }
                return b;
            }

            @Override
            public int read(byte[] buffer, int off, int len) throws java.io.IOException {
                int n = super.read(buffer, off, len);
                if (n > 0) {
                    count(n);
                }
                return n;
            }

            private void count(int n) {
                read += n;
                if (read > maxBytes) {
                    closeConnection();
                    throw new Refusal.TooLarge("Request body larger than " + maxBytes + " bytes.");
                }
            }
        };
    }

    /** Reads a JSON request body of at most {@code maxBytes} bytes into {@code type}. */
    public <T> T jsonBody(Class<T> type, int maxBytes) {
        try {
            byte[] bytes = requestStream().readNBytes(maxBytes + 1);
            if (bytes.length > maxBytes) {
                throw new Refusal.Invalid("Request body larger than " + maxBytes + " bytes.");
            }
            if (bytes.length == 0) {
                return JSON.readValue("{}", type);
            }
            return JSON.readValue(bytes, type);
        } catch (IOException e) {
            throw new Refusal.Invalid("Request body is not valid JSON for this endpoint.");
        }
    }

    /** The client: its address (through trusted proxies, {@link ClientAddress}) and user agent. */
    public Origin origin() {
        InetSocketAddress peer = exchange.getSourceAddress();
        String ip = clients.of(peer == null ? null : peer.getAddress(), values("Forwarded"), values("X-Forwarded-For"));
        return new Origin(ip, header("User-Agent"));
    }

    /**
     * Whether the client reached us over HTTPS: the server itself speaks plain HTTP, so this is
     * what a trusted proxy says ({@code X-Forwarded-Proto: https} or {@code Forwarded: proto=https});
     * the header from anyone else is ignored.
     */
    public boolean secure() {
        if (!viaTrustedProxy()) {
            return false;
        }
        String proto = header("X-Forwarded-Proto");
        String forwarded = header("Forwarded");
        return "https".equalsIgnoreCase(proto == null ? "" : proto.split(",")[0].trim())
                || (forwarded != null
                        && forwarded.toLowerCase(java.util.Locale.ROOT).contains("proto=https"));
    }

    /** Whether the connection comes from a configured trusted proxy, whose forwarding headers count. */
    boolean viaTrustedProxy() {
        InetSocketAddress peer = exchange.getSourceAddress();
        return peer != null && clients.isTrustedProxy(peer.getAddress());
    }

    /** The value of cookie {@code name} in the request, or null. */
    public String cookie(String name) {
        io.undertow.server.handlers.Cookie cookie = exchange.getRequestCookie(name);
        return cookie == null ? null : cookie.getValue();
    }

    /** Adds a {@code Set-Cookie} header (the caller builds the value with its attributes). */
    public Exchange addSetCookie(String value) {
        exchange.getResponseHeaders().add(new HttpString("Set-Cookie"), value);
        return this;
    }

    /** Form fields of an {@code application/x-www-form-urlencoded} body of at most {@code maxBytes}. */
    public java.util.Map<String, String> formBody(int maxBytes) {
        String type = header("Content-Type");
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            throw new Refusal.Invalid("expected a form (application/x-www-form-urlencoded)");
        }
        byte[] bytes;
        try {
            bytes = requestStream().readNBytes(maxBytes + 1);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        if (bytes.length > maxBytes) {
            closeConnection();
            throw new Refusal.TooLarge("Form larger than " + maxBytes + " bytes.");
        }
        java.util.Map<String, String> fields = new java.util.LinkedHashMap<>();
        for (String pair : new String(bytes, StandardCharsets.US_ASCII).split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            try {
                String key = java.net.URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                fields.merge(key, value, (a, b) -> a + "\n" + b);
            } catch (IllegalArgumentException e) {
                throw new Refusal.Invalid("the form is not URL-encoded");
            }
        }
        return fields;
    }

    private java.util.List<String> values(String name) {
        HeaderValues values = exchange.getRequestHeaders().get(name);
        return values == null ? null : java.util.List.copyOf(values);
    }

    public Exchange status(int status) {
        exchange.setStatusCode(status);
        return this;
    }

    /** Sets a custom reason phrase; made safe for a status line (ISO-8859-1, no control bytes). */
    public Exchange reason(String reason) {
        exchange.setReasonPhrase(statusLineSafe(reason));
        return this;
    }

    public Exchange header(String name, String value) {
        exchange.getResponseHeaders().put(new HttpString(name), value);
        return this;
    }

    public void text(String contentType, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        header(Headers.CONTENT_TYPE_STRING, contentType);
        header(Headers.CONTENT_LENGTH_STRING, Long.toString(bytes.length));
        if (cacheSlot != null && exchange.getStatusCode() == 200) {
            // The first answer is tagged like the cached ones, so a client's If-None-Match works on either.
            String etag = cacheSlot.cache().putBody(cacheSlot, exchange, bytes);
            header("ETag", etag);
            if (HttpServer.matches(header("If-None-Match"), etag)) {
                exchange.getResponseHeaders().remove(Headers.CONTENT_LENGTH);
                status(304);
                exchange.endExchange();
                return;
            }
        }
        if (method().equals("HEAD")) {
            return;
        }
        try (OutputStream out = exchange.getOutputStream()) {
            out.write(bytes);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public void json(Object body) {
        json("application/json", body);
    }

    public void json(String contentType, Object body) {
        try {
            text(contentType, JSON.writeValueAsString(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("response is not serialisable", e);
        }
    }

    /**
     * JSON with a strong {@code ETag} (a digest of the body); a request whose {@code If-None-Match}
     * names it gets 304 and no body (how watchers poll cheaply).
     */
    public void jsonWithEtag(Object body) {
        String text;
        try {
            text = JSON.writeValueAsString(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("response is not serialisable", e);
        }
        String etag = "\"" + dev.portcullis.store.Sha256.hex(text).substring(0, 32) + "\"";
        header("ETag", etag);
        String ifNoneMatch = header("If-None-Match");
        if (ifNoneMatch != null
                && java.util.Arrays.stream(ifNoneMatch.split(","))
                        .map(String::trim)
                        .anyMatch(etag::equals)) {
            status(304);
            exchange.endExchange();
            return;
        }
        text("application/json", text);
    }

    public void redirect(int status, String location) {
        status(status).header("Location", location).text("text/plain; charset=utf-8", "");
    }

    private static final java.util.regex.Pattern RANGE = java.util.regex.Pattern.compile("bytes=(\\d*)-(\\d*)");

    /**
     * Answers a download of {@code file} (content-addressed: {@code etag} is its digest), whole or the
     * single byte range asked for ({@code Range: bytes=a-b}, {@code a-}, {@code -n}); 416 when the
     * range is outside the file. Registries' file routes share it.
     */
    public void download(java.nio.file.Path file, String etag, String contentType) throws IOException {
        long size = java.nio.file.Files.size(file);
        long start = 0;
        long end = size - 1;
        header("Accept-Ranges", "bytes").header("ETag", "\"" + etag + "\"");
        header("Content-Type", contentType);
        String range = header("Range");
        if (range != null) {
            java.util.regex.Matcher m = RANGE.matcher(range.trim());
            if (m.matches() && !(m.group(1).isEmpty() && m.group(2).isEmpty())) {
                if (m.group(1).isEmpty()) {
                    start = Math.max(0, size - Long.parseLong(m.group(2)));
                } else {
                    start = Long.parseLong(m.group(1));
                    end = m.group(2).isEmpty() ? size - 1 : Math.min(size - 1, Long.parseLong(m.group(2)));
                }
                if (start > end || start >= size) {
                    status(416).header("Content-Range", "bytes */" + size).text("text/plain; charset=utf-8", "");
                    return;
                }
                status(206).header("Content-Range", "bytes " + start + "-" + end + "/" + size);
            }
        }
        sendFile(file, start, end - start + 1);
    }

    /**
     * Sends {@code length} bytes of {@code file} from {@code start} as the body, zero-copy (the
     * socket channel's transfer from the file channel: sendfile on Linux). Headers must be set.
     */
    public void sendFile(java.nio.file.Path file, long start, long length) throws IOException {
        header(Headers.CONTENT_LENGTH_STRING, Long.toString(length));
        if (cacheSlot != null && exchange.getStatusCode() == 200 && start == 0) {
            cacheSlot.cache().putFile(cacheSlot, exchange, file, length);
        }
        if (method().equals("HEAD")) {
            return;
        }
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file)) {
            if (start != 0 || length != channel.size()) {
                // A range is copied: Undertow's transfer from a file can send a whole buffer past the
                // count when the response is not kept alive (found by ResponseCacheTest).
                try (InputStream in = java.nio.channels.Channels.newInputStream(channel.position(start));
                        OutputStream out = exchange.getOutputStream()) {
                    byte[] buffer = new byte[64 * 1024];
                    for (long left = length; left > 0; ) {
                        int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                        if (n < 0) {
                            break;
                        }
                        out.write(buffer, 0, n);
                        left -= n;
                    }
                }
                return;
            }
            org.xnio.channels.StreamSinkChannel out = exchange.getResponseChannel();
            org.xnio.channels.Channels.transferBlocking(out, channel, 0, length);
            out.shutdownWrites();
            org.xnio.channels.Channels.flushBlocking(out);
        }
    }

    /** The response body stream, for handlers that stream files. */
    public OutputStream output() {
        return exchange.getOutputStream();
    }

    /**
     * Undertow's request stream, where a read that a timeout or a vanished client ends from the I/O
     * thread fails as the IOException it is: Undertow's blocking stream can throw a
     * NullPointerException there (the buffer it was reading into was released under it), which
     * would otherwise be answered as an internal error and logged with a stack trace per attacking
     * connection.
     */
    private InputStream requestStream() {
        return new java.io.FilterInputStream(exchange.getInputStream()) {
            @Override
            public int read() throws IOException {
                try {
                    return super.read();
                } catch (NullPointerException | IllegalStateException closedUnderUs) {
                    throw new IOException("the connection closed while the request body was read", closedUnderUs);
                }
            }

            @Override
            public int read(byte[] buffer, int off, int len) throws IOException {
                try {
                    return super.read(buffer, off, len);
                } catch (NullPointerException | IllegalStateException closedUnderUs) {
                    throw new IOException("the connection closed while the request body was read", closedUnderUs);
                }
            }
        };
    }

    public boolean responseStarted() {
        return exchange.isResponseStarted();
    }

    /** Asks the server to close the connection after this response (e.g. after an unread body). */
    public void closeConnection() {
        exchange.setPersistent(false);
    }

    static String statusLineSafe(String reason) {
        StringBuilder out = new StringBuilder(Math.min(reason.length(), 512));
        for (int i = 0; i < reason.length() && out.length() < 512; i++) {
            char c = reason.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : (c >= 0xa0 && c <= 0xff ? c : '?'));
        }
        return out.toString();
    }
}
