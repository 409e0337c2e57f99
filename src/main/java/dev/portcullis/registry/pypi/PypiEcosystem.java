package dev.portcullis.registry.pypi;

import dev.portcullis.core.Refusal;
import dev.portcullis.publish.Ecosystem;
import java.util.Locale;

/**
 * PyPI's naming and versioning: PEP 503 names, PEP 440 versions (local versions refused, as on
 * PyPI), PEP 508 requirements, and wheel and sdist file names compared after normalization (PEP 740
 * subjects name the distribution file).
 */
public final class PypiEcosystem implements Ecosystem {

    /** Debian's Python 3 modules (scripts/refresh-well-known-names): what a dependency may imitate. */
    private static final dev.portcullis.publish.LookAlikes WELL_KNOWN =
            dev.portcullis.publish.LookAlikes.fromResource(PypiEcosystem.class, "well-known-names.txt");

    public static final String ID = "pypi";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Named name(String written) {
        try {
            ProjectName name = ProjectName.of(written);
            return new Named(name.display(), name.normalized());
        } catch (IllegalArgumentException e) {
            throw new Refusal.Invalid(e.getMessage());
        }
    }

    @Override
    public Versioned version(String written) {
        try {
            Pep440Version version = Pep440Version.parse(written);
            return new Versioned(version.normalized(), version.canonical());
        } catch (IllegalArgumentException e) {
            throw new Refusal.Invalid(e.getMessage());
        }
    }

    /**
     * PEP 508: the name (normalized), then extras, specifier and marker. The key is the name plus the
     * marker ({@code numpy} and {@code numpy; python_version<'3.9'} are two dependencies).
     */
    @Override
    public Dependency dependency(String written) {
        String stripped = written.strip();
        int end = 0;
        while (end < stripped.length()
                && (Character.isLetterOrDigit(stripped.charAt(end)) || "-_.".indexOf(stripped.charAt(end)) >= 0)) {
            end++;
        }
        String name = ProjectName.normalize(stripped.substring(0, end));
        String rest = stripped.substring(end).replace(" ", "");
        int semicolon = rest.indexOf(';');
        String marker = semicolon < 0 ? "" : rest.substring(semicolon);
        String bare = stripped.substring(0, end);
        return new Dependency(
                name + marker,
                semicolon < 0 ? rest : rest.substring(0, semicolon),
                written,
                WELL_KNOWN.imitated(bare).orElse(null));
    }

    /** PEP 740: the subject names the distribution; names and versions compare after normalization, the rest exactly (case aside). */
    @Override
    public boolean namesFile(String subject, String name, String version, String filename) {
        return namesFile(subject, filename);
    }

    /** Whether {@code subject} names the distribution file {@code filename}. */
    public boolean namesFile(String subject, String filename) {
        if (subject.equals(filename)) {
            return true;
        }
        PackageType type = filename.toLowerCase(Locale.ROOT).endsWith(".whl") ? PackageType.WHEEL : PackageType.SDIST;
        try {
            DistributionFilename a = DistributionFilename.parse(subject, type);
            DistributionFilename b = DistributionFilename.parse(filename, type);
            String restA = subject.substring(a.stem().length()).toLowerCase(Locale.ROOT);
            String restB = filename.substring(b.stem().length()).toLowerCase(Locale.ROOT);
            return ProjectName.normalize(a.namePart()).equals(ProjectName.normalize(b.namePart()))
                    && Pep440Version.parse(a.versionPart())
                            .canonical()
                            .equals(Pep440Version.parse(b.versionPart()).canonical())
                    && restA.equals(restB);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
