package dev.portcullis.watch;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * The Merkle tree hash of RFC 6962 (section 2.1) over the events' hashes, kept incrementally: the
 * perfect subtrees of the binary decomposition of the leaf count, so the root of every prefix is
 * available in O(log n) while streaming (how checkpoints are made and verified).
 */
public final class Merkle {

    private final List<byte[]> subtrees = new ArrayList<>(); // roots of perfect subtrees, largest first
    private final List<Long> sizes = new ArrayList<>();
    private long count;

    public void add(byte[] leaf) {
        byte[] node = sha256(new byte[] {0}, leaf);
        long size = 1;
        while (!sizes.isEmpty() && sizes.getLast() == size) {
            node = sha256(new byte[] {1}, subtrees.removeLast(), node);
            sizes.removeLast();
            size *= 2;
        }
        subtrees.add(node);
        sizes.add(size);
        count++;
    }

    public long size() {
        return count;
    }

    /** The tree hash of the leaves added so far (SHA-256 of nothing for none). */
    public byte[] root() {
        if (subtrees.isEmpty()) {
            return sha256();
        }
        byte[] root = subtrees.getLast();
        for (int i = subtrees.size() - 2; i >= 0; i--) {
            root = sha256(new byte[] {1}, subtrees.get(i), root);
        }
        return root;
    }

    private static byte[] sha256(byte[]... parts) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (byte[] part : parts) {
                digest.update(part);
            }
            return digest.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
