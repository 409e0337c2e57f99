package dev.portcullis.watch;

/**
 * A signed statement that the event log's first {@code seq} events have Merkle root {@code root}
 * and end with {@code headHash}. The signed bytes are {@link #payload()}.
 */
public record Checkpoint(long seq, String root, String headHash, long signedAt, String keyId, String signature) {

    public String payload() {
        return "portcullis-event-checkpoint:v1\n" + seq + "\n" + root + "\n" + headHash + "\n" + signedAt + "\n";
    }
}
