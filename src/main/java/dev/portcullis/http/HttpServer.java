package dev.portcullis.http;

import dev.portcullis.core.Refusal;
import io.undertow.UndertowOptions;
import io.undertow.connector.ByteBufferPool;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import io.undertow.server.protocol.http.HttpOpenListener;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;

/**
 * The HTTP server: Undertow's core (no servlet container), every request handled on its own
 * virtual thread, with graceful shutdown. This is the one place where exceptions become error
 * responses, in the {@link ErrorStyle} of the route that failed.
 *
 * <p>Undertow rather than Jetty: PyPI clients show the HTTP reason phrase as the error message
 * (twine prints it), and Jetty 10 and later always send the standard phrase. The listener is built
 * on XNIO directly (as Undertow's own builder does) so that every accepted connection passes the
 * per-address cap first; with the timeouts and the overall cap of {@link HttpSettings}, no client
 * can hold connections, memory or threads for long (docs/CONFIGURATION.md).
 */
public final class HttpServer implements HttpRouter, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);

    private final RoutingHandler routes = new RoutingHandler();
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private final String host;
    private final int port;
    private final HttpSettings settings;
    private final ClientAddress clients;
    private final ResponseCache cache;
    private final java.util.List<Route> registered = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** A registered route: its method and Undertow path template. */
    public record Route(String method, String template) {}

    private final InFlight inFlight = new InFlight();
    private final dev.portcullis.core.Tracing tracing;
    private XnioWorker worker;
    private AcceptingChannel<StreamConnection> listener;

    /**
     * @param changes the database's change number (store/Database#changes): a cached public
     *     response is served only while it is the one it was computed at
     */
    public HttpServer(
            String host,
            int port,
            HttpSettings settings,
            java.util.function.LongSupplier changes,
            dev.portcullis.core.Tracing tracing) {
        this.host = host;
        this.port = port;
        this.settings = settings;
        this.tracing = tracing;
        this.clients = new ClientAddress(settings.trustedProxies());
        this.cache = new ResponseCache(changes);
        routes.setFallbackHandler(exchange -> dispatch(exchange, null, ErrorStyle.JSON, e -> {
            throw new Refusal.NotFound("Not Found");
        }));
        routes.setInvalidMethodHandler(exchange -> dispatch(exchange, null, ErrorStyle.JSON, e -> {
            throw new Refusal.MethodNotAllowed("Method Not Allowed");
        }));
    }

    @Override
    public HttpServer get(String template, ErrorStyle style, Handler handler) {
        registered.add(new Route("GET", template));
        routes.add(Methods.GET, template, exchange -> dispatch(exchange, template, style, handler));
        routes.add(Methods.HEAD, template, exchange -> dispatch(exchange, template, style, handler));
        return this;
    }

    /**
     * A public GET (and HEAD): its 200 answers depend only on the request target, its Accept header
     * and the database, never on who asks. They are kept ({@link ResponseCache}) and served again
     * from the I/O thread — no database, no worker thread, gzip and {@code If-None-Match} — until
     * the database changes.
     */
    @Override
    public HttpServer getPublic(String template, ErrorStyle style, Handler handler) {
        registered.add(new Route("GET", template));
        HttpHandler cached = exchange -> {
            String key = ResponseCache.key(exchange);
            ResponseCache.Entry hit = cache.current(key);
            if (hit == null || !serveCached(exchange, hit)) {
                dispatch(exchange, template, style, handler, cache.slot(key));
            }
        };
        routes.add(Methods.GET, template, cached);
        routes.add(Methods.HEAD, template, cached);
        return this;
    }

    /** Responses cached now (tests and metrics). */
    public int cachedResponses() {
        return cache.size();
    }

    /** Answers from a cache entry on the I/O thread; false when this request needs the handler (a range of a file). */
    private static boolean serveCached(HttpServerExchange exchange, ResponseCache.Entry entry) throws IOException {
        HeaderMap request = exchange.getRequestHeaders();
        FileChannel file = null;
        if (entry.file() != null) {
            if (request.contains(Headers.RANGE)) {
                return false;
            }
            try {
                file = FileChannel.open(entry.file());
            } catch (IOException gone) {
                return false;
            }
        }
        String encodings = request.getFirst(Headers.ACCEPT_ENCODING);
        boolean gzip = entry.gzip() != null && encodings != null && encodings.contains("gzip");
        String etag = entry.etag() == null ? null : gzip ? ResponseCache.gzipEtag(entry.etag()) : entry.etag();
        HeaderMap response = exchange.getResponseHeaders();
        for (Map.Entry<HttpString, String> h : entry.headers()) {
            response.add(h.getKey(), h.getValue());
        }
        if (entry.body() != null) {
            response.add(Headers.VARY, "Accept-Encoding");
        }
        if (etag != null) {
            response.put(Headers.ETAG, etag);
            if (matches(request.getFirst(Headers.IF_NONE_MATCH), etag)) {
                closeQuietly(file);
                exchange.setStatusCode(304);
                exchange.endExchange();
                return true;
            }
        }
        byte[] body = gzip ? entry.gzip() : entry.body();
        if (gzip) {
            response.put(Headers.CONTENT_ENCODING, "gzip");
        }
        response.put(Headers.CONTENT_LENGTH, body != null ? body.length : entry.size());
        if (exchange.getRequestMethod().equals(Methods.HEAD)) {
            closeQuietly(file);
            exchange.endExchange();
        } else if (body != null) {
            exchange.getResponseSender().send(java.nio.ByteBuffer.wrap(body));
        } else {
            FileChannel open = file;
            exchange.getResponseSender().transferFrom(open, new io.undertow.io.IoCallback() {
                @Override
                public void onComplete(HttpServerExchange ex, io.undertow.io.Sender sender) {
                    closeQuietly(open);
                    io.undertow.io.IoCallback.END_EXCHANGE.onComplete(ex, sender);
                }

                @Override
                public void onException(HttpServerExchange ex, io.undertow.io.Sender sender, IOException e) {
                    closeQuietly(open);
                    io.undertow.io.IoCallback.END_EXCHANGE.onException(ex, sender, e);
                }
            });
        }
        return true;
    }

    static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String tag : ifNoneMatch.split(",")) {
            String t = tag.trim();
            if (t.equals(etag) || t.equals("*")) {
                return true;
            }
        }
        return false;
    }

    private static void closeQuietly(FileChannel file) {
        if (file != null) {
            try {
                file.close();
            } catch (IOException e) {
                LOG.debug("closing a sent file: {}", e.toString());
            }
        }
    }

    @Override
    public HttpServer post(String template, ErrorStyle style, Handler handler) {
        registered.add(new Route("POST", template));
        routes.add(Methods.POST, template, exchange -> dispatch(exchange, template, style, handler));
        return this;
    }

    @Override
    public HttpServer put(String template, ErrorStyle style, Handler handler) {
        registered.add(new Route("PUT", template));
        routes.add(Methods.PUT, template, exchange -> dispatch(exchange, template, style, handler));
        return this;
    }

    @Override
    public HttpServer delete(String template, ErrorStyle style, Handler handler) {
        registered.add(new Route("DELETE", template));
        routes.add(Methods.DELETE, template, exchange -> dispatch(exchange, template, style, handler));
        return this;
    }

    /** Every route registered so far (the API description is checked against them). */
    public java.util.List<Route> routes() {
        return java.util.List.copyOf(registered);
    }

    /** Adds every adapter's routes. */
    public HttpServer register(java.util.List<? extends Routes> adapters) {
        adapters.forEach(adapter -> adapter.register(this));
        return this;
    }

    public void start() {
        // Expect: 100-continue (Maven's HTTP client sends it with every PUT and otherwise waits 3 s
        // before sending the body): "100 Continue" goes out when a handler starts reading the body,
        // so a request refused first (no token, no permission) never sends its body at all.
        HttpHandler logged = exchange -> {
            AccessLog.attach(exchange, settings.accessLog(), clients);
            routes.handleRequest(exchange);
        };
        HttpHandler root = new io.undertow.server.handlers.HttpContinueReadHandler(logged);
        OptionMap http = OptionMap.builder()
                .set(UndertowOptions.ALWAYS_SET_DATE, true)
                .set(UndertowOptions.MAX_HEADER_SIZE, 32 * 1024)
                .set(UndertowOptions.MAX_HEADERS, 100)
                .set(UndertowOptions.DECODE_SLASH, false)
                // Bodies are bounded by the handlers that read them (Exchange.body(max), jsonBody):
                // Undertow's own check fixes its limit when a chunked request starts and cannot be
                // raised for the upload route.
                .set(UndertowOptions.MAX_ENTITY_SIZE, -1L)
                .set(UndertowOptions.REQUEST_PARSE_TIMEOUT, (int)
                        settings.headerTimeout().toMillis())
                .set(UndertowOptions.NO_REQUEST_TIMEOUT, (int)
                        settings.idleTimeout().toMillis())
                .getMap();
        int ioThreads = Math.max(2, Runtime.getRuntime().availableProcessors());
        try {
            worker = Xnio.getInstance(HttpServer.class.getClassLoader())
                    .createWorker(OptionMap.builder()
                            .set(Options.WORKER_IO_THREADS, ioThreads)
                            .set(Options.WORKER_TASK_CORE_THREADS, 2)
                            .set(Options.WORKER_TASK_MAX_THREADS, 2)
                            .set(Options.WORKER_NAME, "portcullis-http")
                            .set(Options.TCP_NODELAY, true)
                            .getMap());
            // Heap buffers: direct ones are freed through sun.misc.Unsafe, which JDK 24+ warns about at every start.
            // No per-thread cache: every request runs on a new virtual thread, so a thread-local cache
            // was built (and registered with the pool) for each request and never reused.
            ByteBufferPool buffers = new DefaultByteBufferPool(false, 16 * 1024 - 20, -1, 0);
            HttpOpenListener open = new HttpOpenListener(buffers, http);
            open.setRootHandler(root);
            ConnectionLimit limited = new ConnectionLimit(open, settings.maxConnectionsPerAddress(), clients);
            OptionMap socket = OptionMap.builder()
                    .set(Options.WORKER_IO_THREADS, ioThreads)
                    .set(Options.TCP_NODELAY, true)
                    .set(Options.REUSE_ADDRESSES, true)
                    .set(Options.BALANCING_TOKENS, 1)
                    .set(Options.BALANCING_CONNECTIONS, 2)
                    .set(Options.BACKLOG, 1000)
                    .set(Options.CONNECTION_HIGH_WATER, settings.maxConnections())
                    .set(Options.CONNECTION_LOW_WATER, settings.maxConnections())
                    .set(Options.READ_TIMEOUT, (int) settings.bodyReadTimeout().toMillis())
                    .set(Options.WRITE_TIMEOUT, (int)
                            Math.max(60_000, settings.idleTimeout().toMillis()))
                    .getMap();
            ChannelListener<AcceptingChannel<StreamConnection>> accept = ChannelListeners.openListenerAdapter(limited);
            listener = worker.createStreamConnectionServer(
                    new InetSocketAddress(InetAddress.getByName(host), port), accept, socket);
            listener.resumeAccepts();
        } catch (java.net.BindException e) {
            close();
            throw new IllegalArgumentException(
                    "cannot listen on " + host + ":" + port + ": "
                            + (String.valueOf(e.getMessage()).contains("in use")
                                    ? "the port is in use (another Portcullis, or another server, is running there): stop it, or choose another port with --port"
                                    : e.getMessage() + " (check --host)"),
                    e);
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("cannot listen on " + host + ":" + port + " (" + e.getMessage() + ")", e);
        }
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return listener.getLocalAddress(InetSocketAddress.class).getPort();
    }

    /** Stops accepting requests, lets running ones finish (up to 30 s), then stops. */
    @Override
    public void close() {
        if (worker == null) {
            return;
        }
        if (listener != null) {
            try {
                listener.close();
            } catch (IOException e) {
                LOG.warn("closing the listener: {}", e.toString());
            }
            try {
                if (!inFlight.stop(Duration.ofSeconds(30))) {
                    LOG.warn("stopping with {} requests still running", inFlight.running());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        worker.shutdownNow();
        workers.close();
        worker = null;
        listener = null;
    }

    private void dispatch(HttpServerExchange exchange, String route, ErrorStyle style, Handler handler) {
        dispatch(exchange, route, style, handler, null);
    }

    private void dispatch(
            HttpServerExchange exchange, String route, ErrorStyle style, Handler handler, ResponseCache.Slot slot) {
        HttpHandler blocking = ex -> {
            ex.startBlocking();
            Exchange wrapped = new Exchange(ex, clients, slot);
            if (!inFlight.enter()) {
                respond(wrapped, style, 503, "The server is stopping.");
                return;
            }
            io.opentelemetry.api.trace.Span span = serverSpan(wrapped, route);
            try (io.opentelemetry.context.Scope scope = tracing.context(span).makeCurrent()) {
                AccessLog.traced(ex, dev.portcullis.core.Tracing.traceId(span));
                run(wrapped, style, handler);
            } finally {
                dev.portcullis.core.Tracing.end(span, ex.getStatusCode(), null);
                inFlight.exit();
            }
        };
        exchange.dispatch(
                task -> {
                    try {
                        workers.execute(task);
                    } catch (java.util.concurrent.RejectedExecutionException e) {
                        // Undertow answers 503 and logs it only at debug level: say why here.
                        LOG.warn(
                                "no thread for {} {}: {}",
                                exchange.getRequestMethod(),
                                exchange.getRequestPath(),
                                e.toString());
                        throw e;
                    }
                },
                blocking);
    }

    /** The request's span: named by its route template (unmatched requests by their method alone). */
    private io.opentelemetry.api.trace.Span serverSpan(Exchange exchange, String route) {
        if (!tracing.on()) {
            return io.opentelemetry.api.trace.Span.getInvalid();
        }
        return tracing.server(
                exchange.method(),
                route == null ? "" : route,
                exchange.origin().ip(),
                exchange.header("traceparent"),
                exchange.viaTrustedProxy());
    }

    private static void run(Exchange exchange, ErrorStyle style, Handler handler) {
        try {
            handler.handle(exchange);
        } catch (Refusal refused) {
            respond(exchange, style, status(refused), refused.getMessage());
        } catch (Exception | Error e) {
            String reference = UUID.randomUUID().toString().substring(0, 8);
            LOG.error("request {} {} failed (reference {})", exchange.method(), exchange.path(), reference, e);
            respond(exchange, style, 500, "Internal server error (reference " + reference + ").");
        }
    }

    /** The one mapping from a refusal to an HTTP status. */
    static int status(Refusal refused) {
        return switch (refused) {
            case Refusal.Invalid r -> 400;
            case Refusal.Unauthenticated r -> 401;
            case Refusal.Forbidden r -> 403;
            case Refusal.SecondFactor r -> 403;
            case Refusal.NotFound r -> 404;
            case Refusal.MethodNotAllowed r -> 405;
            case Refusal.Conflict r -> 409;
            case Refusal.Gone r -> 410;
            case Refusal.TooLarge r -> 413;
            case Refusal.Throttled r -> 429;
            case Refusal.Unavailable r -> 503;
        };
    }

    private static void respond(Exchange exchange, ErrorStyle style, int status, String message) {
        if (exchange.responseStarted()) {
            exchange.closeConnection();
            return;
        }
        exchange.status(status);
        try {
            switch (style) {
                case PYPI, MAVEN ->
                    exchange.reason(message).text("text/plain; charset=utf-8", status + " " + message + "\n");
                case JSON -> exchange.json(Map.of("error", Map.of("status", status, "message", message)));
                case NPM -> exchange.json(Map.of("error", message));
                case HTML -> HtmlErrors.respond(exchange, status, message);
            }
        } catch (java.io.UncheckedIOException gone) {
            // The client left, or a timeout closed the connection: nobody is there to read the answer.
            LOG.debug(
                    "{} {}: the answer {} could not be sent ({})",
                    exchange.method(),
                    exchange.path(),
                    status,
                    gone.getCause().toString());
        }
    }
}
