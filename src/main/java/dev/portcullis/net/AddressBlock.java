package dev.portcullis.net;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An address block such as {@code 10.0.0.0/8} or {@code fd00::/8}; a single address is a block of one. */
public record AddressBlock(byte[] network, int bits) {

    /** Parses {@code 10.0.0.0/8}, {@code 2001:db8::/32} or a single address (no DNS: literals only). */
    public static AddressBlock parse(String text) {
        String t = text.trim();
        int slash = t.indexOf('/');
        String address = slash < 0 ? t : t.substring(0, slash);
        if (!address.contains(":") && !address.matches("[0-9.]+")) {
            throw new IllegalArgumentException(text + " is not an address or an address block like 10.0.0.0/8");
        }
        try {
            byte[] network = InetAddress.getByName(address).getAddress();
            int bits = slash < 0 ? network.length * 8 : Integer.parseInt(t.substring(slash + 1));
            if (bits < 0 || bits > network.length * 8) {
                throw new IllegalArgumentException("bad prefix length in " + text);
            }
            return new AddressBlock(network, bits);
        } catch (UnknownHostException | NumberFormatException e) {
            throw new IllegalArgumentException(text + " is not an address or an address block like 10.0.0.0/8");
        }
    }

    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        if (a.length != network.length) {
            return false;
        }
        for (int i = 0; i < bits; i++) {
            int mask = 0x80 >> (i % 8);
            if ((a[i / 8] & mask) != (network[i / 8] & mask)) {
                return false;
            }
        }
        return true;
    }
}
