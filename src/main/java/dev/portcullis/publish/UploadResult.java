package dev.portcullis.publish;

/** What happened to one upload. */
public sealed interface UploadResult {

    /** Stored and waiting in a held release. */
    record Staged(String project, String version, String filename, String sha256) implements UploadResult {}

    /** The same bytes were already stored under this name: a retry, nothing changed. */
    record Unchanged(String project, String filename) implements UploadResult {}

    /** Refused; nothing was stored. {@code message} is shown to the client. */
    record Refused(Why why, String message) implements UploadResult {}

    /** Why an upload was refused; registry adapters map each to their protocol's status. */
    enum Why {
        NOT_AUTHENTICATED,
        FORBIDDEN,
        INVALID,
        FILE_EXISTS,
        RELEASE_DECIDED,
        TOO_LARGE
    }
}
