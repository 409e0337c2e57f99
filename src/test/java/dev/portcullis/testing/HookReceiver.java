package dev.portcullis.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A webhook receiver on 127.0.0.1 that keeps every body it is sent and answers 204. */
public final class HookReceiver implements AutoCloseable {

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    private final List<String> bodies = Collections.synchronizedList(new ArrayList<>());
    private final HttpServer server;

    public HookReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/hook", exchange -> {
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The bodies received so far, in order (a live, synchronized view). */
    public List<String> bodies() {
        return bodies;
    }

    /** The bodies received so far, parsed as JSON. */
    public List<com.fasterxml.jackson.databind.JsonNode> json() {
        List<com.fasterxml.jackson.databind.JsonNode> out = new ArrayList<>();
        synchronized (bodies) {
            for (String body : bodies) {
                try {
                    out.add(JSON.readTree(body));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
