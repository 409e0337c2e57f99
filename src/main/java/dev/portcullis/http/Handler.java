package dev.portcullis.http;

/** A route's handler. It runs on a virtual thread and may block. */
@FunctionalInterface
public interface Handler {
    void handle(Exchange exchange) throws Exception;
}
