package dev.portcullis.http;

import dev.portcullis.net.AddressBlock;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Who the client is. The socket's peer, unless the peer is a configured trusted proxy: then the
 * nearest address in {@code Forwarded} (RFC 7239) or else {@code X-Forwarded-For} that is not itself
 * a trusted proxy — reading right to left, so a client cannot forge its address by sending the
 * header itself. Untrusted peers' headers are ignored.
 */
final class ClientAddress {

    private final List<AddressBlock> trusted;

    ClientAddress(List<AddressBlock> trusted) {
        this.trusted = List.copyOf(trusted);
    }

    boolean isTrustedProxy(InetAddress address) {
        return address != null && trusted.stream().anyMatch(b -> b.contains(address));
    }

    /** The client's address as text, given the peer and the request's forwarding headers (each may be null). */
    String of(InetAddress peer, List<String> forwarded, List<String> xForwardedFor) {
        if (peer == null) {
            return null;
        }
        if (!isTrustedProxy(peer)) {
            return peer.getHostAddress();
        }
        List<String> hops = forwarded != null && !forwarded.isEmpty() ? forwardedFor(forwarded) : split(xForwardedFor);
        for (int i = hops.size() - 1; i >= 0; i--) {
            InetAddress hop = parse(hops.get(i));
            if (hop == null) {
                return peer.getHostAddress(); // garbled: trust nothing beyond the proxy
            }
            if (!isTrustedProxy(hop)) {
                return hop.getHostAddress();
            }
        }
        return peer.getHostAddress();
    }

    private static List<String> split(List<String> values) {
        List<String> out = new ArrayList<>();
        if (values != null) {
            for (String value : values) {
                for (String part : value.split(",")) {
                    if (!part.isBlank()) {
                        out.add(part.trim());
                    }
                }
            }
        }
        return out;
    }

    /** The {@code for=} of each element of {@code Forwarded: for=192.0.2.60;proto=https, for="[2001:db8::1]:4711"}. */
    private static List<String> forwardedFor(List<String> values) {
        List<String> out = new ArrayList<>();
        for (String element : split(values)) {
            String found = "unknown";
            for (String pair : element.split(";")) {
                int eq = pair.indexOf('=');
                if (eq > 0
                        && pair.substring(0, eq).trim().toLowerCase(Locale.ROOT).equals("for")) {
                    found = pair.substring(eq + 1).trim();
                }
            }
            out.add(found);
        }
        return out;
    }

    /** An address from a header value: {@code 192.0.2.1}, {@code 192.0.2.1:8080}, {@code "[2001:db8::1]:4711"}, {@code 2001:db8::1}. */
    static InetAddress parse(String value) {
        String v = value.trim();
        if (v.startsWith("\"") && v.endsWith("\"") && v.length() >= 2) {
            v = v.substring(1, v.length() - 1);
        }
        if (v.startsWith("[")) {
            int close = v.indexOf(']');
            if (close < 0) {
                return null;
            }
            v = v.substring(1, close);
        } else if (v.indexOf(':') > 0 && v.indexOf(':') == v.lastIndexOf(':')) {
            v = v.substring(0, v.indexOf(':')); // IPv4 with a port
        }
        if (!v.contains(":") && !v.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")) {
            return null; // "unknown", obfuscated identifiers, host names: not an address
        }
        try {
            return InetAddress.getByName(v);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
