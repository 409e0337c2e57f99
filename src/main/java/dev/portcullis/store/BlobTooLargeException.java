package dev.portcullis.store;

/** The incoming stream exceeded the byte limit given to {@link BlobStore#stage}. */
public final class BlobTooLargeException extends RuntimeException {
    private final long limit;

    public BlobTooLargeException(long limit) {
        super("blob exceeds " + limit + " bytes");
        this.limit = limit;
    }

    public long limit() {
        return limit;
    }
}
