package dev.portcullis.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.events.AlertLevel;
import dev.portcullis.events.AlertSink;
import dev.portcullis.testing.Await;
import dev.portcullis.testing.HookReceiver;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestServer;
import dev.portcullis.watch.WatchSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, finding 2: thousands of half-sent requests and slow-body uploads with a bad token,
 * from many addresses, neither exhaust the server nor outlive the attack. The per-address cap
 * closes the excess at once, the header and body timeouts close the rest, the index keeps
 * answering a legitimate client meanwhile, a queued alert is still delivered, and the refusals
 * leave a bounded number of event rows.
 */
class ConnectionLimitsTest {

    private static final int ADDRESSES = 12;
    private static final int PER_ADDRESS_TRIED = 120;
    private static final int PER_ADDRESS_LIMIT = 50;

    @TempDir
    Path dir;

    @Test
    void aFloodOfSlowConnectionsNeitherStopsTheIndexNorTheAlerts() throws Exception {
        List<Socket> attack = new ArrayList<>();
        try (HookReceiver receiver = new HookReceiver();
                TestServer server = TestServer.start(
                        "sqlite",
                        dir.resolve("data"),
                        settings -> settings.withHttp(HttpSettings.DEFAULTS
                                        .withTimeouts(
                                                Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(2))
                                        .withConnections(4_000, PER_ADDRESS_LIMIT))
                                .withWatch(WatchSettings.DEFAULTS.withAlerts(
                                        List.of(new WatchSettings.Webhook(receiver.url(), List.of())),
                                        List.of(),
                                        List.of(),
                                        null,
                                        "low")))) {
            URI uri = URI.create(server.url());
            for (int a = 0; a < ADDRESSES; a++) {
                String from = "127.0.9." + (a + 1);
                boolean slowBody = a % 2 == 1;
                for (int i = 0; i < PER_ADDRESS_TRIED; i++) {
                    Socket socket = new Socket();
                    socket.bind(new InetSocketAddress(from, 0));
                    socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 10_000);
                    socket.setSoTimeout(15_000);
                    OutputStream out = socket.getOutputStream();
                    try {
                        if (slowBody) {
                            // An upload that announces 100 MB with a bad token, sends a little, then stalls.
                            out.write(
                                    ("POST /legacy/ HTTP/1.1\r\nHost: x\r\nAuthorization: Basic X190b2tlbl9fOnBjbF91X2JvZ3Vz\r\n"
                                                    + "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 104857600\r\n\r\n--b\r\n")
                                            .getBytes(StandardCharsets.ISO_8859_1));
                        } else {
                            // A request whose headers never end.
                            out.write("GET /simple/ HTTP/1.1\r\nHost: x\r\nX-Slow: "
                                    .getBytes(StandardCharsets.ISO_8859_1));
                        }
                        out.flush();
                    } catch (IOException refused) {
                        // closed at once by the per-address cap
                    }
                    attack.add(socket);
                }
            }

            // Past the cap, an address's connections are closed at once, long before any timeout.
            for (int a = 0; a < ADDRESSES; a++) {
                Socket excess = attack.get(a * PER_ADDRESS_TRIED + PER_ADDRESS_TRIED - 1);
                excess.setSoTimeout(1_000);
                assertThat(endsWithin(excess))
                        .as("connection " + PER_ADDRESS_TRIED + " from one address")
                        .isTrue();
                excess.setSoTimeout(15_000);
            }

            // Meanwhile a legitimate client is served, and an alert raised now reaches its receiver.
            RawHttp.Response index = RawHttp.send(server.url(), "GET", "/simple/", Map.of(), null);
            assertThat(index.status()).isEqualTo(200);
            server.app()
                    .alerts()
                    .raise(new AlertSink.Alert(
                            "DuringTheFlood",
                            AlertLevel.HIGH,
                            null,
                            "flood",
                            "during the flood",
                            "still here",
                            Map.of(),
                            List.of(),
                            List.of()));
            Await.until(
                    "the alert's delivery during the flood",
                    Duration.ofSeconds(30),
                    () -> receiver.bodies().stream().anyMatch(b -> b.contains("DuringTheFlood")));

            // Every attacking connection ends: at once past the cap, within the timeouts otherwise.
            int closedByServer = 0;
            for (Socket socket : attack) {
                if (endsWithin(socket)) {
                    closedByServer++;
                }
            }
            assertThat(closedByServer).as("connections the server closed").isEqualTo(attack.size());
            RawHttp.Response after = RawHttp.send(server.url(), "GET", "/simple/", Map.of(), null);
            assertThat(after.status())
                    .as(
                            "the index after the flood: %s %s",
                            after.reason(), new String(after.bytes(), StandardCharsets.UTF_8))
                    .isEqualTo(200);

            // The refused uploads are counted, a few rows per address and minute, not one each.
            long rows = server.app()
                    .events()
                    .list(null, "AuthenticationFailed", 0, 100_000)
                    .size();
            assertThat(rows).isLessThanOrEqualTo(3L * ADDRESSES);
        } finally {
            for (Socket socket : attack) {
                socket.close();
            }
        }
    }

    /** Whether the server ends the connection (EOF or reset) before the socket's read timeout. */
    private static boolean endsWithin(Socket socket) {
        try {
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[4096];
            while (in.read(buffer) >= 0) {
                // an error response may come first
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset: closed by the server
        }
    }
}
