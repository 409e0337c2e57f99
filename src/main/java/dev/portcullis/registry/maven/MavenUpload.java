package dev.portcullis.registry.maven;

import dev.portcullis.publish.Artifact;
import dev.portcullis.publish.ContentInspection;
import dev.portcullis.publish.Ecosystem;
import dev.portcullis.publish.Ecosystems;
import dev.portcullis.publish.Submission;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * One file of a {@code mvn deploy}, for the neutral pipeline: a file the repository layout allows
 * (an extension Maven deploys), a pom that names the coordinates of its path, digests kept for the
 * checksums Maven sends and asks for. A deployment's files gather in one held release of {@code
 * groupId:artifactId} {@code version}; a released version's files are fixed (the pipeline refuses).
 */
final class MavenUpload implements Submission.Rules {

    private final MavenPath path;
    private final MavenFiles.Digests digests;

    MavenUpload(MavenPath path, MavenFiles.Digests digests) {
        this.path = path;
        this.digests = digests;
    }

    @Override
    public Optional<String> check(Ecosystems.ProjectRef project, Ecosystem.Versioned version) {
        String name = path.filename().toLowerCase(java.util.Locale.ROOT);
        if (MavenFormat.EXTENSIONS.stream().noneMatch(name::endsWith)) {
            return Optional.of("'" + path.filename() + "' is not a file a Maven deployment carries (one of "
                    + String.join(", ", MavenFormat.EXTENSIONS) + ", and their checksums)");
        }
        return Optional.empty();
    }

    @Override
    public Optional<String> checkContent(
            Ecosystems.ProjectRef project, Ecosystem.Versioned version, ContentInspection.Declared declared) {
        if (!path.filename().endsWith(".pom")) {
            return Optional.empty();
        }
        if (declared == null) {
            return Optional.of("the pom could not be read");
        }
        Optional<Pom> pom = MavenFormat.pomOf(path.filename(), declared.files());
        if (pom.isEmpty()) {
            return Optional.of("'" + path.filename() + "' is not a readable Maven pom");
        }
        Pom p = pom.get();
        String says = p.groupId() + ":" + p.artifactId() + ":" + p.version();
        String at = path.groupId() + ":" + path.artifactId() + ":" + path.version();
        if (!says.equals(at)) {
            return Optional.of("the pom says " + says + ", but was deployed as " + at);
        }
        return Optional.empty();
    }

    @Override
    public String unreadable(String reason) {
        return "The file is unsafe or malformed: " + reason;
    }

    @Override
    public Optional<String> conflict(List<Artifact> releaseFiles) {
        return Optional.empty(); // a deployment is many files: jar, pom, sources, javadoc, signatures
    }

    @Override
    public String fileExists(Handle h, Artifact existing) {
        return existing.filename() + " was deployed already with other bytes; a deployed file never changes";
    }

    @Override
    public void record(Handle h, long fileId) {
        MavenFiles.insert(h, fileId, digests);
    }
}
