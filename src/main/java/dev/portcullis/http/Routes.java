package dev.portcullis.http;

/**
 * A feature's HTTP adapter: it knows its own routes and adds them. The composition root only
 * builds the adapters and hands each the router.
 */
@FunctionalInterface
public interface Routes {
    void register(HttpRouter router);
}
