package dev.portcullis.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.undertow.server.HttpServerExchange;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per request when it completes (logger {@code dev.portcullis.access}): method, path,
 * status, bytes sent, milliseconds, client address (through trusted proxies) and user agent. The
 * query string is never logged — an OAuth {@code code} or a {@code state} travels there — nor are
 * any headers but the user agent — and a trace id: the request's own span's when tracing is on
 * ({@code core/Tracing}), otherwise that of a W3C {@code traceparent} header, so a line can be found
 * from the trace it belongs to. {@code json} writes each line as one JSON
 * object for log shippers.
 */
public final class AccessLog {

    public enum Format {
        OFF,
        TEXT,
        JSON;

        public static Format parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("the access log is text, json or off, not " + text);
            }
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger("dev.portcullis.access");

    private AccessLog() {}

    private static final io.undertow.util.AttachmentKey<String> TRACE =
            io.undertow.util.AttachmentKey.create(String.class);

    /** The trace id of the request's own span (tracing on), which the line then carries instead of the client's. */
    static void traced(HttpServerExchange exchange, String traceId) {
        if (traceId != null) {
            exchange.putAttachment(TRACE, traceId);
        }
    }

    /** Arranges for {@code exchange} to be logged when it completes. */
    static void attach(HttpServerExchange exchange, Format format, ClientAddress clients) {
        if (format == Format.OFF) {
            return;
        }
        long start = System.nanoTime();
        exchange.addExchangeCompleteListener((ex, next) -> {
            try {
                LOG.info(line(ex, format, clients, (System.nanoTime() - start) / 1_000_000));
            } finally {
                next.proceed();
            }
        });
    }

    static String line(HttpServerExchange ex, Format format, ClientAddress clients, long millis) {
        InetSocketAddress peer = ex.getSourceAddress();
        String client = clients.of(
                peer == null ? null : peer.getAddress(), values(ex, "Forwarded"), values(ex, "X-Forwarded-For"));
        String agent = ex.getRequestHeaders().getFirst("User-Agent");
        String method = ex.getRequestMethod().toString();
        String path = ex.getRequestPath();
        int status = ex.getStatusCode();
        long bytes = ex.getResponseBytesSent();
        String trace = ex.getAttachment(TRACE);
        if (trace == null) {
            trace = traceId(ex.getRequestHeaders().getFirst("traceparent"));
        }
        if (format == Format.JSON) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("method", method);
            json.put("path", path);
            json.put("status", status);
            json.put("bytes", bytes);
            json.put("ms", millis);
            json.put("client", client);
            json.put("agent", agent);
            if (trace != null) {
                json.put("trace", trace);
            }
            try {
                return Exchange.JSON.writeValueAsString(json);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        return method + " " + printable(path) + " " + status + " " + bytes + "B " + millis + "ms " + client + " \""
                + printable(agent == null ? "-" : agent).replace("\"", "'") + "\""
                + (trace == null ? "" : " trace=" + trace);
    }

    /**
     * The trace id of a W3C Trace Context {@code traceparent} ({@code 00-<32 hex>-<16 hex>-<2 hex>}),
     * or null when there is none or it is malformed (an all-zero id is invalid): nothing else of a
     * client's header reaches the log.
     */
    static String traceId(String traceparent) {
        if (traceparent == null
                || !traceparent.matches("[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}")
                || traceparent.startsWith("ff")) {
            return null;
        }
        String id = traceparent.substring(3, 35);
        return id.equals("0".repeat(32)) || traceparent.substring(36, 52).equals("0".repeat(16)) ? null : id;
    }

    private static List<String> values(HttpServerExchange ex, String name) {
        var values = ex.getRequestHeaders().get(name);
        return values == null ? null : List.copyOf(values);
    }

    /** No control characters in a text line (a forged path or agent cannot start a line of its own). */
    private static String printable(String s) {
        StringBuilder out = new StringBuilder(Math.min(s.length(), 500));
        for (int i = 0; i < s.length() && out.length() < 500; i++) {
            char c = s.charAt(i);
            out.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return out.toString();
    }
}
