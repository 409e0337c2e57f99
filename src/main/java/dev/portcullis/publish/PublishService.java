package dev.portcullis.publish;

import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Principal;
import dev.portcullis.identity.TrustedPublishing;
import dev.portcullis.publish.UploadResult.Why;
import dev.portcullis.store.BlobStore;
import dev.portcullis.store.Database;
import dev.portcullis.store.Sha256;
import dev.portcullis.store.StagedBlob;
import dev.portcullis.events.Event;
import dev.portcullis.events.EventLog;
import dev.portcullis.core.Origin;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;

/**
 * Entry point of the publish pipeline: validates one received upload, stores it and records it
 * in a held release, in the order PyPI's upload endpoint checks (see docs/API.md).
 *
 * <p>The bytes arrive already streamed into the blob store's temporary area ({@link StagedBlob});
 * this class either writes the file row and its event and commits the bytes in one transaction,
 * or discards them and records the refusal. Nothing it refuses changes any stored state.
 */
public final class PublishService {

  private static final Set<String> METADATA_VERSIONS =
      Set.of("1.0", "1.1", "1.2", "2.1", "2.2", "2.3", "2.4", "2.5");
  private static final Pattern HEX64 = Pattern.compile("[0-9a-fA-F]{64}");

  private final Database database;
  private final BlobStore blobs;
  private final EventLog events;
  private final Clock clock;
  private final PublishSettings settings;
  private final TrustedPublishing trustedPublishing;
  private final ReleaseListener listener;
  private final AttestationCheck attestations;
  private final ContentInspection inspection;

  public PublishService(
      Database database, BlobStore blobs, EventLog events, Clock clock, PublishSettings settings,
      TrustedPublishing trustedPublishing, AttestationCheck attestations, ContentInspection inspection,
      ReleaseListener listener) {
    this.inspection = inspection;
    this.listener = listener;
    this.attestations = attestations;
    this.database = database;
    this.blobs = blobs;
    this.events = events;
    this.clock = clock;
    this.settings = settings;
    this.trustedPublishing = trustedPublishing;
  }

  public PublishSettings settings() {
    return settings;
  }

  /**
   * The receive step: streams one file into the blob store's temporary area while hashing it.
   *
   * @throws BlobTooLargeException past {@link PublishSettings#maxFileBytes()}; nothing is kept
   */
  public StagedBlob receive(InputStream in) throws IOException {
    return blobs.stage(in, settings.maxFileBytes());
  }

  /** Drops received bytes that will not be staged (idempotent). */
  public void discard(StagedBlob content) {
    blobs.discard(content);
  }

