package dev.portcullis.inspect;

/** Receives what the {@link ArchiveWalker} reads: each regular file's bytes, and every structural finding. */
public interface ArchiveVisitor {

    /**
     * A regular file begins; its bytes go to the returned sink, in order, then {@link EntrySink#end()}.
     * {@code path} is the entry name, prefixed with {@code outer!/} for entries of nested archives.
     */
    EntrySink file(String path);

    void finding(Finding finding);

    /** Consumes one entry's bytes. */
    interface EntrySink {
        void accept(byte[] buffer, int offset, int length);

        void end();
    }
}
