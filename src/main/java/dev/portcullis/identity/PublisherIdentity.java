package dev.portcullis.identity;

import java.util.Map;

/**
 * Who published, when an upload came from a trusted publisher: the publisher and the CI claims of
 * the run (repository, workflow, ref, sha, run id, environment, …) from its OIDC token.
 */
public record PublisherIdentity(long publisherId, String kind, String description, Map<String, String> claims) {
    public PublisherIdentity {
        claims = Map.copyOf(claims);
    }
}
