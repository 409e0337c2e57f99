package dev.portcullis.gate;

/** What policy decided for a release. */
public enum Outcome {
    /** Every auto-release condition holds: released once the settle time passes without new files. */
    AUTO_RELEASE,
    /** Waits for people to approve. */
    HOLD,
    REJECT,
    QUARANTINE
}
