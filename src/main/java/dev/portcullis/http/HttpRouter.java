package dev.portcullis.http;

/** Where a feature's HTTP adapter adds its routes (Undertow path templates: {@code /simple/{project}}). */
public interface HttpRouter {

    /** GET (and HEAD, answered without a body). */
    HttpRouter get(String template, ErrorStyle style, Handler handler);

    /**
     * A public GET (and HEAD) whose 200 answers depend only on the request target, its Accept
     * header and the database — never on who asks: they are cached until the database changes.
     */
    HttpRouter getPublic(String template, ErrorStyle style, Handler handler);

    HttpRouter post(String template, ErrorStyle style, Handler handler);

    HttpRouter put(String template, ErrorStyle style, Handler handler);

    HttpRouter delete(String template, ErrorStyle style, Handler handler);
}
