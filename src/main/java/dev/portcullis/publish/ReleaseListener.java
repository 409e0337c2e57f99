package dev.portcullis.publish;

/**
 * Told after a file was staged (its transaction committed), so the gate can decide the release —
 * and void approvals given before the file existed. The publish feature defines this port; the
 * gate implements it.
 */
@FunctionalInterface
public interface ReleaseListener {
    void staged(String project, String version, String filename);
}
