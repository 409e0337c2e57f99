package dev.portcullis.publish;

import dev.portcullis.store.StagedBlob;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * One received file as a registry adapter hands it to the pipeline, once it has parsed its
 * protocol: which project, version and file, the bytes (already streamed to the blob store), the
 * attestations sent with it, and the {@link Rules} only its ecosystem knows.
 */
public record Submission(
        Ecosystem ecosystem,
        String project,
        String version,
        String filename,
        String kind,
        StagedBlob content,
        String attestations,
        Rules rules) {

    /**
     * What the ecosystem checks and keeps, called by the pipeline at fixed points (docs/ARCHITECTURE.md):
     * after the name, version and permission are settled; after the one inspection, with what the file
     * declares; inside the recording transaction against the release's other files; and after the
     * file row is written, for the ecosystem's own table. Each check answers the refusal's message,
     * in the protocol's words, or nothing.
     */
    public interface Rules {

        /** The refusal of a file the inspection found unsafe or malformed, in the protocol's words (PyPI: "Invalid distribution file."). */
        default String unreadable(String reason) {
            return "The file cannot be accepted: " + reason;
        }

        /** The refusal of attestations that are forged, malformed or about another file, in the protocol's words. */
        default String invalidAttestations(String reason) {
            return "The attestations cannot be accepted: " + reason;
        }

        /**
         * Whether the protocol sends a release's files as one deployment that it ends itself
         * (Maven's {@code maven-metadata.xml}): then the gate decides when it ends, not after each
         * file ({@link ReleaseListener}).
         */
        default boolean partOfDeployment() {
            return false;
        }

        /** The protocol's own checks of the request, before the file is read (its name against the project and version, the digests sent). */
        Optional<String> check(Ecosystems.ProjectRef project, Ecosystem.Versioned version);

        /**
         * What the file says about itself, from the inspection, against the project and version it is
         * uploaded as. {@code declared} is null when the inspection crashed: refuse if the ecosystem
         * cannot serve the file without it.
         */
        Optional<String> checkContent(
                Ecosystems.ProjectRef project, Ecosystem.Versioned version, ContentInspection.Declared declared);

        /** Against the files the release already has (e.g. one sdist per release); the refusal message, if any. */
        Optional<String> conflict(List<Artifact> releaseFiles);

        /** The refusal for a file name taken by other bytes, in the protocol's words (clients recognise them). */
        String fileExists(Handle h, Artifact existing);

        /** Inside the transaction, after the file row: the ecosystem's own attributes of file {@code fileId}. */
        void record(Handle h, long fileId);
    }
}
