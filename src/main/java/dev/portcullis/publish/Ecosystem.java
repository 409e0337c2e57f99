package dev.portcullis.publish;

/**
 * One ecosystem's rules, as the neutral core needs them: how its projects are named, how its
 * versions are written and told apart, what identifies a dependency, and which file an
 * attestation's subject names. Each registry plug-in ({@code registry/<ecosystem>}) implements it;
 * nothing in the core knows PEP 440, npm's semver or Maven coordinates (docs/ARCHITECTURE.md).
 */
public interface Ecosystem {

    /** The identifier stored with each project ({@code pypi}, {@code npm}, {@code maven}). */
    String id();

    /** A project name as written: checked and normalized; {@link dev.portcullis.core.Refusal.Invalid} otherwise. */
    Named name(String written);

    /** A version as written: its display form and the canonical form that identifies a release; {@code Refusal.Invalid} otherwise. */
    Versioned version(String written);

    /**
     * A dependency as the ecosystem's metadata writes it ({@code requests[socks]>=2; extra=="x"},
     * {@code lodash@^4.17.0}): what identifies it (two entries with one key are one dependency) and
     * the version constraint, so releases can be compared. Lenient: never throws.
     */
    Dependency dependency(String written);

    /**
     * Whether an attestation whose subject is {@code subject} is about the file {@code filename},
     * version {@code version} of project {@code name} (as uploaded): PyPI's subjects name the file,
     * npm's the package and version as a package URL.
     */
    default boolean namesFile(String subject, String name, String version, String filename) {
        return subject.equals(filename);
    }

    /** A project's name as uploaded and as normalized (the lookup key within the ecosystem). */
    record Named(String display, String normalized) {}

    /** A version for display, and canonical: two versions with one canonical form are one release. */
    record Versioned(String display, String canonical) {}

    /**
     * One dependency: {@code key} identifies it (its normalized name, plus the condition under which
     * it applies, if any), {@code constraint} is which versions it accepts (spaces removed), {@code
     * written} as the metadata has it; {@code imitates} the well-known package whose name this one's
     * imitates ({@link LookAlikes}), or null.
     */
    record Dependency(String key, String constraint, String written, String imitates) {
        public Dependency(String key, String constraint, String written) {
            this(key, constraint, written, null);
        }
    }
}
