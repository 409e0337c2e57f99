package dev.portcullis.publish;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.Predicate;
import org.jdbi.v3.core.Handle;

/**
 * The verify step of the pipeline (a port; the provenance feature implements it and owns what it
 * stores): checks the attestations uploaded with a file against the project's trusted publishers.
 */
public interface AttestationCheck {

    sealed interface Result {}

    /** Cryptographically invalid or malformed: the upload is refused with {@code reason}. */
    record Invalid(String reason) implements Result {}

    /**
     * Valid signatures by {@code signer}; {@code verified} when that signer is one of the project's
     * trusted publishers ({@code publisher}), otherwise {@code reason} says who signed instead.
     */
    record Checked(
            boolean verified,
            String signer,
            String issuer,
            String publisher,
            String publisherKind,
            Map<String, String> publisherConfig,
            Map<String, String> source,
            String reason)
            implements Result {}

    /**
     * Checks {@code attestationsJson} for {@code file}. {@code namesThisFile} is the ecosystem's rule
     * for a statement's subject name (PyPI compares distribution file names after normalization).
     */
    Result check(String project, String filename, Path file, String attestationsJson, Predicate<String> namesThisFile);

    /** Keeps the checked attestations with file {@code fileId}, inside the recording transaction. */
    void record(Handle h, long fileId, String attestationsJson, Checked checked);
}
