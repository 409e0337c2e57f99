package dev.portcullis.publish;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/**
 * The inspect step of the pipeline (a port; the inspect feature implements it and owns what it
 * stores): reads the whole received file safely, once, before it is stored. A structural hazard
 * refuses the upload, as PyPI refuses malformed archives; everything else is a report kept with the
 * file for the gate and the approvers, and what the file {@link Declared declares} about itself goes
 * to the ecosystem's own checks — from the same reading, so they cannot disagree.
 */
public interface ContentInspection {

    sealed interface Result {}

    /** Unsafe to store at all (traversal, bomb, duplicate entries, malformed archive): the upload is refused. */
    record Refused(String reason) implements Result {}

    /**
     * Inspected: the highest severity and number of findings, the file's dependencies as its
     * ecosystem writes them, what it declares, and the report to keep. {@code error} says why when the
     * inspection itself failed ({@code declared} is then null); the gate holds such a release (fail closed).
     */
    record Inspected(
            String maxSeverity, int findings, List<String> dependencies, Declared declared, String error, Object report)
            implements Result {

        /** An inspection that crashed: nothing is known about the file. */
        public static Inspected failed(String why) {
            return new Inspected("high", 0, List.of(), null, why, null);
        }
    }

    /** What a file says about itself: its name and version, and its metadata entries byte for byte (path to bytes). */
    record Declared(String name, String version, Map<String, byte[]> files) {
        public Declared {
            files = Map.copyOf(files);
        }
    }

    /** Inspects {@code file}, a package file of {@code ecosystem} named {@code filename}. */
    Result inspect(String ecosystem, String filename, Path file);

    /** Keeps the result with file {@code fileId}, inside the recording transaction. */
    void record(Handle h, long fileId, Inspected inspected);
}
