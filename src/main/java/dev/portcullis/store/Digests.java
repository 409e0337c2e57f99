package dev.portcullis.store;

import java.util.HexFormat;
import java.util.Objects;

/** The digests PyPI clients send and check: SHA-256, BLAKE2b-256 and MD5, as lowercase hex. */
public record Digests(String sha256, String blake2b256, String md5) {

    public Digests {
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(blake2b256, "blake2b256");
        Objects.requireNonNull(md5, "md5");
        if (!isHex(sha256, 64) || !isHex(blake2b256, 64) || !isHex(md5, 32)) {
            throw new IllegalArgumentException("digests must be lowercase hex of the right length");
        }
    }

    static boolean isHex(String s, int length) {
        if (s.length() != length) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (Character.digit(s.charAt(i), 16) < 0 || Character.isUpperCase(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