  /** Records a refusal decided before the pipeline ran (e.g. by the wire adapter) and returns it. */
  public UploadResult.Refused refuse(
      Principal principal, String filename, Why refusal, String message, Origin origin) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("refusal", refusal.name());
    details.put("message", message);
    if (filename != null) {
      details.put("filename", filename);
    }
    // Counted, not written one by one: an anonymous client can cause these at will.
    events.appendCounted(
        new Event(
            "UploadRejected",
            principal == null ? null : principal.actor(),
            null,
            filename,
            origin,
            details),
        principal == null ? origin.ip() : principal.actor());
    return new UploadResult.Refused(refusal, message);
  }

  /**
   * Validates and stages one file. {@code content} is discarded unless the file is stored; it may
   * be {@code null} when the request carried no file.
   */
  public UploadResult upload(
      Principal principal, UploadForm form, StagedBlob content, Origin origin) {
    try {
      UploadResult result = stage(principal, form, content, origin);
      if (result instanceof UploadResult.Staged staged) {
        // After the commit: the gate decides what happens to the release now. If that fails,
        // the release simply stays held (fail closed).
        try {
          listener.staged(staged.project(), staged.version(), staged.filename());
        } catch (RuntimeException e) {
          org.slf4j.LoggerFactory.getLogger(PublishService.class)
              .error("deciding {} {} failed; it stays held", staged.project(), staged.version(), e);
        }
      }
      return result;
    } finally {
      if (content != null) {
        blobs.discard(content); // no-op once committed: the file has moved
      }
    }
  }

  private UploadResult stage(
      Principal principal, UploadForm form, StagedBlob content, Origin origin) {
    ProjectName project;
    Pep440Version version;
    PackageType type;
    try {
      project = ProjectName.of(form.name());
      version = Pep440Version.parse(form.version());
      type = PackageType.fromWire(form.filetype());
      checkFormFields(form, type);
    } catch (IllegalArgumentException e) {
      return refuse(principal, form.filename(), Why.INVALID, e.getMessage(), origin);
    }
    if (content == null) {
      return refuse(
          principal, form.filename(), Why.INVALID, "Upload payload does not have a file.", origin);
    }
    if (!principal.can(Permission.UPLOAD, project.normalized())) {
      return refuse(
          principal,
          form.filename(),
          Why.FORBIDDEN,
          "The given token isn't allowed to upload to project '" + project.display() + "'.",
          origin);
    }
    Optional<String> onlyTrustedPublishers = trustedPublishing.checkUpload(principal, project.normalized(), origin);
    if (onlyTrustedPublishers.isPresent()) {
      return refuse(principal, form.filename(), Why.FORBIDDEN, onlyTrustedPublishers.get(), origin);
    }
    DistributionFilename filename;
    CoreMetadata metadata;
    try {
      filename = DistributionFilename.parse(form.filename(), type);
      filename.requireMatches(project, version);
      checkDigests(form, content);
      metadata = DistributionArchive.check(content.path(), filename, project, version);
    } catch (IllegalArgumentException e) {
      return refuse(principal, form.filename(), Why.INVALID, e.getMessage(), origin);
    }
    // The inspect step: the whole archive, read safely; structural hazards refuse the upload.
    ContentInspection.Inspected inspected = null;
    switch (inspect(filename.filename(), content)) {
      case ContentInspection.Refused refused -> {
        return refuse(principal, form.filename(), Why.INVALID, "Invalid distribution file. " + refused.reason(), origin);
      }
      case ContentInspection.Inspected i -> inspected = i;
      case null -> {}
    }
    // The verify step (PEP 740): forged or malformed attestations refuse the upload, as on PyPI;
    // genuine ones by someone other than a trusted publisher are kept, and the gate holds.
    AttestationCheck.Checked provenance = null;
    if (blankToNull(form.attestations()) != null) {
      switch (attestations.check(project.normalized(), filename.filename(), content.path(), form.attestations())) {
        case AttestationCheck.Invalid invalid -> {
          return refuse(principal, form.filename(), Why.INVALID,
              "Invalid attestations supplied during upload: " + invalid.reason(), origin);
        }
        case AttestationCheck.Checked checked -> provenance = checked;
      }
    }
    String metadataSha256 = type == PackageType.WHEEL ? Sha256.hex(metadata.raw()) : null;
    Upload upload =
        new Upload(principal, project, version, type, filename, form, content, metadata, metadataSha256, provenance, inspected, origin);
    try {
      return database.inTransaction(h -> record(h, upload));
    } catch (RuntimeException e) {
      if (!Database.isUniqueViolation(e)) {
        throw e;
      }
      // A concurrent upload claimed the same name first (PostgreSQL reports it at insert time).
      return database.inTransaction(h -> record(h, upload));
    }
  }

  private record Upload(
      Principal principal,
      ProjectName project,
      Pep440Version version,
      PackageType type,
      DistributionFilename filename,
      UploadForm form,
      StagedBlob content,
      CoreMetadata metadata,
      String metadataSha256,
      AttestationCheck.Checked provenance,
      ContentInspection.Inspected inspection,
      Origin origin) {}

  /** Runs the inspection; if it crashes, the file is still staged, with a failed report the gate holds on. */
  private ContentInspection.Result inspect(String filename, StagedBlob content) {
    try {
      return inspection.inspect(filename, content.path());
    } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
      org.slf4j.LoggerFactory.getLogger(PublishService.class).error("inspecting {} failed; the release will be held", filename, e);
      return new ContentInspection.Inspected(null, "high", 0, null, "the inspection failed: " + e.getClass().getSimpleName());
    }
  }

  private UploadResult record(Handle h, Upload u) {
    long now = clock.millis();
    h.createUpdate(
            "INSERT INTO projects (name, display_name, created_at) VALUES (:n, :d, :t)"
                + " ON CONFLICT (name) DO NOTHING")
        .bind("n", u.project().normalized())
        .bind("d", u.project().display())
        .bind("t", now)
        .execute();
    Project project = Catalog.findProject(h, u.project().normalized()).orElseThrow();

    Optional<Artifact> existing = Catalog.findArtifact(h, project.id(), u.filename().filename());
    if (existing.isPresent()) {
      Artifact file = existing.get();
      if (file.sha256().equals(u.content().digests().sha256())
          && file.blake2b256().equals(u.content().digests().blake2b256())) {
        return new UploadResult.Unchanged(project.name(), file.filename());
      }
      return refuseIn(
          h,
          u,
          Why.FILE_EXISTS,
          "File already exists ('"
              + file.filename()
              + "', with blake2_256 hash '"
              + file.blake2b256()
              + "'). A file name is never reused with other contents; upload a new version.");
    }

    h.createUpdate(
            "INSERT INTO releases (project_id, version, canonical_version, state, created_at)"
                + " VALUES (:p, :v, :c, 'held', :t) ON CONFLICT (project_id, canonical_version)"
                + " DO NOTHING")
        .bind("p", project.id())
        .bind("v", u.version().normalized())
        .bind("c", u.version().canonical())
        .bind("t", now)
        .execute();
    Release release =
        Catalog.findRelease(h, project.name(), u.version().canonical()).orElseThrow();
    if (release.state() != ReleaseState.HELD) {
      return refuseIn(
          h,
          u,
          Why.RELEASE_DECIDED,
          "Release "
              + release.version()
              + " of '"
              + project.name()
              + "' was already "
              + release.state().wireName()
              + "; its files are fixed. Upload a new version.");
    }
    if (u.type() == PackageType.SDIST) {
      boolean hasSdist =
          h.createQuery(
                  "SELECT COUNT(*) FROM release_files WHERE release_id = :r AND packagetype = 'sdist'")
              .bind("r", release.id())
              .mapTo(Long.class)
              .one()
              > 0;
      if (hasSdist) {
        return refuseIn(h, u, Why.INVALID, "Only one sdist may be uploaded per release.");
      }
    }
    h.createUpdate(
            "INSERT INTO release_files (release_id, project_id, filename, packagetype,"
                + " python_version, requires_python, size, sha256, blake2_256, md5,"
                + " metadata_sha256, uploaded_at, uploaded_by, uploader_token, uploader_ip,"
                + " uploader_agent, publisher_identity) VALUES (:r, :p, :f, :type, :py, :rp, :size, :sha, :blake,"
                + " :md5, :meta, :t, :by, :token, :ip, :agent, :publisher)")
        .bind("agent", u.origin().userAgent())
        .bind("r", release.id())
        .bind("p", project.id())
        .bind("f", u.filename().filename())
        .bind("type", u.type().wireName())
        .bind("py", pythonVersion(u))
        .bind("rp", blankToNull(u.form().requiresPython()))
        .bind("size", u.content().size())
        .bind("sha", u.content().digests().sha256())
        .bind("blake", u.content().digests().blake2b256())
        .bind("md5", u.content().digests().md5())
        .bind("meta", u.metadataSha256())
        .bind("t", now)
        .bind("by", u.principal().userName())
        .bind("token", u.principal().tokenId())
        .bind("ip", u.origin().ip())
        .bind("publisher", publisherJson(u.principal()))
        .execute();
    long fileId = h.createQuery("SELECT id FROM release_files WHERE project_id = :p AND filename = :f")
        .bind("p", project.id()).bind("f", u.filename().filename()).mapTo(Long.class).one();
    if (u.provenance() != null) {
      recordProvenance(h, fileId, u);
    }
    if (u.inspection() != null) {
      ContentInspection.Inspected i = u.inspection();
      h.createUpdate("INSERT INTO file_inspections (file_id, inspected_at, max_severity, findings, report, error, requires_dist)"
              + " VALUES (:id, :t, :sev, :n, :report, :error, :requires)")
          .bind("id", fileId).bind("t", now).bind("sev", i.maxSeverity()).bind("n", i.findings())
          .bind("report", i.report()).bind("error", i.error()).bind("requires", i.requiresDist()).execute();
    }
    events.append(
        h,
        new Event(
            "UploadStaged",
            u.principal().actor(),
            project.name(),
            u.filename().filename(),
            u.origin(),
            stagedDetails(u, release)));
    // Last, still inside the transaction: make the bytes permanent. A crash before the commit
    // leaves at most an unreferenced blob; a refusal above never stores anything.
    try {
      if (u.type() == PackageType.WHEEL) {
        blobs.put(u.metadata().raw());
      }
      blobs.commit(u.content());
    } catch (IOException e) {
      throw new UncheckedIOException("blob store failed while staging " + u.filename().filename(), e);
    }
    return new UploadResult.Staged(
        project.name(), release.version(), u.filename().filename(), u.content().digests().sha256());
  }

  private static void recordProvenance(Handle h, long fileId, Upload u) {
    AttestationCheck.Checked p = u.provenance();
    try {
      h.createUpdate("INSERT INTO file_provenance (file_id, attestations, status, signer, issuer, publisher, publisher_kind,"
              + " publisher_config, source, reason) VALUES (:id, :a, :s, :signer, :issuer, :pub, :kind, :config, :source, :reason)")
          .bind("id", fileId).bind("a", u.form().attestations()).bind("s", p.verified() ? "verified" : "unverified")
          .bind("signer", p.signer()).bind("issuer", p.issuer()).bind("pub", p.publisher()).bind("kind", p.publisherKind())
          .bind("config", p.publisherConfig() == null ? null : PUBLISHER_JSON.writeValueAsString(p.publisherConfig()))
          .bind("source", PUBLISHER_JSON.writeValueAsString(p.source())).bind("reason", p.reason()).execute();
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, Object> stagedDetails(Upload u, Release release) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("version", release.version());
    details.put("sha256", u.content().digests().sha256());
    details.put("size", u.content().size());
    details.put("token", u.principal().tokenId());
    details.put("credential", u.principal().isTrustedPublisher() ? "trusted-publisher" : "api-token");
    if (u.inspection() != null) {
      details.put("inspection", u.inspection().error() != null ? "failed" : u.inspection().maxSeverity());
    }
    if (u.principal().isTrustedPublisher()) {
      details.put("publisher", u.principal().publisher().description());
      details.put("claims", u.principal().publisher().claims());
    }
    if (u.provenance() != null) {
      details.put("provenance", u.provenance().verified() ? "verified" : "unverified");
      details.put("provenance_signer", String.valueOf(u.provenance().signer()));
      details.put("provenance_source", u.provenance().source());
    }
    return details;
  }

  /** The CI identity behind an upload made with a minted token, as stored JSON; null otherwise. */
  private static String publisherJson(Principal principal) {
    if (!principal.isTrustedPublisher()) {
      return null;
    }
    try {
      return PUBLISHER_JSON.writeValueAsString(principal.publisher());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper PUBLISHER_JSON =
      new com.fasterxml.jackson.databind.ObjectMapper()
          .configure(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  /**
   * A refusal found inside the transaction. Each one is reached only when the project (and, after
   * the file check, the release) already existed, so the upserts before it wrote nothing: the
   * transaction commits the refusal event alone.
   */
  private UploadResult.Refused refuseIn(Handle h, Upload u, Why refusal, String message) {
    events.append(
        h,
        new Event(
            "UploadRejected",
            u.principal().actor(),
            u.project().normalized(),
            u.filename().filename(),
            u.origin(),
            Map.of("refusal", refusal.name(), "message", message)));
    return new UploadResult.Refused(refusal, message);
  }

  private static String pythonVersion(Upload u) {
    String py = blankToNull(u.form().pyversion());
    return py == null ? "source" : py;
  }

  private static void checkFormFields(UploadForm form, PackageType type) {
    String metadataVersion = form.metadataVersion();
    if (metadataVersion == null || !METADATA_VERSIONS.contains(metadataVersion.trim())) {
      throw new IllegalArgumentException(
          "'"
              + metadataVersion
              + "' is an invalid value for Metadata-Version. Error: Use a known metadata version.");
    }
    String py = blankToNull(form.pyversion());
    if (type == PackageType.WHEEL && py == null) {
      throw new IllegalArgumentException(
          "Invalid value for pyversion. Error: Python version is required for binary distribution"
              + " uploads.");
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
            "Invalid value for sha256_digest or blake2_256_digest. Error: Use a valid, hex-encoded,"
                + " 256-bit digest.");
      }
    }
  }

  /** Every digest the client sent must match the bytes received (PyPI compares each one). */
  private static void checkDigests(UploadForm form, StagedBlob content) {
    boolean ok =
        matches(form.sha256(), content.digests().sha256())
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
