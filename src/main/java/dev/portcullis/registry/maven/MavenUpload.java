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

    /** A deploy is a series of PUTs that maven-metadata.xml ends: the gate decides then (MavenRoutes). */
    @Override
    public boolean partOfDeployment() {
        return true;
    }

    @Override
    public Optional<String> check(Ecosystems.ProjectRef project, Ecosystem.Versioned version) {
        if (!MavenFormat.deployable(path.filename())) {
            return Optional.of("'" + path.filename() + "' is not a file a Maven deployment carries (one of "
                    + String.join(", ", MavenFormat.EXTENSIONS) + ", and their checksums)");
        }
        return Optional.empty();
    }

    @Override
    public Optional<String> checkContent(
            Ecosystems.ProjectRef project, Ecosystem.Versioned version, ContentInspection.Declared declared) {
        String at = path.groupId() + ":" + path.artifactId() + ":" + path.version();
        if (path.filename().endsWith(".jar") && declared != null) {
            return carriedPom(declared, at);
        }
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
        if (!says.equals(at)) {
            return Optional.of("the pom says " + says + ", but was deployed as " + at);
        }
        return Optional.empty();
    }

    /**
     * A jar built by Maven carries its own pom under {@code META-INF/maven/<groupId>/<artifactId>/}:
     * when it carries one for these coordinates, its version must be this one; when it carries only
     * one pom, of other coordinates, the jar is another artifact's (a shaded jar carries its
     * dependencies' poms beside its own, and one without its own says nothing).
     */
    private Optional<String> carriedPom(ContentInspection.Declared declared, String at) {
        String own = "META-INF/maven/" + path.groupId() + "/" + path.artifactId() + "/pom.xml";
        List<String> carried = declared.files().keySet().stream()
                .filter(f -> f.startsWith("META-INF/maven/"))
                .toList();
        String which = carried.contains(own) ? own : carried.size() == 1 ? carried.getFirst() : null;
        if (which == null) {
            return Optional.empty();
        }
        Optional<Pom> pom = Pom.read(declared.files().get(which));
        if (pom.isEmpty()) {
            return Optional.empty();
        }
        String says = pom.get().groupId() + ":" + pom.get().artifactId() + ":"
                + pom.get().version();
        return says.equals(at)
                ? Optional.empty()
                : Optional.of("the jar's own pom says " + says + ", but it was deployed as " + at);
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
