package dev.portcullis.audit.drill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.portcullis.store.Sha256;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * How a drill talks to the server: as an attacker would, through the real protocols — PyPI's
 * legacy upload with a token as twine sends it, the trusted-publishing token exchange, the simple
 * index and file downloads — and, for setting up and reading the outcome, the admin API.
 * Responses are returned whatever their status: a refusal is what many controls look like.
 */
final class DrillClient {

    /** Sent on uploads: the client lightning's attacker used, so the client itself is not what gives the upload away. */
    static final String TWINE_AGENT = "twine/6.1.0 pkginfo/1.12.0 requests/2.32.3 CPython/3.12.3 Linux/6.8.0";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A response: status, the body as JSON when it is JSON (else missing), and the raw text. */
    record Response(int status, JsonNode json, String text) {
        boolean ok() {
            return status >= 200 && status < 300;
        }

        /** The server's explanation: a JSON error message, PyPI's reason phrase, or the body. */
        String message() {
            JsonNode error = json.path("error").path("message");
            if (!error.isMissingNode()) {
                return error.asText();
            }
            JsonNode description = json.path("errors").path(0).path("description");
            if (!description.isMissingNode()) {
                return json.path("message").asText() + ": " + description.asText();
            }
            return text.length() > 300 ? text.substring(0, 300) : text;
        }
    }

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String server;
    private final String adminToken;

    DrillClient(String server, String adminToken) {
        this.server = server.endsWith("/") ? server.substring(0, server.length() - 1) : server;
        this.adminToken = adminToken;
    }

    String server() {
        return server;
    }

    /** The admin API, with the drill's admin token. */
    Response admin(String method, String path, Map<String, ?> body) {
        return api(method, path, body, adminToken);
    }

    /** The API with any token (a drill credential trying what it must not). */
    Response api(String method, String path, Map<String, ?> body, String token) {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(server + path)).header("Authorization", "Bearer " + token);
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(json(body)));
        }
        return send(request);
    }

    /** An anonymous GET (what an installer sees). */
    Response get(String path) {
        return send(HttpRequest.newBuilder(URI.create(server + path)).GET());
    }

    /** PyPI's {@code POST /_/oidc/mint-token}: a CI identity token in, a short-lived upload token out. */
    Response mint(String identityToken) {
        return send(HttpRequest.newBuilder(URI.create(server + "/_/oidc/mint-token"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json(Map.of("token", identityToken)))));
    }

    /** A wheel upload exactly as twine sends it: multipart form, Basic auth with {@code __token__}. */
    Response upload(String token, String project, String version, String filename, byte[] wheel) {
        return upload(token, project, version, filename, wheel, null);
    }

    /** As {@link #upload(String, String, String, String, byte[])}, with PEP 740 attestations (a JSON array) as twine 6 sends them. */
    Response upload(String token, String project, String version, String filename, byte[] wheel, String attestations) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put(":action", "file_upload");
        fields.put("protocol_version", "1");
        fields.put("metadata_version", "2.1");
        fields.put("name", project);
        fields.put("version", version);
        fields.put("filetype", "bdist_wheel");
        fields.put("pyversion", "py3");
        fields.put("sha256_digest", Sha256.hex(wheel));
        if (attestations != null) {
            fields.put("attestations", attestations);
        }
        String boundary = "drill" + UUID.randomUUID().toString().replace("-", "");
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try {
            for (Map.Entry<String, String> field : fields.entrySet()) {
                body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field.getKey()
                                + "\"\r\n\r\n" + field.getValue() + "\r\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
            body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"content\"; filename=\"" + filename
                            + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            body.write(wheel);
            body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String basic = Base64.getEncoder().encodeToString(("__token__:" + token).getBytes(StandardCharsets.UTF_8));
        return send(HttpRequest.newBuilder(URI.create(server + "/legacy/"))
                .header("Authorization", "Basic " + basic)
                .header("User-Agent", TWINE_AGENT)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
    }

    static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private Response send(HttpRequest.Builder request) {
        HttpResponse<String> response;
        try {
            response = http.send(request.timeout(Duration.ofMinutes(2)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("request to " + server + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
        JsonNode json;
        try {
            json = response.body().isBlank() ? MissingNode.getInstance() : JSON.readTree(response.body());
        } catch (IOException e) {
            json = MissingNode.getInstance();
        }
        return new Response(response.statusCode(), json == null ? MissingNode.getInstance() : json, response.body());
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
