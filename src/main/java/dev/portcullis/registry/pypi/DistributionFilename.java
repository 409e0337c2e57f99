package dev.portcullis.registry.pypi;

import java.util.regex.Pattern;

/**
 * A distribution file name, checked against the project and version it is uploaded for.
 *
 * <p>Wheels: {@code {name}-{version}(-{build})?-{python}-{abi}-{platform}.whl} (wheel spec).
 * Source distributions: {@code {name}-{version}.tar.gz} or {@code .zip}. PEP 625 asks for the
 * normalized name, but older build back-ends (such as Debian 12's setuptools) still write the
 * project's own spelling, so the name part is compared after PEP 503 normalization.
 */
public record DistributionFilename(String filename, PackageType type, String namePart, String versionPart) {

    /** Characters a file name may contain: no separators, no control or shell characters. */
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+!-]{0,254}");

    public static DistributionFilename parse(String filename, PackageType type) {
        if (filename == null || !SAFE.matcher(filename).matches()) {
            throw new IllegalArgumentException(
                    "Invalid file name: only letters, digits, '.', '_', '-', '+' and '!' are allowed, and no"
                            + " path separators.");
        }
        return switch (type) {
            case WHEEL -> wheel(filename);
            case SDIST -> sdist(filename);
        };
    }

    private static DistributionFilename wheel(String filename) {
        if (!filename.endsWith(".whl")) {
            throw new IllegalArgumentException(
                    "Invalid file extension: Use .tar.gz or .zip for sdist and .whl for bdist_wheel" + " (PEP 527).");
        }
        String[] parts = filename.substring(0, filename.length() - 4).split("-", -1);
        if (parts.length != 5 && parts.length != 6) {
            throw new IllegalArgumentException("Invalid wheel filename (wrong number of parts): " + filename);
        }
        if (parts.length == 6 && !Character.isDigit(parts[2].charAt(0))) {
            throw new IllegalArgumentException(
                    "Invalid wheel filename (build tag must start with a digit): " + filename);
        }
        for (String part : parts) {
            if (part.isEmpty()) {
                throw new IllegalArgumentException("Invalid wheel filename (empty part): " + filename);
            }
        }
        return new DistributionFilename(filename, PackageType.WHEEL, parts[0], parts[1]);
    }

    private static DistributionFilename sdist(String filename) {
        String stem;
        if (filename.endsWith(".tar.gz")) {
            stem = filename.substring(0, filename.length() - 7);
        } else if (filename.endsWith(".zip")) {
            stem = filename.substring(0, filename.length() - 4);
        } else {
            throw new IllegalArgumentException(
                    "Invalid file extension: Use .tar.gz or .zip for sdist and .whl for bdist_wheel" + " (PEP 527).");
        }
        int dash = stem.lastIndexOf('-');
        if (dash <= 0 || dash == stem.length() - 1) {
            throw new IllegalArgumentException("Invalid source distribution filename: " + filename);
        }
        return new DistributionFilename(filename, PackageType.SDIST, stem.substring(0, dash), stem.substring(dash + 1));
    }

    /** The archive's top-level directory (sdist) or the dist-info directory prefix (wheel). */
    public String stem() {
        return namePart + "-" + versionPart;
    }

    /** Throws unless the name and version in the file name are those of the upload form. */
    public void requireMatches(ProjectName project, Pep440Version version) {
        if (!ProjectName.normalize(namePart).equals(project.normalized())) {
            throw new IllegalArgumentException("Start filename for '" + project.display() + "' with '"
                    + project.normalized().replace('-', '_') + "'.");
        }
        Pep440Version fileVersion;
        try {
            fileVersion = Pep440Version.parse(versionPart);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid version in filename '" + filename + "'.");
        }
        if (!fileVersion.canonical().equals(version.canonical())) {
            throw new IllegalArgumentException(
                    "Version in filename should be '" + version.normalized() + "' not '" + versionPart + "'.");
        }
    }
}
