package dev.portcullis.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A minimal HTTP/1.1 client over a socket, for tests that must see the exact status line (the
 * reason phrase twine prints, which java.net.http hides) or send bodies no library would.
 */
public final class RawHttp {

    public record Response(int status, String reason, Map<String, String> headers, byte[] bytes) {
        public String body() {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private RawHttp() {}

    public static String basic(String token) {
        return "Basic " + Base64.getEncoder().encodeToString(("__token__:" + token).getBytes(StandardCharsets.UTF_8));
    }

    public static Response upload(String serverUrl, String token, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", Multipart.contentType());
        if (token != null) {
            headers.put("Authorization", basic(token));
        }
        return send(serverUrl, "POST", "/legacy/", headers, body);
    }

    public static Response send(
            String serverUrl, String method, String path, Map<String, String> headers, byte[] body) {
        return sendFrom(null, serverUrl, method, path, headers, body);
    }

    /**
     * As {@link #send}, from the local address {@code from} (any 127.x.y.z works on Linux loopback:
     * how tests upload "from a new network"); a {@code User-Agent} in {@code headers} replaces the default.
     */
    public static Response sendFrom(
            String from, String serverUrl, String method, String path, Map<String, String> headers, byte[] body) {
        URI uri = URI.create(serverUrl);
        try (Socket socket = new Socket()) {
            if (from != null) {
                socket.bind(new java.net.InetSocketAddress(from, 0));
            }
            socket.connect(new java.net.InetSocketAddress(uri.getHost(), uri.getPort()), 10_000);
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: " + uri.getHost() + ":"
                    + uri.getPort() + "\r\nConnection: close\r\n"
                    + (headers.containsKey("User-Agent") ? "" : "User-Agent: portcullis-tests\r\n"));
            headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            head.append("Content-Length: ")
                    .append(body == null ? 0 : body.length)
                    .append("\r\n\r\n");
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                out.write(body);
            }
            out.flush();
            return read(socket.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Response read(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        in.transferTo(all);
        String text = all.toString(StandardCharsets.ISO_8859_1);
        int headerEnd = text.indexOf("\r\n\r\n");
        String[] lines = text.substring(0, headerEnd).split("\r\n");
        String[] status = lines[0].split(" ", 3);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(
                    lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    lines[i].substring(colon + 1).trim());
        }
        byte[] bodyBytes = all.toByteArray();
        byte[] body = java.util.Arrays.copyOfRange(bodyBytes, headerEnd + 4, bodyBytes.length);
        return new Response(Integer.parseInt(status[1]), status.length > 2 ? status[2] : "", headers, body);
    }
}
