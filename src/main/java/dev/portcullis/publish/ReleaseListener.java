package dev.portcullis.publish;

/**
 * Told after a file was staged (its transaction committed), so the gate can decide the release —
 * and void approvals given before the file existed. The publish feature defines this port; the
 * gate implements it.
 *
 * <p>Most protocols send a release's files as independent uploads, each complete in itself: the
 * gate decides after each ({@link #staged}). Maven sends one deployment as a series of PUTs (jar,
 * pom, signatures, provenance) and ends it with {@code maven-metadata.xml}: deciding after the jar
 * would judge a release that still lacks the signatures and provenance on their way, and a reject
 * or quarantine is final. For such protocols the files are {@link #received} and the decision waits
 * for {@link #complete}, or for the release to have been quiet for {@link #QUIET} (a client that
 * never says it is done; the gate's clock).
 */
public interface ReleaseListener {

    /** How long a release's files must have been quiet before the gate decides it without being told. */
    java.time.Duration QUIET = java.time.Duration.ofMinutes(2);

    /** A file was staged: void earlier approvals and decide the release now. */
    void staged(String project, String version, String filename);

    /** A file of a deployment still arriving was staged: void earlier approvals; the decision waits. */
    void received(String project, String version, String filename);

    /** The client says its deployment to {@code project} is complete: decide its releases with files not yet decided on. */
    void complete(String project);
}
