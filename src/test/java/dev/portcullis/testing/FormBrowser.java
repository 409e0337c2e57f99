package dev.portcullis.testing;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a browser does with forms and cookies, over plain HTTP, for tests of the web page that do
 * not need a real browser: keeps the cookies the server sets (every attribute kept, to be asserted),
 * sends them back to the same host, posts URL-encoded forms, and follows no redirect by itself.
 */
public final class FormBrowser {

    /** A cookie as set: its name, value and the whole Set-Cookie line. */
    public record Cookie(String name, String value, String setCookie) {}

    private final HttpClient http =
            HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private final Map<String, Cookie> cookies = new LinkedHashMap<>();
    private final String base;

    public FormBrowser(String base) {
        this.base = base;
    }

    public Map<String, Cookie> cookies() {
        return cookies;
    }

    /** Another browser holding the same cookies (a stolen session). */
    public FormBrowser copy() {
        FormBrowser other = new FormBrowser(base);
        other.cookies.putAll(cookies);
        return other;
    }

    public HttpResponse<String> get(String pathOrUrl) {
        return send(HttpRequest.newBuilder(uri(pathOrUrl)).GET(), pathOrUrl);
    }

    /** Posts a form; each value of a list is sent as its own field of that name. */
    public HttpResponse<String> post(String path, Map<String, ?> fields, String... headers) {
        List<String> pairs = new ArrayList<>();
        fields.forEach((k, v) -> {
            List<?> values = v instanceof List<?> list ? list : List.of(v);
            for (Object value : values) {
                pairs.add(encode(k) + "=" + encode(String.valueOf(value)));
            }
        });
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(String.join("&", pairs)));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return send(request, path);
    }

    private URI uri(String pathOrUrl) {
        return URI.create(pathOrUrl.startsWith("http") ? pathOrUrl : base + pathOrUrl);
    }

    private HttpResponse<String> send(HttpRequest.Builder request, String pathOrUrl) {
        boolean ours = !pathOrUrl.startsWith("http") || pathOrUrl.startsWith(base);
        if (ours && !cookies.isEmpty()) {
            request.header(
                    "Cookie",
                    String.join(
                            "; ",
                            cookies.values().stream()
                                    .map(c -> c.name() + "=" + c.value())
                                    .toList()));
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (ours) {
                for (String line : response.headers().allValues("Set-Cookie")) {
                    String pair = line.split(";", 2)[0];
                    int eq = pair.indexOf('=');
                    String name = pair.substring(0, eq).trim();
                    if (line.contains("Max-Age=0")) {
                        cookies.remove(name);
                    } else {
                        cookies.put(name, new Cookie(name, pair.substring(eq + 1), line));
                    }
                }
            }
            return response;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** The value of the first {@code <input ... name="NAME" value="...">} in a page (tests read forms with it). */
    public static String inputValue(String page, String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                        "<input[^>]*name=\"" + java.util.regex.Pattern.quote(name) + "\"[^>]*value=\"([^\"]*)\"")
                .matcher(page);
        if (!m.find()) {
            throw new AssertionError("no input " + name + " in the page");
        }
        return m.group(1);
    }

    /** The HTML of the page's form whose action ends with {@code actionSuffix}. */
    public static String form(String page, String actionSuffix) {
        return form(page, actionSuffix, "");
    }

    /** The HTML of the page's first form whose action ends with {@code actionSuffix} and that holds {@code text} (one row's form). */
    public static String form(String page, String actionSuffix, String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                        "<form[^>]*action=\"[^\"]*" + java.util.regex.Pattern.quote(actionSuffix) + "\".*?</form>",
                        java.util.regex.Pattern.DOTALL)
                .matcher(page);
        while (m.find()) {
            if (m.group().contains(text)) {
                return m.group();
            }
        }
        throw new AssertionError(
                "no form for " + actionSuffix + (text.isEmpty() ? "" : " with " + text) + " in the page");
    }

    /** The value of attribute {@code name} on the first tag of {@code html} (a form's data-* attributes). */
    public static String attribute(String html, String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                        "^<[^>]*\\s" + java.util.regex.Pattern.quote(name) + "=\"([^\"]*)\"")
                .matcher(html);
        if (!m.find()) {
            throw new AssertionError("no attribute " + name + " in " + html.substring(0, Math.min(200, html.length())));
        }
        return m.group(1);
    }

    /** Every value of inputs named {@code name}. */
    public static List<String> inputValues(String page, String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                        "<input[^>]*name=\"" + java.util.regex.Pattern.quote(name) + "\"[^>]*value=\"([^\"]*)\"")
                .matcher(page);
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
