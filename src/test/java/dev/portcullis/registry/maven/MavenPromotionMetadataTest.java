package dev.portcullis.registry.maven;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.portcullis.net.GuardedHttp;
import dev.portcullis.net.OutboundPolicy;
import dev.portcullis.upstream.UpstreamProtocol;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How promotion ends a Maven release on a repository that keeps the metadata clients write (as
 * Reposilite does): the repository's own {@code maven-metadata.xml} is read, the version added as
 * the latest and the release, and it is written back with its checksums, with the target's
 * credential. A repository that cannot be read is not written to.
 */
class MavenPromotionMetadataTest {

    private static final String METADATA = "/maven2/org/example/widget/maven-metadata.xml";

    private HttpServer repository;
    private final Map<String, byte[]> written = new ConcurrentHashMap<>();
    private final Map<String, String> credentials = new ConcurrentHashMap<>();
    private volatile int readStatus = 200;

    @BeforeEach
    void start() throws Exception {
        repository = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        repository.createContext("/maven2/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            if (exchange.getRequestMethod().equals("PUT")) {
                written.put(path, exchange.getRequestBody().readAllBytes());
                credentials.put(path, exchange.getRequestHeaders().getFirst("Authorization"));
                exchange.sendResponseHeaders(201, -1);
            } else if (path.equals(METADATA) && readStatus == 200) {
                byte[] body = ("<metadata><groupId>org.example</groupId><artifactId>widget</artifactId><versioning>"
                                + "<latest>1.1</latest><versions><version>0.9</version><version>1.1</version>"
                                + "<version>1.0</version></versions></versioning></metadata>")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            } else {
                exchange.sendResponseHeaders(readStatus == 200 ? 404 : readStatus, -1);
            }
            exchange.close();
        });
        repository.start();
    }

    @AfterEach
    void stop() {
        repository.stop(0);
    }

    private UpstreamProtocol.Pushed finish(String version) throws Exception {
        MavenUpstream upstream = new MavenUpstream(new MavenFormat(new MavenEcosystem()), null);
        return upstream.finish(
                new GuardedHttp(OutboundPolicy.allowing("127.0.0.1"), "promotion"),
                "http://127.0.0.1:" + repository.getAddress().getPort() + "/maven2/",
                "pcl_u_secret",
                "org.example:widget",
                version);
    }

    @Test
    void theRepositorysMetadataGetsTheVersionAsItsLatestAndRelease() throws Exception {
        assertThat(finish("1.2")).isInstanceOf(UpstreamProtocol.Uploaded.class);

        String metadata = new String(written.get(METADATA), StandardCharsets.UTF_8);
        assertThat(metadata)
                .contains("<groupId>org.example</groupId>", "<artifactId>widget</artifactId>")
                .contains("<latest>1.2</latest>", "<release>1.2</release>")
                .containsSubsequence(
                        "<version>0.9</version>",
                        "<version>1.1</version>",
                        "<version>1.0</version>",
                        "<version>1.2</version>");
        MavenFiles.Digests digests = MavenFiles.Digests.of(written.get(METADATA));
        assertThat(new String(written.get(METADATA + ".sha1"), StandardCharsets.US_ASCII))
                .isEqualTo(digests.sha1());
        assertThat(new String(written.get(METADATA + ".md5"), StandardCharsets.US_ASCII))
                .isEqualTo(digests.md5());
        assertThat(credentials.get(METADATA))
                .isEqualTo("Basic "
                        + Base64.getEncoder()
                                .encodeToString("__token__:pcl_u_secret".getBytes(StandardCharsets.UTF_8)));

        assertThat(finish("1.0")).isInstanceOf(UpstreamProtocol.Uploaded.class);
        assertThat(new String(written.get(METADATA), StandardCharsets.UTF_8))
                .as("a version listed already is listed once, last")
                .containsSubsequence("<version>0.9</version>", "<version>1.1</version>", "<version>1.0</version>")
                .containsOnlyOnce("<version>1.0</version>")
                .contains("<release>1.0</release>");
    }

    @Test
    void aRepositoryWhoseMetadataCannotBeReadIsNotWrittenTo() throws Exception {
        readStatus = 503;
        assertThat(finish("1.2")).isEqualTo(new UpstreamProtocol.Refused(503));
        assertThat(written).isEmpty();
    }
}
