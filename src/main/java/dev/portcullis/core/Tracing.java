package dev.portcullis.core;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.Map;

/**
 * Spans for what crosses the process's edge (docs/OPERATIONS.md, "Tracing"): one server span per
 * HTTP request, named by its route template, and one client span per outbound request; inside a
 * request, {@link #inSpan} marks a costly step. Without an exporter ({@link #OFF}) the spans cost
 * nothing and record nothing.
 *
 * <p>What a span may hold is chosen like the access log: method, route template, status, client
 * address — never a query string, a header value or an outbound URL's path (webhook and chat URLs
 * are credentials), only the outbound host and port and what the request was for.
 */
public final class Tracing {

    public static final Tracing OFF = new Tracing(TracerProvider.noop(), false);

    private static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
    private static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");
    private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
    private static final AttributeKey<String> CLIENT = AttributeKey.stringKey("client.address");
    private static final AttributeKey<String> SERVER = AttributeKey.stringKey("server.address");
    private static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
    private static final AttributeKey<String> PURPOSE = AttributeKey.stringKey("portcullis.outbound.purpose");
    private static final AttributeKey<String> LINK = AttributeKey.stringKey("portcullis.link");

    private static final TextMapGetter<Map<String, String>> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    /** The tracing a request's work runs under (set with its server span), so features need no tracer of their own. */
    private static final io.opentelemetry.context.ContextKey<Tracing> CURRENT =
            io.opentelemetry.context.ContextKey.named("portcullis-tracing");

    /** Work that may fail with a checked exception. */
    @FunctionalInterface
    public interface Work<T, E extends Exception> {
        T run() throws E;
    }

    private final Tracer tracer;
    private final boolean on;

    /** Spans from {@code provider} (the SDK's, set up by the composition root). */
    public Tracing(TracerProvider provider) {
        this(provider, true);
    }

    private Tracing(TracerProvider provider, boolean on) {
        this.tracer = provider.get("dev.portcullis");
        this.on = on;
    }

    /** Whether spans are recorded at all (callers skip computing their attributes when not). */
    public boolean on() {
        return on;
    }

    /**
     * A server span for one request. A {@code traceparent} from a trusted proxy makes it a child of
     * the proxy's span (and the proxy's sampling decision stands); one from anyone else is not
     * followed — an anonymous client must not choose trace ids or force every request to be
     * recorded — but kept as a link, so the client's own trace can still be found.
     */
    public Span server(String method, String route, String client, String traceparent, boolean fromTrustedProxy) {
        Context parent = Context.root();
        SpanContext remote = SpanContext.getInvalid();
        boolean followed = false;
        if (traceparent != null) {
            Context extracted = W3CTraceContextPropagator.getInstance()
                    .extract(Context.root(), Map.of("traceparent", traceparent), HEADERS);
            remote = Span.fromContext(extracted).getSpanContext();
            if (fromTrustedProxy && remote.isValid()) {
                parent = extracted;
                followed = true;
            }
        }
        var builder = tracer.spanBuilder(route.isEmpty() ? method : method + " " + route)
                .setSpanKind(SpanKind.SERVER)
                .setParent(parent)
                .setAttribute(METHOD, method)
                .setAttribute(ROUTE, route)
                .setAttribute(CLIENT, client);
        if (remote.isValid() && !followed) {
            builder.addLink(remote, io.opentelemetry.api.common.Attributes.of(LINK, "untrusted traceparent"));
        }
        return builder.startSpan();
    }

    /** The context a request runs in: {@code span}, and this tracing for {@link #inSpan} inside it. */
    public Context context(Span span) {
        return span.storeInContext(Context.current().with(CURRENT, this));
    }

    /**
     * Runs {@code work} in a child span named {@code name} of the current request's span: the steps
     * of an upload (receiving, inspecting, assessing) show as parts of it.
     * Outside a traced request it just runs {@code work}. A failure marks the span an error with
     * the exception's kind, never its message.
     */
    public static <T, E extends Exception> T inSpan(String name, Work<T, E> work) throws E {
        Tracing tracing = Context.current().get(CURRENT);
        if (tracing == null || !tracing.on || !Span.current().getSpanContext().isValid()) {
            return work.run();
        }
        Span span = tracing.tracer.spanBuilder(name).startSpan();
        try (io.opentelemetry.context.Scope scope = span.makeCurrent()) {
            return work.run();
        } catch (Exception | Error e) {
            span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
            throw e;
        } finally {
            span.end();
        }
    }

    /** A client span for one outbound request, a child of whatever span is current. */
    public Span client(String method, String host, int port, String purpose) {
        return tracer.spanBuilder(method)
                .setSpanKind(SpanKind.CLIENT)
                .setAttribute(METHOD, method)
                .setAttribute(SERVER, host)
                .setAttribute(SERVER_PORT, (long) port)
                .setAttribute(PURPOSE, purpose)
                .startSpan();
    }

    /**
     * Ends a server or client span with the HTTP status (5xx marks it an error), or with the
     * failure's kind when there was no answer (never its message: it may name a URL).
     */
    public static void end(Span span, int status, Throwable failure) {
        if (failure != null) {
            span.setStatus(StatusCode.ERROR, failure.getClass().getSimpleName());
            span.setAttribute(
                    AttributeKey.stringKey("error.type"), failure.getClass().getName());
        } else {
            span.setAttribute(STATUS, (long) status);
            if (status >= 500) {
                span.setStatus(StatusCode.ERROR);
            }
        }
        span.end();
    }

    /** The trace id of {@code span}, or null when nothing is being recorded. */
    public static String traceId(Span span) {
        SpanContext context = span.getSpanContext();
        return context.isValid() ? context.getTraceId() : null;
    }
}
