package dev.portcullis.inspect;

import dev.portcullis.publish.Ecosystem;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One ecosystem's package files, as the inspector needs to know them: which entries carry the
 * package's metadata and how to read it, the checks only that ecosystem can make (a wheel's
 * RECORD, a tarball's package.json against its name), and how two releases' files line up. The
 * inspector's walk, limits, hazards and content rules are the same for every ecosystem; a registry
 * plug-in ({@code registry/<ecosystem>}) implements this port and nothing in inspect knows it.
 */
public interface PackageFormat {

    /** The largest metadata entry kept whole for {@link #metadata}; a larger one is a finding and is not read. */
    int MAX_METADATA_BYTES = 1 << 20;

    /** The ecosystem whose files these are: its naming rules, and how its dependencies are written. */
    Ecosystem ecosystem();

    /** Whether {@code filename} looks like one of this ecosystem's package files (for {@code portcullis inspect}, which is not told). */
    boolean reads(String filename);

    /** Whether the walker keeps entry {@code path}'s bytes for {@link #metadata} and {@link #check}. */
    boolean isMetadata(String path);

    /** What the file says about itself, from the kept entries (path to bytes); {@link PackageMetadata#NONE} when it says nothing. */
    PackageMetadata metadata(String filename, Map<String, byte[]> files);

    /** The checks that need the whole file: metadata present and agreeing with the file name, manifests, foreign payloads. */
    List<Finding> check(
            String filename, PackageMetadata metadata, Map<String, byte[]> files, List<ManifestEntry> manifest);

    /**
     * A path without what changes with every version ({@code demo-1.0.dist-info/}, an sdist's top
     * folder), so the next release's file is compared entry by entry instead of "everything replaced".
     */
    String stablePath(String filename, String path);

    /**
     * What only this ecosystem sees between two releases' files (npm: an install script added or
     * changed); the diff's findings besides the neutral ones. None by default.
     */
    default List<Finding> compare(PackageMetadata before, PackageMetadata after) {
        return List.of();
    }

    /**
     * What only this ecosystem sees between two releases' file trees (Maven: a service provider or
     * an annotation processor registered, a package tree or another artifact's classes added); the
     * diff's findings besides the neutral ones. None by default.
     */
    default List<Finding> compareFiles(Inspection before, Inspection after) {
        return List.of();
    }

    /**
     * What only this ecosystem sees between two whole releases, from the kinds of file each has
     * (Maven: the previous release was signed, this one carries no signature). None by default.
     */
    default List<Finding> compareReleases(java.util.Set<String> kindsBefore, java.util.Set<String> kindsAfter) {
        return List.of();
    }

    /**
     * The kinds of file that are foreign to this ecosystem's packages: a new one in a release is
     * worth a reviewer's look (JavaScript in a Python wheel was lightning's payload; in an npm
     * tarball it is the package). Native code, JavaScript and shell scripts by default.
     */
    default java.util.Set<FileKind> foreignKinds() {
        return java.util.Set.of(FileKind.NATIVE, FileKind.JAVASCRIPT, FileKind.SHELL);
    }

    /**
     * Whether the entry at {@code path} is binary code this ecosystem reads itself (a Maven jar's
     * class files): its first {@link Limits#contentBytes()} go to {@link #checkCode}. None by default.
     */
    default boolean readsCode(String path) {
        return false;
    }

    /** What binary code at {@code path} does that a reviewer must know (only for {@link #readsCode} entries); lenient, never throws. */
    default List<Finding> checkCode(String path, byte[] bytes, int length) {
        return List.of();
    }

    /** A file's variant (wheel tags, sdist, tarball): each file is compared with the previous release's file of its variant. */
    String variant(String filename);

    /** Which container a file or a nested entry of this name is (a wheel is a zip); the generic extensions by default. */
    default Optional<ArchiveFormat> container(String name) {
        return ArchiveFormat.forName(name);
    }

    /** A format that knows no ecosystem: no metadata, no checks of its own, paths as they are. */
    PackageFormat GENERIC = new PackageFormat() {
        private final Ecosystem generic = new Ecosystem() {
            @Override
            public String id() {
                return "generic";
            }

            @Override
            public Named name(String written) {
                return new Named(written, written);
            }

            @Override
            public Versioned version(String written) {
                return new Versioned(written, written);
            }

            @Override
            public Dependency dependency(String written) {
                return new Dependency(written.strip(), "", written);
            }
        };

        @Override
        public Ecosystem ecosystem() {
            return generic;
        }

        @Override
        public boolean reads(String filename) {
            return ArchiveFormat.forName(filename).isPresent();
        }

        @Override
        public boolean isMetadata(String path) {
            return false;
        }

        @Override
        public PackageMetadata metadata(String filename, Map<String, byte[]> files) {
            return PackageMetadata.NONE;
        }

        @Override
        public List<Finding> check(
                String filename, PackageMetadata metadata, Map<String, byte[]> files, List<ManifestEntry> manifest) {
            return List.of();
        }

        @Override
        public String stablePath(String filename, String path) {
            return path;
        }

        @Override
        public String variant(String filename) {
            return ArchiveFormat.forName(filename).map(Enum::name).orElse("");
        }
    };
}
