package dev.portcullis.net;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.SystemDefaultDnsResolver;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.classic.methods.HttpPut;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.InputStreamEntity;
import org.apache.hc.core5.util.Timeout;

/**
 * The server's one outbound HTTP client (one instance per purpose — alerts, upstream, OIDC,
 * checkpoints — so trouble in one never reaches the others). Every request is checked against the
 * {@link OutboundPolicy}: the URL before sending, and every address its host resolves to at
 * connect time, in the client's own DNS resolver — so a name that resolves to a private address is
 * refused even when it changes between the check and the connection. Redirects are followed by
 * hand, at most {@value #MAX_REDIRECTS}, each hop checked again. Response bodies are bounded, and
 * all I/O runs on the calling thread: no selector thread that one failure could kill for the rest
 * of the process. A client found shut down is rebuilt.
 */
public final class GuardedHttp implements AutoCloseable {

    static final int MAX_REDIRECTS = 3;

    /** As {@code maxBody}: the body is not wanted (only the status), and is not read. */
    public static final long DISCARD = -1;

    /** An answer: status, headers (lower-case names) and at most the requested number of body bytes. */
    public record Response(int status, Map<String, List<String>> headers, byte[] body) {
        public Optional<String> header(String name) {
            List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
            return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.getFirst());
        }
    }

    /** A request body: bytes, or a stream of known length (uploads of stored files). */
    public sealed interface Body {}

    public record Bytes(byte[] bytes, String contentType) implements Body {}

    public record Stream(InputStream in, long length, String contentType) implements Body {}

    private final OutboundPolicy policy;
    private final String purpose;
    private volatile CloseableHttpClient client;

    private final dev.portcullis.core.Tracing tracing;

    public GuardedHttp(OutboundPolicy policy, String purpose) {
        this(policy, purpose, dev.portcullis.core.Tracing.OFF);
    }

    /** As above, each request also a client span ({@link dev.portcullis.core.Tracing#client}). */
    public GuardedHttp(OutboundPolicy policy, String purpose, dev.portcullis.core.Tracing tracing) {
        this.policy = policy;
        this.purpose = purpose;
        this.tracing = tracing;
        this.client = build();
    }

    public OutboundPolicy policy() {
        return policy;
    }

    public Response get(URI uri, Map<String, String> headers, Duration timeout, long maxBody) throws IOException {
        return send("GET", uri, headers, null, timeout, maxBody);
    }

    public Response post(URI uri, Map<String, String> headers, Body body, Duration timeout, long maxBody)
            throws IOException {
        return send("POST", uri, headers, body, timeout, maxBody);
    }

    /** PUT (npm publishes with it); like POST, never redirected. */
    public Response put(URI uri, Map<String, String> headers, Body body, Duration timeout, long maxBody)
            throws IOException {
        return send("PUT", uri, headers, body, timeout, maxBody);
    }

    /** GET with the body streamed to {@code sink} (at most {@code maxBody} bytes; more is an error). */
    public int download(URI uri, Map<String, String> headers, Duration timeout, long maxBody, java.nio.file.Path sink)
            throws IOException {
        URI current = uri;
        for (int hop = 0; ; hop++) {
            policy.check(current);
            HttpGet request = new HttpGet(current);
            configure(request, headers, timeout);
            URI from = current;
            URI[] next = {null};
            int status = execute(request, response -> {
                if (isRedirect(response.getCode())) {
                    next[0] = location(from, response);
                    return response.getCode();
                }
                if (response.getCode() == 200 && response.getEntity() != null) {
                    try (InputStream in = response.getEntity().getContent();
                            java.io.OutputStream out = java.nio.file.Files.newOutputStream(sink)) {
                        byte[] buffer = new byte[64 * 1024];
                        long total = 0;
                        int n;
                        while ((n = in.read(buffer)) >= 0) {
                            total += n;
                            if (total > maxBody) {
                                throw new IOException(
                                        "the answer from " + from.getHost() + " is larger than " + maxBody + " bytes");
                            }
                            out.write(buffer, 0, n);
                        }
                    }
                }
                return response.getCode();
            });
            if (next[0] == null) {
                return status;
            }
            if (hop + 1 >= MAX_REDIRECTS) {
                throw new IOException("more than " + MAX_REDIRECTS + " redirects from " + uri.getHost());
            }
            current = next[0];
        }
    }

    private Response send(
            String method, URI uri, Map<String, String> headers, Body body, Duration timeout, long maxBody)
            throws IOException {
        URI current = uri;
        for (int hop = 0; ; hop++) {
            policy.check(current);
            HttpUriRequestBase request = switch (method) {
                case "GET" -> new HttpGet(current);
                case "PUT" -> new HttpPut(current);
                default -> new HttpPost(current);
            };
            configure(request, headers, timeout);
            if (body != null) {
                request.setEntity(
                        switch (body) {
                            case Bytes b -> new ByteArrayEntity(b.bytes(), ContentType.parse(b.contentType()));
                            case Stream s ->
                                new InputStreamEntity(s.in(), s.length(), ContentType.parse(s.contentType()));
                        });
            }
            URI from = current;
            Response response = execute(request, r -> {
                Map<String, List<String>> names = new LinkedHashMap<>();
                for (Header h : r.getHeaders()) {
                    names.computeIfAbsent(
                                    h.getName().toLowerCase(java.util.Locale.ROOT), k -> new java.util.ArrayList<>())
                            .add(h.getValue());
                }
                byte[] bytes = new byte[0];
                if (r.getEntity() != null && maxBody != DISCARD) {
                    try (InputStream in = r.getEntity().getContent()) {
                        bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBody + 1));
                    }
                    if (bytes.length > maxBody) {
                        throw new IOException(
                                "the answer from " + from.getHost() + " is larger than " + maxBody + " bytes");
                    }
                }
                return new Response(r.getCode(), names, bytes);
            });
            // Only GETs follow redirects: a POST or PUT body (an alert, an upload) goes exactly where it was configured
            // to.
            if (!method.equals("GET") || !isRedirect(response.status())) {
                return response;
            }
            if (hop + 1 >= MAX_REDIRECTS) {
                throw new IOException("more than " + MAX_REDIRECTS + " redirects from " + uri.getHost());
            }
            String location = response.header("location")
                    .orElseThrow(() -> new IOException("a redirect without a Location from " + from.getHost()));
            current = from.resolve(location);
        }
    }

    private static void configure(HttpUriRequestBase request, Map<String, String> headers, Duration timeout) {
        headers.forEach(request::setHeader);
        request.setConfig(RequestConfig.custom()
                .setResponseTimeout(Timeout.of(timeout.toMillis(), TimeUnit.MILLISECONDS))
                .setConnectionRequestTimeout(Timeout.ofSeconds(10))
                .setRedirectsEnabled(false)
                .build());
    }

    /** Sends {@code request} (one hop), as a client span of its own ({@link dev.portcullis.core.Tracing#client}). */
    private <T> T execute(HttpUriRequestBase request, org.apache.hc.core5.http.io.HttpClientResponseHandler<T> handler)
            throws IOException {
        org.apache.hc.core5.net.URIAuthority authority = request.getAuthority();
        io.opentelemetry.api.trace.Span span = tracing.client(
                request.getMethod(),
                authority.getHostName(),
                authority.getPort() != -1 ? authority.getPort() : "https".equals(request.getScheme()) ? 443 : 80,
                purpose);
        int[] status = {0};
        org.apache.hc.core5.http.io.HttpClientResponseHandler<T> observed = response -> {
            status[0] = response.getCode();
            return handler.handleResponse(response);
        };
        try {
            T result;
            try {
                result = client.execute(request, observed);
            } catch (IllegalStateException e) {
                // The pool was shut down under us (a failure elsewhere): rebuild this purpose's client once.
                rebuild();
                result = client.execute(request, observed);
            }
            dev.portcullis.core.Tracing.end(span, status[0], null);
            return result;
        } catch (UnknownHostException e) {
            dev.portcullis.core.Tracing.end(span, 0, e);
            if (e.getCause() instanceof OutboundRefused refused) {
                throw refused;
            }
            throw new IOException("cannot resolve " + request.getAuthority().getHostName());
        } catch (IOException | RuntimeException e) {
            dev.portcullis.core.Tracing.end(span, 0, e);
            throw e;
        }
    }

    private static URI location(URI from, ClassicHttpResponse response) throws IOException {
        Header location = response.getFirstHeader("Location");
        if (location == null) {
            throw new IOException("a redirect without a Location from " + from.getHost());
        }
        return from.resolve(location.getValue());
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private synchronized void rebuild() {
        CloseableHttpClient old = client;
        client = build();
        try {
            old.close();
        } catch (IOException | RuntimeException e) {
            // already broken
        }
    }

    private CloseableHttpClient build() {
        DnsResolver resolver = new DnsResolver() {
            @Override
            public InetAddress[] resolve(String host) throws UnknownHostException {
                return checked(host, -1);
            }

            @Override
            public List<InetSocketAddress> resolve(String host, int port) throws UnknownHostException {
                return Arrays.stream(checked(host, port))
                        .map(a -> new InetSocketAddress(a, port))
                        .toList();
            }

            @Override
            public String resolveCanonicalHostname(String host) throws UnknownHostException {
                return SystemDefaultDnsResolver.INSTANCE.resolveCanonicalHostname(host);
            }
        };
        return HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDnsResolver(resolver)
                        .setMaxConnTotal(20)
                        .setMaxConnPerRoute(4)
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(Timeout.ofSeconds(10))
                                .setSocketTimeout(Timeout.ofSeconds(60))
                                .build())
                        .build())
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableCookieManagement()
                .setUserAgent("portcullis (" + purpose + ")")
                .build();
    }

    /** Every address of {@code host}, or a refusal if any of them is one the policy does not permit. */
    private InetAddress[] checked(String host, int port) throws UnknownHostException {
        InetAddress[] addresses = SystemDefaultDnsResolver.INSTANCE.resolve(host);
        for (InetAddress address : addresses) {
            if (!policy.permits(host, port, address)) {
                UnknownHostException refusal = new UnknownHostException(host);
                refusal.initCause(
                        new OutboundRefused(
                                "refused by the outbound request policy: " + host
                                        + " resolves to a non-public address (allow-list it with --outbound-allow if that is intended)"));
                throw refusal;
            }
        }
        return addresses;
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (IOException e) {
            // closing
        }
    }
}
