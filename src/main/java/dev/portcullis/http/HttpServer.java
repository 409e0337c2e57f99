package dev.portcullis.http;

import dev.portcullis.core.Refusal;
import io.undertow.UndertowOptions;
import io.undertow.connector.ByteBufferPool;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import io.undertow.server.handlers.GracefulShutdownHandler;
import io.undertow.server.protocol.http.HttpOpenListener;
import io.undertow.util.Methods;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
    private GracefulShutdownHandler shutdown;
    private XnioWorker worker;
    private AcceptingChannel<StreamConnection> listener;

    public HttpServer(String host, int port, HttpSettings settings) {
        this.host = host;
        this.port = port;
        this.settings = settings;
        this.clients = new ClientAddress(settings.trustedProxies());
        routes.setFallbackHandler(exchange -> dispatch(exchange, ErrorStyle.JSON, e -> {
            throw new Refusal.NotFound("Not Found");
        }));
        routes.setInvalidMethodHandler(exchange -> dispatch(exchange, ErrorStyle.JSON, e -> {
            throw new Refusal.MethodNotAllowed("Method Not Allowed");
        }));
    }

    @Override
    public HttpServer get(String template, ErrorStyle style, Handler handler) {
        routes.add(Methods.GET, template, exchange -> dispatch(exchange, style, handler));
        routes.add(Methods.HEAD, template, exchange -> dispatch(exchange, style, handler));
        return this;
    }

    @Override
    public HttpServer post(String template, ErrorStyle style, Handler handler) {
        routes.add(Methods.POST, template, exchange -> dispatch(exchange, style, handler));
        return this;
    }

    @Override
    public HttpServer put(String template, ErrorStyle style, Handler handler) {
        routes.add(Methods.PUT, template, exchange -> dispatch(exchange, style, handler));
        return this;
    }

    @Override
    public HttpServer delete(String template, ErrorStyle style, Handler handler) {
        routes.add(Methods.DELETE, template, exchange -> dispatch(exchange, style, handler));
        return this;
    }

    /** Adds every adapter's routes. */
    public HttpServer register(java.util.List<? extends Routes> adapters) {
        adapters.forEach(adapter -> adapter.register(this));
        return this;
    }

    public void start() {
        shutdown = new GracefulShutdownHandler(routes);
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
            ByteBufferPool buffers = new DefaultByteBufferPool(false, 16 * 1024 - 20, -1, 4);
            HttpOpenListener open = new HttpOpenListener(buffers, http);
            open.setRootHandler(shutdown);
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
            shutdown.shutdown();
            try {
                shutdown.awaitShutdown(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        worker.shutdownNow();
        workers.close();
        worker = null;
        listener = null;
    }

    private void dispatch(HttpServerExchange exchange, ErrorStyle style, Handler handler) {
        HttpHandler blocking = ex -> {
            ex.startBlocking();
            run(new Exchange(ex, clients), style, handler);
        };
        exchange.dispatch(workers, blocking);
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
        };
    }

    private static void respond(Exchange exchange, ErrorStyle style, int status, String message) {
        if (exchange.responseStarted()) {
            exchange.closeConnection();
            return;
        }
        exchange.status(status);
        switch (style) {
            case PYPI -> exchange.reason(message).text("text/plain; charset=utf-8", status + " " + message + "\n");
            case JSON -> exchange.json(Map.of("error", Map.of("status", status, "message", message)));
            case NPM -> exchange.json(Map.of("error", message));
        }
    }
}
