package dev.portcullis.registry.npm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.publish.Artifact;
import dev.portcullis.publish.ContentInspection;
import dev.portcullis.publish.Ecosystem;
import dev.portcullis.publish.Ecosystems;
import dev.portcullis.publish.Submission;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * One {@code npm publish}, for the neutral pipeline: the document names the package of the URL,
 * its tarball is named as npm names it, {@code dist.integrity}, {@code dist.shasum} and the length
 * match the bytes; the tarball's own package.json names the package and version and agrees with the
 * manifest sent beside it on what installing runs and pulls in (dependencies of every kind, install
 * scripts, bins) — a registry that served the sent manifest while the tarball said otherwise is
 * npm's "manifest confusion"; one tarball per version; npm's words for a taken version.
 */
final class NpmUpload implements Submission.Rules {

    private final NpmPublication publication;
    private final String urlName;
    private String manifest;

    NpmUpload(NpmPublication publication, String urlName) {
        this.publication = publication;
        this.urlName = urlName;
    }

    /** The message npm's registry answers a version already taken with (clients and scripts match it). */
    static String taken(String version) {
        return "You cannot publish over the previously published versions: " + version + ".";
    }

    @Override
    public Optional<String> check(Ecosystems.ProjectRef project, Ecosystem.Versioned version) {
        NpmPublication p = publication;
        if (!urlName.equals(p.name())
                || !p.name().equals(p.manifest().path("name").asText(null))) {
            return Optional.of("the document names '" + p.name() + "' (and its version '"
                    + p.manifest().path("name").asText("") + "'), not '" + urlName + "'");
        }
        if (!p.version().equals(p.manifest().path("version").asText(null))) {
            return Optional.of("the version's manifest says version '"
                    + p.manifest().path("version").asText("") + "', not '" + p.version() + "'");
        }
        String expected = p.name() + "-" + p.version() + ".tgz";
        if (!expected.equals(p.attachment())) {
            return Optional.of("the tarball must be attached as " + expected + ", not " + p.attachment());
        }
        JsonNode dist = p.manifest().path("dist");
        if (!p.integrity().equals(dist.path("integrity").asText(null))) {
            return Optional.of("dist.integrity does not match the tarball (its sha512 is " + p.integrity() + ")");
        }
        if (dist.has("shasum") && !p.shasum().equals(dist.path("shasum").asText())) {
            return Optional.of("dist.shasum does not match the tarball (its sha1 is " + p.shasum() + ")");
        }
        if (p.declaredLength() >= 0 && p.declaredLength() != p.tarball().size()) {
            return Optional.of("the attachment's length is " + p.declaredLength() + ", but "
                    + p.tarball().size() + " bytes arrived");
        }
        return Optional.empty();
    }

    @Override
    public Optional<String> checkContent(
            Ecosystems.ProjectRef project, Ecosystem.Versioned version, ContentInspection.Declared declared) {
        if (declared == null) {
            return Optional.of("the tarball could not be read, so its package.json is unknown");
        }
        Optional<String> path = NpmFormat.manifestPath(declared.files());
        Optional<JsonNode> packed = NpmFormat.manifest(declared.files());
        if (path.isEmpty() || packed.isEmpty()) {
            return Optional.of("the tarball has no readable package.json");
        }
        JsonNode tarball = packed.get();
        if (!publication.name().equals(tarball.path("name").asText(null))
                || !publication.version().equals(tarball.path("version").asText(null))) {
            return Optional.of(
                    "the tarball's package.json names " + tarball.path("name").asText("?") + "@"
                            + tarball.path("version").asText("?") + ", not " + publication.name() + "@"
                            + publication.version());
        }
        for (String field : List.of("dependencies", "optionalDependencies", "peerDependencies", "bundleDependencies")) {
            if (!Objects.equals(
                    emptyAsMissing(tarball.path(field)),
                    emptyAsMissing(publication.manifest().path(field)))) {
                return Optional.of("the manifest sent says other " + field
                        + " than the tarball's package.json (manifest confusion)");
            }
        }
        for (String script : NpmFormat.INSTALL_SCRIPTS) {
            String packedScript = tarball.path("scripts").path(script).asText(null);
            String sent = publication.manifest().path("scripts").path(script).asText(null);
            // npm adds "install": "node-gyp rebuild" to the manifest it sends when the package has a binding.gyp.
            boolean implied = script.equals("install")
                    && packedScript == null
                    && "node-gyp rebuild".equals(sent)
                    && declared.files().keySet().stream().anyMatch(f -> f.endsWith("/binding.gyp"));
            if (!Objects.equals(packedScript, sent) && !implied) {
                return Optional.of("the manifest sent says another " + script
                        + " script than the tarball's package.json (manifest confusion)");
            }
        }
        manifest = new String(declared.files().get(path.get()), StandardCharsets.UTF_8);
        return Optional.empty();
    }

    private static JsonNode emptyAsMissing(JsonNode node) {
        return node.isMissingNode() || node.isNull() || (node.isContainerNode() && node.isEmpty()) ? null : node;
    }

    @Override
    public String unreadable(String reason) {
        return "The tarball is unsafe or malformed: " + reason;
    }

    @Override
    public String invalidAttestations(String reason) {
        return "The provenance (.sigstore) cannot be accepted: " + reason;
    }

    @Override
    public Optional<String> conflict(List<Artifact> releaseFiles) {
        return releaseFiles.isEmpty() ? Optional.empty() : Optional.of(taken(publication.version()));
    }

    @Override
    public String fileExists(Handle h, Artifact existing) {
        return taken(publication.version());
    }

    @Override
    public void record(Handle h, long fileId) {
        String tag = publication.distTags().entrySet().stream()
                .filter(e -> e.getValue().equals(publication.version()))
                .map(java.util.Map.Entry::getKey)
                .findFirst()
                .orElse("latest");
        NpmFiles.insert(
                h, fileId, new NpmFiles.Attributes(publication.integrity(), publication.shasum(), manifest, tag));
    }
}
