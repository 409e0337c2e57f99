package dev.portcullis.http;

/** The approver page's error answer: a short page with the status and the message, as text. */
final class HtmlErrors {

    private HtmlErrors() {}

    static void respond(Exchange exchange, int status, String message) {
        Html page = Html.document()
                .open("html", "lang", "en")
                .open("head")
                .empty("meta", "charset", "utf-8")
                .element("title", status + " · Portcullis")
                .empty("link", "rel", "stylesheet", "href", "/ui/static/portcullis.css")
                .close("head")
                .open("body")
                .open("main")
                .element("h1", status == 404 ? "Not found" : "Refused")
                .element("p", message, "class", "error", "role", "alert")
                .open("p")
                .element("a", "Back to the queue", "href", "/ui/")
                .close("p")
                .close("main")
                .close("body")
                .close("html");
        Html.send(exchange, page);
    }
}
