package dev.portcullis.http;

import dev.portcullis.net.AddressBlock;
import java.time.Duration;
import java.util.List;

/**
 * Limits of the HTTP listener, so that no client — authenticated or not — can hold the server's
 * connections, memory or threads (docs/CONFIGURATION.md).
 *
 * @param headerTimeout a request's line and headers must have arrived within this time
 * @param idleTimeout a kept-alive connection with no request in flight is closed after this long
 * @param bodyReadTimeout a request body (an upload) that sends nothing for this long is cut off
 * @param maxConnections connections accepted at once; further clients wait in the backlog
 * @param maxConnectionsPerAddress connections at once from one client address (trusted proxies exempt)
 * @param trustedProxies addresses or blocks whose {@code Forwarded} / {@code X-Forwarded-For}
 *     header names the client (its address is then used for throttling, events and detectors)
 * @param accessLog one line per request ({@link AccessLog}), or off
 * @param traces where spans go ({@code core/Tracing}), or {@link Traces#OFF}
 */
public record HttpSettings(
        Duration headerTimeout,
        Duration idleTimeout,
        Duration bodyReadTimeout,
        int maxConnections,
        int maxConnectionsPerAddress,
        List<AddressBlock> trustedProxies,
        AccessLog.Format accessLog,
        Traces traces) {

    /**
     * Span export: an OTLP/HTTP collector's base URL (spans are POSTed to {@code /v1/traces} under
     * it), and the share of requests recorded when no trusted proxy decided for them.
     */
    public record Traces(java.net.URI otlpEndpoint, double sampleRatio) {
        public static final Traces OFF = new Traces(null, 1.0);

        public Traces {
            if (!(sampleRatio >= 0 && sampleRatio <= 1)) {
                throw new IllegalArgumentException("the trace sample ratio is between 0 and 1, not " + sampleRatio);
            }
            if (otlpEndpoint != null
                    && !"http".equals(otlpEndpoint.getScheme())
                    && !"https".equals(otlpEndpoint.getScheme())) {
                throw new IllegalArgumentException("the OTLP endpoint is an http(s) URL, not " + otlpEndpoint);
            }
        }

        public boolean on() {
            return otlpEndpoint != null;
        }
    }

    /** Defaults; the access log is off here and on (text) in {@code serve}. */
    public static final HttpSettings DEFAULTS = new HttpSettings(
            Duration.ofSeconds(30),
            Duration.ofSeconds(30),
            Duration.ofSeconds(30),
            2_000,
            100,
            List.of(),
            AccessLog.Format.OFF,
            Traces.OFF);

    public HttpSettings {
        for (Duration d : List.of(headerTimeout, idleTimeout, bodyReadTimeout)) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("HTTP timeouts must be positive");
            }
        }
        if (maxConnections < 1 || maxConnectionsPerAddress < 1) {
            throw new IllegalArgumentException("connection limits must be at least 1");
        }
        trustedProxies = List.copyOf(trustedProxies);
        java.util.Objects.requireNonNull(accessLog, "accessLog");
        java.util.Objects.requireNonNull(traces, "traces");
    }

    public HttpSettings withTimeouts(Duration header, Duration idle, Duration body) {
        return new HttpSettings(
                header, idle, body, maxConnections, maxConnectionsPerAddress, trustedProxies, accessLog, traces);
    }

    public HttpSettings withConnections(int max, int perAddress) {
        return new HttpSettings(
                headerTimeout, idleTimeout, bodyReadTimeout, max, perAddress, trustedProxies, accessLog, traces);
    }

    public HttpSettings withTrustedProxies(List<AddressBlock> proxies) {
        return new HttpSettings(
                headerTimeout,
                idleTimeout,
                bodyReadTimeout,
                maxConnections,
                maxConnectionsPerAddress,
                proxies,
                accessLog,
                traces);
    }

    public HttpSettings withAccessLog(AccessLog.Format format) {
        return new HttpSettings(
                headerTimeout,
                idleTimeout,
                bodyReadTimeout,
                maxConnections,
                maxConnectionsPerAddress,
                trustedProxies,
                format,
                traces);
    }

    public HttpSettings withTraces(Traces export) {
        return new HttpSettings(
                headerTimeout,
                idleTimeout,
                bodyReadTimeout,
                maxConnections,
                maxConnectionsPerAddress,
                trustedProxies,
                accessLog,
                export);
    }

    @Override
    public String toString() {
        return "HttpSettings[header " + headerTimeout + ", idle " + idleTimeout + ", body " + bodyReadTimeout
                + ", connections " + maxConnections + " (" + maxConnectionsPerAddress
                + " per address), trusted proxies " + trustedProxies.size() + "]";
    }
}
