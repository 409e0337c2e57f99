package dev.portcullis.gate;

import dev.portcullis.publish.Release;

/** The outcome of asking the gate to act on a release. */
public sealed interface Decision {

    /** The release moved to its new state; this call made the transition. */
    record Decided(Release release) implements Decision {}

    /** The approval was counted; more are needed. */
    record Pending(Release release, int approvals, int required) implements Decision {}

    /** The caller may not make this decision. */
    record Forbidden(String reason) implements Decision {}

    record NotFound(String project, String version) implements Decision {}

    /** Someone else decided first (or earlier), or this person already approved; nothing changed. */
    record AlreadyDecided(Release release, String reason) implements Decision {}
}
