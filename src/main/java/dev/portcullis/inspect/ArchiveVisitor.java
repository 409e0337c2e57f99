package dev.portcullis.inspect;

/** Receives what the {@link ArchiveWalker} reads: each regular file's bytes, and every structural finding. */
public interface ArchiveVisitor {

    /**
     * A regular file begins; its bytes go to the returned sink, in order, then {@link EntrySink#end()}.
     * {@code path} is the entry name, prefixed with {@code outer!/} for entries of nested archives;
     * {@code declaredSize} the size the archive's header states, -1 when it states none. The
     * declared size is the archive's claim, not a fact: use it to size buffers, never to trust.
     */
    EntrySink file(String path, long declaredSize);

    void finding(Finding finding);

    /** Consumes one entry's bytes. */
    interface EntrySink {
        void accept(byte[] buffer, int offset, int length);

        void end();
    }
}
