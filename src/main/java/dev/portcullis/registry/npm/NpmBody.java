package dev.portcullis.registry.npm;

import com.fasterxml.jackson.databind.JsonNode;

/** What a {@code PUT} of a package carries: a publication (one version and its tarball), or a metadata update. */
sealed interface NpmBody permits NpmPublication, NpmBody.MetadataUpdate {

    /**
     * A {@code PUT} without a tarball: the package document sent back with changed metadata, as
     * {@code npm deprecate} does ({@code versions}: every version's document as the client has it).
     */
    record MetadataUpdate(String name, JsonNode versions) implements NpmBody {}
}
