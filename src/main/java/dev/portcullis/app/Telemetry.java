package dev.portcullis.app;

import dev.portcullis.core.Tracing;
import dev.portcullis.http.HttpSettings;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenTelemetry SDK behind {@link Tracing}, when {@code --otlp-endpoint} is set: spans batched
 * (at most 2,048 waiting; beyond that new spans are dropped, never the server slowed) and POSTed as
 * OTLP/HTTP protobuf to {@code ENDPOINT/v1/traces} every second, with the JDK's HTTP client. The
 * collector is the operator's, like the database and the bucket, so the export does not go through
 * the guarded outbound client. Each span carries the service name, version and this process's
 * instance name (the one the leader lease shows).
 */
final class Telemetry implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Telemetry.class);

    private final SdkTracerProvider provider;
    private final Tracing tracing;

    private Telemetry(SdkTracerProvider provider, Tracing tracing) {
        this.provider = provider;
        this.tracing = tracing;
    }

    static Telemetry start(HttpSettings.Traces traces, String instance) {
        if (!traces.on()) {
            return new Telemetry(null, Tracing.OFF);
        }
        String base = traces.otlpEndpoint().toString().replaceAll("/+$", "");
        OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
                .setEndpoint(base + "/v1/traces")
                .setTimeout(Duration.ofSeconds(10))
                .build();
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(Resource.create(Attributes.of(
                        AttributeKey.stringKey("service.name"),
                        "portcullis",
                        AttributeKey.stringKey("service.version"),
                        version(),
                        AttributeKey.stringKey("service.instance.id"),
                        instance)))
                .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(traces.sampleRatio())))
                .addSpanProcessor(BatchSpanProcessor.builder(exporter)
                        .setScheduleDelay(Duration.ofSeconds(1))
                        .setMaxQueueSize(2_048)
                        .build())
                .build();
        LOG.info("tracing: spans to {}/v1/traces, {} of requests sampled", base, traces.sampleRatio());
        return new Telemetry(provider, new Tracing(provider));
    }

    private static String version() {
        String v = Telemetry.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    Tracing tracing() {
        return tracing;
    }

    /** Sends what is still waiting (up to 10 s), then stops. */
    @Override
    public void close() {
        if (provider != null) {
            provider.shutdown().join(10, TimeUnit.SECONDS);
        }
    }
}
