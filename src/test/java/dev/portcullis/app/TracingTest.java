package dev.portcullis.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import com.sun.net.httpserver.HttpServer;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.ServerProcess;
import dev.portcullis.testing.StaticIssuer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tracing end to end: {@code serve --otlp-endpoint} in its own process exports OTLP/HTTP protobuf, here to a
 * receiver that decodes it with the OTLP protobuf definitions (no collector binary runs here). One
 * server span per request, named by its route template, with the status and the client; a
 * {@code traceparent} from a trusted proxy is followed, one from anyone else only linked; an
 * outbound request inside a request is a client span under it, carrying the host and what it was
 * for but not the URL's path; the access log carries the span's trace id.
 */
class TracingTest {

    @TempDir
    Path dir;

    private static final String PROXY = "127.0.0.7";
    private static final String CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CLIENT_SPAN = "00f067aa0ba902b7";

    /** An OTLP/HTTP receiver: keeps every span POSTed to /v1/traces, answers 200 with an empty response. */
    private static final class Receiver implements AutoCloseable {
        final List<ResourceSpans> received = new CopyOnWriteArrayList<>();
        final List<String> contentTypes = new CopyOnWriteArrayList<>();
        final HttpServer server;

        Receiver() throws Exception {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/v1/traces", exchange -> {
                contentTypes.add(exchange.getRequestHeaders().getFirst("Content-Type"));
                byte[] body = exchange.getRequestBody().readAllBytes();
                received.addAll(ExportTraceServiceRequest.parseFrom(body).getResourceSpansList());
                byte[] answer = new byte[0];
                exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(200, answer.length == 0 ? -1 : answer.length);
                exchange.close();
            });
            server.start();
        }

        URI base() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        }

        List<Span> spans() {
            List<Span> all = new ArrayList<>();
            for (ResourceSpans resource : received) {
                for (ScopeSpans scope : resource.getScopeSpansList()) {
                    all.addAll(scope.getSpansList());
                }
            }
            return all;
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    private static String attribute(List<KeyValue> attributes, String key) {
        for (KeyValue kv : attributes) {
            if (kv.getKey().equals(key)) {
                AnyValue v = kv.getValue();
                return v.hasIntValue() ? String.valueOf(v.getIntValue()) : v.getStringValue();
            }
        }
        return null;
    }

    private static String hex(com.google.protobuf.ByteString bytes) {
        return HexFormat.of().formatHex(bytes.toByteArray());
    }

    private static Span named(List<Span> spans, String name, String attribute, String value) {
        return spans.stream()
                .filter(s -> s.getName().equals(name) && value.equals(attribute(s.getAttributesList(), attribute)))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no span " + name + " with " + attribute + "=" + value + " in "
                        + spans.stream().map(Span::getName).toList()));
    }

    @Test
    void requestsAndTheirOutboundCallsAreExportedAsSpans() throws Exception {
        String traceparent = "00-" + CLIENT_TRACE + "-" + CLIENT_SPAN + "-01";
        try (Receiver receiver = new Receiver();
                StaticIssuer issuer = new StaticIssuer()) {
            String accessLog;
            String[] init = dev.portcullis.testing.CliRunner.run(
                            "admin", "init", "--data", dir.resolve("data").toString())
                    .out()
                    .strip()
                    .split("\n");
            String admin = init[init.length - 1];
            try (ServerProcess server = ServerProcess.start(
                    dir.resolve("data"),
                    null,
                    "256m",
                    "--otlp-endpoint",
                    receiver.base().toString(),
                    "--trusted-proxy",
                    PROXY + "/32",
                    "--github-oidc-issuer",
                    issuer.issuer(),
                    "--outbound-allow",
                    "127.0.0.1")) {
                // An ordinary client sends a traceparent: not followed, linked.
                RawHttp.Response anonymous = RawHttp.send(
                        server.url(), "GET", "/simple/widget/?secret=1", Map.of("traceparent", traceparent), null);
                assertThat(anonymous.status()).isEqualTo(404);
                // The trusted proxy sends one: followed.
                RawHttp.Response proxied = RawHttp.sendFrom(
                        PROXY,
                        server.url(),
                        "GET",
                        "/simple/",
                        Map.of("traceparent", traceparent, "X-Forwarded-For", "198.51.100.7"),
                        null);
                assertThat(proxied.status()).isEqualTo(200);
                // A CI token exchange: the issuer's keys are fetched inside the request.
                long now = System.currentTimeMillis();
                JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                        .issuer(issuer.issuer())
                        .audience("portcullis")
                        .issueTime(new Date(now))
                        .expirationTime(new Date(now + 300_000))
                        .jwtID("tracing-test")
                        .claim("repository", "acme/widget")
                        .claim("repository_owner", "acme")
                        .claim("repository_owner_id", "4242")
                        .claim("job_workflow_ref", "acme/widget/.github/workflows/release.yml@refs/tags/v1")
                        .claim("workflow_ref", "acme/widget/.github/workflows/release.yml@refs/tags/v1")
                        .claim("ref", "refs/tags/v1")
                        .claim("sha", "8d1f0c2")
                        .claim("event_name", "push");
                RawHttp.Response mint = RawHttp.send(
                        server.url(),
                        "POST",
                        "/_/oidc/mint-token",
                        Map.of("Content-Type", "application/json"),
                        ("{\"token\": \"" + issuer.sign(claims.build()) + "\"}").getBytes(StandardCharsets.UTF_8));
                assertThat(mint.status())
                        .as("no publisher is registered: refused, after the signature was checked: " + mint.body())
                        .isEqualTo(422);
                // An upload: received, inspected and assessed inside its request.
                RawHttp.Response uploaded =
                        dev.portcullis.testing.Uploads.upload(server.url(), admin, "traced", "1.0.0");
                assertThat(uploaded.status()).as(uploaded.body()).isEqualTo(200);
                // SIGTERM: the shutdown sends every span still waiting.
                assertThat(server.stop()).isIn(0, 143);
                accessLog = server.log();
            }
            assertThat(receiver.contentTypes).isNotEmpty().allMatch("application/x-protobuf"::equals);
            ResourceSpans first = receiver.received.get(0);
            assertThat(attribute(first.getResource().getAttributesList(), "service.name"))
                    .isEqualTo("portcullis");
            assertThat(attribute(first.getResource().getAttributesList(), "service.instance.id"))
                    .isNotBlank();
            List<Span> spans = receiver.spans();

            Span notFound = named(spans, "GET /simple/{project}", "http.response.status_code", "404");
            assertThat(notFound.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
            assertThat(hex(notFound.getTraceId()))
                    .as("an anonymous client does not choose the trace")
                    .isNotEqualTo(CLIENT_TRACE);
            assertThat(notFound.getParentSpanId().isEmpty()).isTrue();
            assertThat(notFound.getLinksList()).singleElement().satisfies(link -> {
                assertThat(hex(link.getTraceId())).isEqualTo(CLIENT_TRACE);
                assertThat(hex(link.getSpanId())).isEqualTo(CLIENT_SPAN);
            });
            assertThat(attribute(notFound.getAttributesList(), "http.route")).isEqualTo("/simple/{project}");
            assertThat(attribute(notFound.getAttributesList(), "client.address"))
                    .isEqualTo("127.0.0.1");
            assertThat(notFound.toString()).as("no query string anywhere").doesNotContain("secret");

            // ("/simple/" is the project template with an empty name, as Undertow matches it.)
            Span index = named(spans, "GET /simple/{project}", "http.response.status_code", "200");
            assertThat(hex(index.getTraceId()))
                    .as("the trusted proxy's trace is followed")
                    .isEqualTo(CLIENT_TRACE);
            assertThat(hex(index.getParentSpanId())).isEqualTo(CLIENT_SPAN);
            assertThat(attribute(index.getAttributesList(), "client.address")).isEqualTo("198.51.100.7");

            Span exchange = named(spans, "POST /_/oidc/mint-token", "http.response.status_code", "422");
            List<Span> outbound = spans.stream()
                    .filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_CLIENT)
                    .filter(s -> s.getTraceId().equals(exchange.getTraceId()))
                    .toList();
            assertThat(outbound)
                    .as("discovery and keys fetched from the issuer")
                    .isNotEmpty()
                    .allSatisfy(call -> {
                        assertThat(call.getParentSpanId()).isEqualTo(exchange.getSpanId());
                        assertThat(attribute(call.getAttributesList(), "server.address"))
                                .isEqualTo("127.0.0.1");
                        assertThat(attribute(call.getAttributesList(), "portcullis.outbound.purpose"))
                                .isEqualTo("oidc");
                        assertThat(attribute(call.getAttributesList(), "http.response.status_code"))
                                .isEqualTo("200");
                        assertThat(call.toString())
                                .as("the outbound URL's path is not recorded")
                                .doesNotContain("jwks");
                    });

            Span upload = named(spans, "POST /legacy/", "http.response.status_code", "200");
            java.util.Set<String> steps = new java.util.HashSet<>();
            for (Span step : spans) {
                if (step.getTraceId().equals(upload.getTraceId())
                        && !step.getSpanId().equals(upload.getSpanId())) {
                    steps.add(step.getName());
                    assertThat(step.getStartTimeUnixNano()).isGreaterThanOrEqualTo(upload.getStartTimeUnixNano());
                    assertThat(step.getEndTimeUnixNano()).isLessThanOrEqualTo(upload.getEndTimeUnixNano());
                }
            }
            assertThat(steps)
                    .as("the upload's steps, inside its span")
                    .contains("receive file", "inspect file", "assess release");

            // The access log names each request's own trace.
            List<String> lines = accessLog.lines().toList();
            assertThat(lines)
                    .anySatisfy(line -> assertThat(line)
                            .contains("GET /simple/widget/ 404")
                            .contains("trace=" + hex(notFound.getTraceId())));
            assertThat(lines)
                    .anySatisfy(line ->
                            assertThat(line).contains("GET /simple/ 200").contains("trace=" + CLIENT_TRACE));
        }
    }
}
