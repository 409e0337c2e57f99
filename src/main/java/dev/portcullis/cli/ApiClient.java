package dev.portcullis.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/** A small client for the Portcullis API (docs/API.md) used by the CLI. */
final class ApiClient {

    /** The server answered with an error; {@code getMessage()} is its explanation. */
    static final class ApiException extends RuntimeException {
        final int status;

        ApiException(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String server;
    private final String token;

    ApiClient(String server, String token) {
        this.server = normalize(server);
        this.token = token;
    }

    /** {@code 127.0.0.1:8080} means {@code http://127.0.0.1:8080}; anything that is still not an http(s) URL is said so. */
    static String normalize(String server) {
        String url = server == null ? "" : server.strip();
        if (!url.contains("://")) {
            url = "http://" + url;
        }
        if (url.endsWith("/")) {
            url = url.substring(0, url.length() - 1);
        }
        try {
            URI uri = URI.create(url);
            if (!(uri.getScheme().equals("http") || uri.getScheme().equals("https")) || uri.getHost() == null) {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "--server must be the server's URL, like http://127.0.0.1:8080, not '" + server + "'");
        }
        return url;
    }

    Map<String, Object> get(String path) {
        return send(HttpRequest.newBuilder(URI.create(server + path)).GET());
    }

    Map<String, Object> post(String path, Map<String, ?> body) {
        try {
            return send(HttpRequest.newBuilder(URI.create(server + path))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A JSON request body from alternating keys and values; a {@code null} value is sent as JSON
     * null (the server treats it as absent), so options left out need no special casing.
     */
    static Map<String, Object> body(Object... keysAndValues) {
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            body.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return body;
    }

    static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A GET whose body is returned as text (HTML or JSON to be written as it came); errors as for {@link #get}. */
    String getText(String path) {
        HttpResponse<String> response =
                exchange(HttpRequest.newBuilder(URI.create(server + path)).GET());
        if (response.statusCode() >= 400) {
            parse(response); // throws with the server's explanation
        }
        return response.body();
    }

    private Map<String, Object> send(HttpRequest.Builder request) {
        return parse(exchange(request));
    }

    private HttpResponse<String> exchange(HttpRequest.Builder request) {
        HttpResponse<String> response;
        try {
            response = http.send(
                    (token == null ? request : request.header("Authorization", "Bearer " + token))
                            .timeout(Duration.ofMinutes(1))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new ApiException(0, "cannot connect to " + server + " (is `portcullis serve` running?)");
        } catch (IOException e) {
            throw new ApiException(0, "request to " + server + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(0, "interrupted");
        }
        return response;
    }

    private static Map<String, Object> parse(HttpResponse<String> response) {
        Map<String, Object> body;
        try {
            body = JSON.readValue(response.body(), new TypeReference<>() {});
        } catch (IOException e) {
            throw new ApiException(response.statusCode(), "unexpected response (HTTP " + response.statusCode() + ")");
        }
        if (response.statusCode() >= 400) {
            Object error = body.get("error");
            String message = error instanceof Map<?, ?> m && m.get("message") != null
                    ? String.valueOf(m.get("message"))
                    : "HTTP " + response.statusCode();
            throw new ApiException(response.statusCode(), message);
        }
        return body;
    }
}
