package dev.portcullis.http;

import java.util.regex.Pattern;

/**
 * Builds HTML in which everything that is not a tag the code names is text, escaped: there is no
 * way to append markup from a string. Element and attribute names must be plain names (checked);
 * attribute values and text are always escaped. What packages control — names, file names,
 * descriptions, diff lines — can only ever become text.
 */
public final class Html {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]*");

    /**
     * The page's response headers: no script but the page's own files, no framing, no plugins, no
     * form posts elsewhere, no sniffing, no referrer leaving the site, nothing cached; HSTS over
     * HTTPS.
     */
    public static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self';"
            + " img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none';"
            + " base-uri 'none'";

    private final StringBuilder out = new StringBuilder(4096);

    /** A document: doctype, then what the caller adds. */
    public static Html document() {
        Html html = new Html();
        html.out.append("<!DOCTYPE html>\n");
        return html;
    }

    /** A fragment (tests, parts of a page). */
    public static Html fragment() {
        return new Html();
    }

    /** Opens {@code tag} with attributes given as name, value pairs (a null value leaves the attribute out). */
    public Html open(String tag, String... attributes) {
        out.append('<').append(name(tag));
        attributes(attributes);
        out.append('>');
        return this;
    }

    /** A void element ({@code input}, {@code meta}, {@code link}, {@code br}). */
    public Html empty(String tag, String... attributes) {
        return open(tag, attributes);
    }

    public Html close(String tag) {
        out.append("</").append(name(tag)).append('>');
        return this;
    }

    /** {@code <tag attributes>text</tag>}. */
    public Html element(String tag, Object text, String... attributes) {
        return open(tag, attributes).text(text).close(tag);
    }

    /** Text, escaped. */
    public Html text(Object text) {
        escape(text == null ? "" : String.valueOf(text), out);
        return this;
    }

    public Html newline() {
        out.append('\n');
        return this;
    }

    @Override
    public String toString() {
        return out.toString();
    }

    private void attributes(String... pairs) {
        if (pairs.length % 2 != 0) {
            throw new IllegalArgumentException("attributes are name, value pairs");
        }
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] == null) {
                continue;
            }
            out.append(' ').append(name(pairs[i])).append("=\"");
            escape(pairs[i + 1], out);
            out.append('"');
        }
    }

    private static String name(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not an element or attribute name: " + name);
        }
        return name;
    }

    /** Escapes text for an element's content or a quoted attribute value; drops control characters but tab and newline. */
    public static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        escape(text, out);
        return out.toString();
    }

    private static void escape(String text, StringBuilder out) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> {
                    if (c >= 0x20 || c == '\n' || c == '\t') {
                        out.append(c);
                    } else {
                        out.append('\uFFFD');
                    }
                }
            }
        }
    }

    /** Sends {@code html} as the response with the page's security headers. */
    public static void send(Exchange exchange, Html html) {
        headers(exchange);
        exchange.text("text/html; charset=utf-8", html.toString());
    }

    /** The page's security headers (see {@link #CONTENT_SECURITY_POLICY}). */
    public static void headers(Exchange exchange) {
        exchange.header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .header("X-Content-Type-Options", "nosniff")
                .header("X-Frame-Options", "DENY")
                .header("Referrer-Policy", "same-origin")
                .header("Cross-Origin-Opener-Policy", "same-origin")
                .header("Cross-Origin-Resource-Policy", "same-origin")
                .header("Cache-Control", "no-store");
        if (exchange.secure()) {
            exchange.header("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
        }
    }
}
