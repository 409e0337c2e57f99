package dev.portcullis.registry.pypi;

import dev.portcullis.publish.Artifact;
import dev.portcullis.publish.ContentInspection;
import dev.portcullis.publish.Ecosystem;
import dev.portcullis.publish.Ecosystems;
import dev.portcullis.publish.Submission;
import dev.portcullis.store.BlobStore;
import dev.portcullis.store.Sha256;
import dev.portcullis.store.StagedBlob;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;

/**
 * One file of PyPI's legacy upload, for the neutral pipeline: the form's own checks (before
 * anything else, as PyPI makes them), then — through {@link Submission.Rules} — the file name
 * against the project and version, every digest sent, the core metadata the inspection read (it
 * must name the project and version, and a wheel's is kept to serve as its PEP 658 metadata file),
 * one sdist per release, PyPI's words for a taken file name, and PyPI's attributes of the file in
 * {@code pypi_files}.
 */
final class PypiUpload implements Submission.Rules {

    private static final Set<String> METADATA_VERSIONS = Set.of("1.0", "1.1", "1.2", "2.1", "2.2", "2.3", "2.4", "2.5");
    private static final Pattern HEX64 = Pattern.compile("[0-9a-fA-F]{64}");

    private final UploadForm form;
    private final PackageType type;
    private final StagedBlob content;
    private final BlobStore blobs;
    private byte[] coreMetadata;

    private PypiUpload(UploadForm form, PackageType type, StagedBlob content, BlobStore blobs) {
        this.form = form;
        this.type = type;
        this.content = content;
        this.blobs = blobs;
    }

    /** The form's checks passed or not. */
    sealed interface Prepared {}

    record Ready(Submission submission) implements Prepared {}

    record Wrong(String message) implements Prepared {}

    /** The form's checks; a submission for the pipeline, or why not. */
    static Prepared of(UploadForm form, StagedBlob content, PypiEcosystem ecosystem, BlobStore blobs) {
        PackageType type;
        try {
            type = PackageType.fromWire(form.filetype());
            checkFormFields(form, type);
        } catch (IllegalArgumentException e) {
            return new Wrong(e.getMessage());
        }
        PypiUpload rules = new PypiUpload(form, type, content, blobs);
        return new Ready(new Submission(
                ecosystem,
                form.name(),
                form.version(),
                form.filename(),
                kind(type),
                content,
                blankToNull(form.attestations()),
                rules));
    }

    /** The neutral word for each of PyPI's file types (the form's {@code filetype} is {@code bdist_wheel} or {@code sdist}). */
    static String kind(PackageType type) {
        return type == PackageType.WHEEL ? "wheel" : "sdist";
    }

    static PackageType type(String kind) {
        return "wheel".equals(kind) ? PackageType.WHEEL : PackageType.SDIST;
    }

