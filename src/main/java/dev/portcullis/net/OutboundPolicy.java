package dev.portcullis.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;

/**
 * What the server may connect to. By default: {@code https} URLs whose host resolves only to
 * public unicast addresses — never loopback, link-local, private (RFC 1918, RFC 4193), carrier-grade
 * NAT, multicast, unspecified or other reserved ranges, so a URL a project owner or an upstream
 * index supplies cannot reach the server's own network (SSRF). An administrator may allow-list
 * hosts ({@code --outbound-allow}): an entry is a host name or address ({@code hooks.internal},
 * {@code 10.1.2.3}), optionally with a port ({@code 127.0.0.1:8443}), or an address block ({@code
 * 10.20.0.0/16}); an allow-listed destination may be plain {@code http} and private.
 */
public record OutboundPolicy(List<String> allowed) {

    /** Nothing allow-listed: HTTPS to public addresses only. */
    public static final OutboundPolicy STRICT = new OutboundPolicy(List.of());

    public OutboundPolicy {
        allowed = allowed.stream()
                .map(a -> a.trim().toLowerCase(Locale.ROOT))
                .filter(a -> !a.isEmpty())
                .toList();
        for (String entry : allowed) {
            if (entry.contains("/")) {
                AddressBlock.parse(entry);
            }
        }
    }

    public static OutboundPolicy allowing(String... entries) {
        return new OutboundPolicy(List.of(entries));
    }

    /** Checks a URL before anything is sent: its scheme, and an address written into it. */
    public void check(URI uri) throws OutboundRefused {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost();
        if (host == null || host.isBlank()) {
            throw new OutboundRefused("refused by the outbound request policy: the URL has no host");
        }
        if (uri.getRawUserInfo() != null) {
            throw new OutboundRefused("refused by the outbound request policy: credentials in the URL are not sent");
        }
        boolean listed = listed(host, port(uri));
        if (!scheme.equals("https") && !(scheme.equals("http") && listed)) {
            throw new OutboundRefused("refused by the outbound request policy: only https URLs are fetched"
                    + " (plain http only for hosts allow-listed with --outbound-allow), not " + scheme + "://" + host);
        }
        if (!listed && isAddressLiteral(host)) {
            try {
                InetAddress address = InetAddress.getByName(stripBrackets(host));
                if (!isPublic(address)) {
                    throw new OutboundRefused(
                            "refused by the outbound request policy: " + host + " is not a public address");
                }
            } catch (UnknownHostException e) {
                throw new OutboundRefused("refused by the outbound request policy: " + host + " is not an address");
            }
        }
    }

    /** Whether {@code host} may be reached at {@code address} (called for every resolved address, at connect time). */
    boolean permits(String host, int port, InetAddress address) {
        return listed(host, port) || inListedBlock(address) || isPublic(address);
    }

    boolean listed(String host, int port) {
        String h = stripBrackets(host).toLowerCase(Locale.ROOT);
        for (String entry : allowed) {
            if (entry.contains("/")) {
                continue;
            }
            int colon = entry.lastIndexOf(':');
            boolean withPort = colon > 0
                    && entry.indexOf(':') == colon
                    && entry.substring(colon + 1).chars().allMatch(Character::isDigit);
            if (withPort ? entry.equals(h + ":" + port) : stripBrackets(entry).equals(h)) {
                return true;
            }
        }
        if (isAddressLiteral(h)) {
            try {
                return inListedBlock(InetAddress.getByName(h));
            } catch (UnknownHostException e) {
                return false;
            }
        }
        return false;
    }

    private boolean inListedBlock(InetAddress address) {
        return allowed.stream()
                .filter(e -> e.contains("/"))
                .anyMatch(e -> AddressBlock.parse(e).contains(address));
    }

    /** Public unicast: not loopback, link-local, private, CGNAT, multicast, unspecified, documentation or other reserved space. */
    static boolean isPublic(InetAddress address) {
        if (address.isAnyLocalAddress()
                || address.isLoopbackAddress()
                || address.isLinkLocalAddress()
                || address.isSiteLocalAddress()
                || address.isMulticastAddress()) {
            return false;
        }
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            int a0 = b[0] & 0xff;
            int a1 = b[1] & 0xff;
            return !(a0 == 0
                    || a0 >= 240 // "this network", reserved and broadcast
                    || (a0 == 100 && a1 >= 64 && a1 <= 127) // carrier-grade NAT (RFC 6598)
                    || (a0 == 192 && a1 == 0 && (b[2] & 0xff) == 0) // IETF protocol assignments
                    || (a0 == 192 && a1 == 0 && (b[2] & 0xff) == 2) // documentation (RFC 5737)
                    || (a0 == 198 && (a1 == 18 || a1 == 19)) // benchmarking (RFC 2544)
                    || (a0 == 198 && a1 == 51 && (b[2] & 0xff) == 100)
                    || (a0 == 203 && a1 == 0 && (b[2] & 0xff) == 113));
        }
        if (address instanceof Inet6Address) {
            int first = b[0] & 0xff;
            boolean uniqueLocal = (first & 0xfe) == 0xfc; // fc00::/7
            boolean documentation =
                    first == 0x20 && (b[1] & 0xff) == 0x01 && (b[2] & 0xff) == 0x0d && (b[3] & 0xff) == 0xb8;
            boolean ipv4Mapped = true;
            for (int i = 0; i < 10; i++) {
                ipv4Mapped &= b[i] == 0;
            }
            ipv4Mapped &= (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
            if (ipv4Mapped) {
                try {
                    return isPublic(InetAddress.getByAddress(java.util.Arrays.copyOfRange(b, 12, 16)));
                } catch (UnknownHostException e) {
                    return false;
                }
            }
            return !uniqueLocal && !documentation && (first & 0xe0) == 0x20; // global unicast is 2000::/3
        }
        return false;
    }

    private static int port(URI uri) {
        if (uri.getPort() != -1) {
            return uri.getPort();
        }
        return "http".equalsIgnoreCase(uri.getScheme()) ? 80 : 443;
    }

    private static boolean isAddressLiteral(String host) {
        String h = stripBrackets(host);
        return h.contains(":") || h.matches("[0-9.]+");
    }

    private static String stripBrackets(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }
}
