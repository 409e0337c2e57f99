package dev.portcullis.provenance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.net.GuardedHttp;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Whether the commit a provenance names is on the ref it names, asked of the project's forge
 * (GitHub's REST API, or a GitHub Enterprise Server's): {@code GET
 * /repos/OWNER/REPO/compare/COMMIT...REF}, whose {@code status} is {@code identical} or {@code
 * ahead} exactly when the commit is an ancestor of the ref's head. A signature from the right
 * repository over a commit that is on no release ref (a fork's commit built by a hijacked run, a
 * commit pushed and deleted) is told apart this way.
 *
 * <p>Off unless the server is started with {@code --check-source-commits URL}. Once on, it fails
 * closed: an answer that does not say "reachable" — another status, an error, a timeout — is a
 * reason, and the release is held with it. Through the guarded outbound client; one request per
 * attested file.
 */
public final class SourceCommits {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> REACHABLE = Set.of("identical", "ahead");
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final long MAX_ANSWER = 8L * 1024 * 1024;

    private final GuardedHttp http;
    private final URI api;

    /** {@code api}: the REST API's root, {@code https://api.github.com} or a GHES {@code https://HOST/api/v3}. */
    public SourceCommits(GuardedHttp http, URI api) {
        this.http = http;
        String root = api.toString();
        this.api = URI.create(root.endsWith("/") ? root : root + "/");
    }

    private static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * Empty when {@code commit} is on {@code ref} of {@code repository} ({@code owner/name});
     * otherwise why not, in a sentence starting "commit:".
     */
    public Optional<String> notOnRef(String repository, String ref, String commit) {
        if (ref == null || commit == null || !commit.matches("[0-9a-f]{40}|[0-9a-f]{64}")) {
            return Optional.of("commit: the provenance does not name a source commit and ref to check");
        }
        String shortRef = ref.startsWith("refs/heads/")
                ? ref.substring("refs/heads/".length())
                : ref.startsWith("refs/tags/") ? ref.substring("refs/tags/".length()) : ref;
        String[] ownerAndName = repository.split("/", 2);
        if (ownerAndName.length != 2) {
            return Optional.of("commit: " + repository + " is not an owner/name repository");
        }
        URI uri = api.resolve("repos/" + segment(ownerAndName[0]) + "/" + segment(ownerAndName[1]) + "/compare/"
                + commit + "..."
                + segment(shortRef) + "?per_page=1");
        try {
            GuardedHttp.Response answer = http.get(
                    uri,
                    Map.of("Accept", "application/vnd.github+json", "X-GitHub-Api-Version", "2022-11-28"),
                    TIMEOUT,
                    MAX_ANSWER);
            if (answer.status() == 404) {
                return Optional.of("commit: " + repository + " has no commit " + commit + " or no ref " + ref);
            }
            if (answer.status() != 200) {
                return Optional.of("commit: could not confirm that " + commit + " is on " + ref + " (" + uri.getHost()
                        + " answered HTTP " + answer.status() + ")");
            }
            JsonNode status = JSON.readTree(answer.body()).path("status");
            if (REACHABLE.contains(status.asText())) {
                return Optional.empty();
            }
            return Optional.of("commit: " + commit + " is not on " + ref + " of " + repository + " ("
                    + uri.getHost() + " compares them as " + (status.isTextual() ? status.asText() : "unknown")
                    + ")");
        } catch (Exception e) {
            return Optional.of("commit: could not confirm that " + commit + " is on " + ref + " ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
    }
}