    @Override
    public Optional<String> check(Ecosystems.ProjectRef project, Ecosystem.Versioned version) {
        ProjectName name =
                new ProjectName(project.name().display(), project.name().normalized());
        Pep440Version pep440 = new Pep440Version(version.display(), version.canonical());
        try {
            DistributionFilename.parse(form.filename(), type).requireMatches(name, pep440);
            checkDigests();
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** The core metadata ({@code {stem}.dist-info/METADATA} or {@code {stem}/PKG-INFO}) must be there and name this project and version. */
    @Override
    public Optional<String> checkContent(
            Ecosystems.ProjectRef project, Ecosystem.Versioned version, ContentInspection.Declared declared) {
        String filename = form.filename();
        if (declared == null) {
            return Optional.of(INVALID + "'" + filename + "' could not be read, so its metadata is unknown.");
        }
        String path = PypiFormat.coreMetadataPath(filename);
        byte[] raw = declared.files().get(path);
        if (raw == null) {
            return Optional.of(INVALID + "'" + filename + "' does not contain the required file " + path + ".");
        }
        Map<String, List<String>> headers = CoreMetadata.headers(new String(raw, StandardCharsets.UTF_8));
        String name =
                headers.getOrDefault("name", List.of()).stream().findFirst().orElse(null);
        String written =
                headers.getOrDefault("version", List.of()).stream().findFirst().orElse(null);
        if (name == null || written == null) {
            return Optional.of(INVALID + path + " lacks the required Name and Version fields.");
        }
        if (!ProjectName.normalize(name).equals(project.name().normalized())) {
            return Optional.of(INVALID + "its metadata names project '" + name + "', not '"
                    + project.name().display() + "'.");
        }
        Pep440Version metadataVersion;
        try {
            metadataVersion = Pep440Version.parse(written);
        } catch (IllegalArgumentException e) {
            return Optional.of(INVALID + "its metadata has an invalid version '" + written + "'.");
        }
        if (!metadataVersion.canonical().equals(version.canonical())) {
            return Optional.of(
                    INVALID + "its metadata has version '" + written + "', not '" + version.display() + "'.");
        }
        coreMetadata = raw;
        return Optional.empty();
    }

    private static final String INVALID = "Invalid distribution file. ";

    @Override
    public String unreadable(String reason) {
        return INVALID + reason;
    }

    /** Warehouse's words for attestations it cannot accept. */
    @Override
    public String invalidAttestations(String reason) {
        return "Invalid attestations supplied during upload: " + reason;
    }

    @Override
    public Optional<String> conflict(List<Artifact> releaseFiles) {
        if (type == PackageType.SDIST
                && releaseFiles.stream().anyMatch(f -> f.kind().equals("sdist"))) {
            return Optional.of("Only one sdist may be uploaded per release.");
        }
        return Optional.empty();
    }

    @Override
    public String fileExists(Handle h, Artifact existing) {
        String blake = PypiFiles.find(h, existing.id())
                .map(PypiFiles.Attributes::blake2b256)
                .orElse(null);
        return "File already exists ('" + existing.filename() + "', with "
                + (blake == null ? "sha256 hash '" + existing.sha256() : "blake2_256 hash '" + blake)
                + "'). A file name is never reused with other contents; upload a new version.";
    }

    @Override
    public void record(Handle h, long fileId) {
        String metadataSha256 = null;
        if (type == PackageType.WHEEL) {
            try {
                blobs.put(coreMetadata); // served as the PEP 658 .metadata file, byte for byte as in the wheel
            } catch (IOException e) {
                org.slf4j.LoggerFactory.getLogger(PypiUpload.class)
                        .warn(
                                "storing the metadata of {} failed; nothing was recorded: {}",
                                form.filename(),
                                e.toString());
                throw new dev.portcullis.core.Refusal.Unavailable(
                        "The file store cannot be written now; nothing was stored. Try the upload again later.");
            }
            metadataSha256 = Sha256.hex(coreMetadata);
        }
        String py = blankToNull(form.pyversion());
        PypiFiles.insert(
                h,
                fileId,
                new PypiFiles.Attributes(
                        py == null ? "source" : py,
                        blankToNull(form.requiresPython()),
                        content.digests().blake2b256(),
                        content.digests().md5(),
                        metadataSha256));
    }

    private static void checkFormFields(UploadForm form, PackageType type) {
        String metadataVersion = form.metadataVersion();
        if (metadataVersion == null || !METADATA_VERSIONS.contains(metadataVersion.trim())) {
            throw new IllegalArgumentException("'" + metadataVersion
                    + "' is an invalid value for Metadata-Version. Error: Use a known metadata version.");
        }
        String py = blankToNull(form.pyversion());
        if (type == PackageType.WHEEL && py == null) {
            throw new IllegalArgumentException(
                    "Invalid value for pyversion. Error: Python version is required for binary distribution uploads.");
        }
        if (type == PackageType.SDIST && py != null && !py.equals("source")) {
            throw new IllegalArgumentException(
                    "Invalid value for pyversion. Error: Use 'source' as Python version for an sdist.");
        }
        if (blankToNull(form.sha256()) == null
                && blankToNull(form.blake2b256()) == null
                && blankToNull(form.md5()) == null) {
            throw new IllegalArgumentException("Error: Include at least one message digest.");
        }
        for (String digest : new String[] {form.sha256(), form.blake2b256()}) {
            if (blankToNull(digest) != null && !HEX64.matcher(digest.trim()).matches()) {
                throw new IllegalArgumentException(
                        "Invalid value for sha256_digest or blake2_256_digest. Error: Use a valid, hex-encoded, 256-bit digest.");
            }
        }
    }

    /** Every digest the client sent must match the bytes received (PyPI compares each one). */
    private void checkDigests() {
        boolean ok = matches(form.sha256(), content.digests().sha256())
                && matches(form.blake2b256(), content.digests().blake2b256())
                && matches(form.md5(), content.digests().md5());
        if (!ok) {
            throw new IllegalArgumentException(
                    "The digest supplied does not match a digest calculated from the uploaded file.");
        }
    }

    private static boolean matches(String sent, String actual) {
        String value = blankToNull(sent);
        return value == null
                || MessageDigest.isEqual(
                        value.trim().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII),
                        actual.getBytes(StandardCharsets.US_ASCII));
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
