package dev.portcullis.app.http;

import dev.portcullis.identity.IdentityException;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import io.undertow.server.handlers.GracefulShutdownHandler;
import io.undertow.util.Methods;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server: Undertow's core (no servlet container), every request handled on its own
 * virtual thread, with graceful shutdown. This is the one place where exceptions become error
 * responses, in the {@link ErrorStyle} of the route that failed.
 *
 * <p>Undertow rather than Jetty: PyPI clients show the HTTP reason phrase as the error message
 * (twine prints it), and Jetty 10 and later always send the standard phrase.
 */
public final class HttpServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);

  private final RoutingHandler routes = new RoutingHandler();
  private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
  private final String host;
  private final int port;
  private GracefulShutdownHandler shutdown;
  private Undertow undertow;

  public HttpServer(String host, int port) {
    this.host = host;
    this.port = port;
    routes.setFallbackHandler(
        exchange ->
            dispatch(exchange, ErrorStyle.JSON, e -> {
              throw HttpProblem.notFound("Not Found");
            }));
    routes.setInvalidMethodHandler(
        exchange ->
            dispatch(exchange, ErrorStyle.JSON, e -> {
              throw new HttpProblem(405, "Method Not Allowed");
            }));
  }

  public HttpServer get(String template, ErrorStyle style, Handler handler) {
    routes.add(Methods.GET, template, exchange -> dispatch(exchange, style, handler));
    routes.add(Methods.HEAD, template, exchange -> dispatch(exchange, style, handler));
    return this;
  }

  public HttpServer post(String template, ErrorStyle style, Handler handler) {
    routes.add(Methods.POST, template, exchange -> dispatch(exchange, style, handler));
    return this;
  }

  public void start() {
    shutdown = new GracefulShutdownHandler(routes);
    undertow =
        Undertow.builder()
            .addHttpListener(port, host)
            .setServerOption(UndertowOptions.ALWAYS_SET_DATE, true)
            .setServerOption(UndertowOptions.MAX_HEADER_SIZE, 64 * 1024)
            .setServerOption(UndertowOptions.ALLOW_ENCODED_SLASH, false)
            // Bodies are bounded by the handlers that read them (Exchange.body(max), jsonBody):
            // Undertow's own check fixes its limit when a chunked request starts and cannot be
            // raised for the upload route.
            .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, -1L)
            .setHandler(shutdown)
            .build();
    undertow.start();
  }

  /** The bound port (useful with port 0). */
  public int port() {
    return ((InetSocketAddress) undertow.getListenerInfo().getFirst().getAddress()).getPort();
  }

  /** Stops accepting requests, lets running ones finish (up to 30 s), then stops. */
  @Override
  public void close() {
    if (undertow == null) {
      return;
    }
    shutdown.shutdown();
    try {
      shutdown.awaitShutdown(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    undertow.stop();
    workers.close();
    undertow = null;
  }

  private void dispatch(HttpServerExchange exchange, ErrorStyle style, Handler handler) {
    HttpHandler blocking =
        ex -> {
          ex.startBlocking();
          run(new Exchange(ex), style, handler);
        };
    exchange.dispatch(workers, blocking);
  }

  private static void run(Exchange exchange, ErrorStyle style, Handler handler) {
    try {
      handler.handle(exchange);
    } catch (HttpProblem problem) {
      respond(exchange, style, problem.status(), problem.getMessage());
    } catch (IdentityException refused) {
      int status =
          switch (refused.reason()) {
            case INVALID -> 400;
            case NOT_FOUND -> 404;
            case FORBIDDEN, SECOND_FACTOR -> 403;
            case THROTTLED -> 429;
          };
      respond(exchange, style, status, refused.getMessage());
    } catch (Exception | Error e) {
      String reference = UUID.randomUUID().toString().substring(0, 8);
      LOG.error("request {} {} failed (reference {})", exchange.method(), exchange.path(), reference, e);
      respond(exchange, style, 500, "Internal server error (reference " + reference + ").");
    }
  }

  private static void respond(Exchange exchange, ErrorStyle style, int status, String message) {
    if (exchange.responseStarted()) {
      exchange.closeConnection();
      return;
    }
    exchange.status(status);
    switch (style) {
      case PYPI -> exchange.reason(message).text("text/plain; charset=utf-8", status + " " + message + "\n");
      case JSON ->
          exchange.json(Map.of("error", Map.of("status", status, "message", message)));
    }
  }
}
