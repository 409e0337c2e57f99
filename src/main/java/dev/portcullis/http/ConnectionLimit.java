package dev.portcullis.http;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;

/**
 * Accepts at most {@code perAddress} open connections from one client address; more are closed at
 * once, before a byte is read. Trusted proxies are exempt (they carry many clients; limit at the
 * proxy). Closed connections are forgotten on the next accept from the same address and in a
 * periodic sweep, so the bookkeeping stays as small as the set of open connections.
 */
final class ConnectionLimit implements ChannelListener<StreamConnection> {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ConnectionLimit.class);

    private final ChannelListener<? super StreamConnection> next;
    private final int perAddress;
    private final ClientAddress clients;
    private final Map<InetAddress, Set<StreamConnection>> open = new ConcurrentHashMap<>();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();

    ConnectionLimit(ChannelListener<? super StreamConnection> next, int perAddress, ClientAddress clients) {
        this.next = next;
        this.perAddress = perAddress;
        this.clients = clients;
    }

    @Override
    public void handleEvent(StreamConnection connection) {
        InetSocketAddress peer = connection.getPeerAddress(InetSocketAddress.class);
        InetAddress address = peer == null ? null : peer.getAddress();
        if (address != null && !clients.isTrustedProxy(address)) {
            Set<StreamConnection> mine = open.computeIfAbsent(address, a -> ConcurrentHashMap.newKeySet());
            boolean admitted;
            synchronized (mine) {
                mine.removeIf(c -> !c.isOpen());
                admitted = mine.size() < perAddress;
                if (admitted) {
                    mine.add(connection);
                }
            }
            if (!admitted) {
                if (refused.incrementAndGet() % 1000 == 1) {
                    LOG.warn(
                            "refusing connections from {}: {} open already (limit per address); {} refused so far",
                            address.getHostAddress(),
                            perAddress,
                            refused.get());
                }
                IoUtils.safeClose(connection);
                return;
            }
        }
        if (accepted.incrementAndGet() % 4096 == 0) {
            sweep();
        }
        next.handleEvent(connection);
    }

    private void sweep() {
        open.values().forEach(set -> {
            synchronized (set) {
                set.removeIf(c -> !c.isOpen());
            }
        });
        open.entrySet().removeIf(e -> e.getValue().isEmpty());
    }
}
