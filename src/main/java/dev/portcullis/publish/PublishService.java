package dev.portcullis.publish;

import dev.portcullis.core.Origin;
import dev.portcullis.core.Refusal;
import dev.portcullis.events.Event;
import dev.portcullis.events.EventLog;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Principal;
import dev.portcullis.identity.TrustedPublishing;
import dev.portcullis.publish.UploadResult.Why;
import dev.portcullis.store.BlobStore;
import dev.portcullis.store.Database;
import dev.portcullis.store.StagedBlob;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Entry point of the publish pipeline, for every ecosystem: validates one received file
 * ({@link Submission}: a registry adapter parsed its protocol; the {@link Ecosystem} names and
 * versions it), stores it and records it in a held release (docs/ARCHITECTURE.md).
 *
 * <p>The bytes arrive already streamed into the blob store's temporary area ({@link StagedBlob});
 * this class either writes the file row and its event and commits the bytes in one transaction,
 * or discards them and records the refusal. Nothing it refuses changes any stored state.
 */
public final class PublishService {

    private final Database database;
    private final BlobStore blobs;
    private final EventLog events;
    private final Clock clock;
    private final PublishSettings settings;
    private final TrustedPublishing trustedPublishing;
    private final ReleaseListener listener;
    private final AttestationCheck attestations;
    private final ContentInspection inspection;
    private final Ecosystems ecosystems;

    public PublishService(
            Database database,
            BlobStore blobs,
            EventLog events,
            Clock clock,
            PublishSettings settings,
            TrustedPublishing trustedPublishing,
            AttestationCheck attestations,
            ContentInspection inspection,
            ReleaseListener listener,
            Ecosystems ecosystems) {
        this.ecosystems = ecosystems;
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

    /** The door for released history that did not come through the pipeline (drill sandboxes). */
    public History history() {
        return new History(database, clock, inspection, attestations);
    }

    /**
     * The receive step: streams one file into the blob store's temporary area while hashing it.
     *
     * @throws BlobTooLargeException past {@link PublishSettings#maxFileBytes()}; nothing is kept
     */
    public StagedBlob receive(InputStream in) throws IOException {
        return dev.portcullis.core.Tracing.inSpan("receive file", () -> blobs.stage(in, settings.maxFileBytes()));
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
     * Validates and stages one file. Its content is discarded unless the file is stored; it may be
     * {@code null} when the request carried no file.
     */
    public UploadResult upload(Principal principal, Submission submission, Origin origin) {
        StagedBlob content = submission.content();
        try {
            UploadResult result = stage(principal, submission, origin);
            if (result instanceof UploadResult.Staged staged) {
                // After the commit: the gate decides what happens to the release now. If that fails,
                // the release simply stays held (fail closed).
                try {
                    if (submission.rules().partOfDeployment()) {
                        listener.received(staged.project(), staged.version(), staged.filename());
                    } else {
                        listener.staged(staged.project(), staged.version(), staged.filename());
                    }
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

    /**
     * The client ended a deployment to {@code project} ({@link Submission.Rules#partOfDeployment}):
     * the gate decides its releases now. Needs upload permission on the project, checked by the caller.
     */
    public void complete(Ecosystems.ProjectRef project) {
        try {
            listener.complete(project.key());
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(PublishService.class)
                    .error("deciding {} failed; it stays held", project.key(), e);
        }
    }

    /**
     * Provenance that arrives after its file (Maven deploys {@code X.sigstore.json} beside {@code
     * X}): checked exactly as attestations sent with an upload are, against the stored file —
     * forged or malformed refuse, nothing changes — then recorded for the file, and the gate
     * decides the release again. The file must be in a held release, without provenance yet, and
     * the token must be allowed to upload to the project.
     */
    public Optional<UploadResult.Refused> attest(
            Principal principal,
            Ecosystem ecosystem,
            String projectName,
            String version,
            String filename,
            String attestationsJson,
            Submission.Rules rules,
            Origin origin) {
        Ecosystems.ProjectRef project = ecosystems.project(ecosystem, projectName);
        if (!principal.can(dev.portcullis.identity.Permission.UPLOAD, project.key())) {
            return Optional.of(refuse(
                    principal,
                    filename,
                    Why.FORBIDDEN,
                    "The given token isn't allowed to upload to project '"
                            + project.name().display() + "'.",
                    origin));
        }
        Catalog catalog = new Catalog(database, ecosystems);
        Optional<Release> release =
                catalog.findRelease(project.key(), ecosystem.version(version).canonical());
        Optional<Artifact> file = release.map(r -> catalog.artifactsOf(r.id()))
                .flatMap(all ->
                        all.stream().filter(a -> a.filename().equals(filename)).findFirst());
        if (file.isEmpty()) {
            return Optional.of(refuse(
                    principal,
                    filename,
                    Why.INVALID,
                    "provenance for " + filename + ", which was not deployed",
                    origin));
        }
        if (release.get().state() != ReleaseState.HELD || file.get().provenance() != null) {
            return Optional.of(refuse(
                    principal,
                    filename,
                    Why.RELEASE_DECIDED,
                    "provenance for " + filename + " comes too late: "
                            + (file.get().provenance() != null
                                    ? "it has provenance already"
                                    : "the release is "
                                            + release.get().state().name().toLowerCase(java.util.Locale.ROOT)),
                    origin));
        }
        Path stored = blobs.find(file.get().sha256())
                .orElseThrow(() -> new IllegalStateException("the stored bytes of " + filename + " are missing"));
        switch (attestations.check(
                project.key(),
                filename,
                stored,
                attestationsJson,
                subject -> ecosystem.namesFile(subject, projectName, version, filename))) {
            case AttestationCheck.Invalid invalid -> {
                return Optional.of(
                        refuse(principal, filename, Why.INVALID, rules.invalidAttestations(invalid.reason()), origin));
            }
            case AttestationCheck.Checked checked -> {
                boolean first = database.inTransaction(h -> {
                    // Once per file: a second bundle (or a race with one) changes nothing.
                    int updated = h.createUpdate("UPDATE release_files SET provenance = :p, provenance_reason = :r"
                                    + " WHERE id = :id AND provenance IS NULL")
                            .bind("p", checked.verified() ? "verified" : "unverified")
                            .bind("r", checked.reason())
                            .bind("id", file.get().id())
                            .execute();
                    if (updated == 1) {
                        attestations.record(h, file.get().id(), attestationsJson, checked);
                        Map<String, Object> details = new LinkedHashMap<>();
                        details.put("version", version);
                        details.put("provenance", checked.verified() ? "verified" : "unverified");
                        if (checked.signer() != null) {
                            details.put("signer", checked.signer());
                        }
                        if (checked.reason() != null) {
                            details.put("reason", checked.reason());
                        }
                        events.append(
                                h,
                                new Event(
                                        "ProvenanceRecorded",
                                        principal.actor(),
                                        project.key(),
                                        filename,
                                        origin,
                                        details));
                    }
                    return updated == 1;
                });
                if (!first) {
                    return Optional.of(refuse(
                            principal,
                            filename,
                            Why.RELEASE_DECIDED,
                            "provenance for " + filename + " comes too late: it has provenance already",
                            origin));
                }
                try {
                    if (rules.partOfDeployment()) {
                        listener.received(project.key(), version, filename);
                    } else {
                        listener.staged(project.key(), version, filename);
                    }
                } catch (RuntimeException e) {
                    org.slf4j.LoggerFactory.getLogger(PublishService.class)
                            .error("deciding {} {} failed; it stays held", project.key(), version, e);
                }
                return Optional.empty();
            }
        }
    }

    /**
     * The pipeline, in the order PyPI's upload endpoint checks and every ecosystem shares: the
     * project's name and the version (the ecosystem's rules); a file at all; the token's permission
     * and the project's rule on long-lived tokens; the protocol's own checks of the request (file
     * name, digests); inspection, the one reading of the file (hazards refuse); the ecosystem's check
     * of what the file declares, from that reading; attestations (forgeries refuse); then the
     * recording transaction.
     */
    private UploadResult stage(Principal principal, Submission s, Origin origin) {
        Ecosystems.ProjectRef project;
        Ecosystem.Versioned version;
        try {
            project = ecosystems.project(s.ecosystem(), s.project());
            version = s.ecosystem().version(s.version());
        } catch (Refusal.Invalid e) {
            return refuse(principal, s.filename(), Why.INVALID, e.getMessage(), origin);
        }
        if (s.content() == null) {
            return refuse(principal, s.filename(), Why.INVALID, "Upload payload does not have a file.", origin);
        }
        if (!principal.can(Permission.UPLOAD, project.key())) {
            return refuse(
                    principal,
                    s.filename(),
                    Why.FORBIDDEN,
                    "The given token isn't allowed to upload to project '"
                            + project.name().display() + "'.",
                    origin);
        }
        Optional<String> onlyTrustedPublishers = trustedPublishing.checkUpload(principal, project.key(), origin);
        if (onlyTrustedPublishers.isPresent()) {
            return refuse(principal, s.filename(), Why.FORBIDDEN, onlyTrustedPublishers.get(), origin);
        }
        Optional<String> wrong = s.rules().check(project, version);
        if (wrong.isPresent()) {
            return refuse(principal, s.filename(), Why.INVALID, wrong.get(), origin);
        }
        // The inspect step: the whole archive, read once and safely; structural hazards refuse the upload.
        ContentInspection.Inspected inspected;
        switch (inspect(s)) {
            case ContentInspection.Refused refused -> {
                return refuse(principal, s.filename(), Why.INVALID, s.rules().unreadable(refused.reason()), origin);
            }
            case ContentInspection.Inspected i -> inspected = i;
        }
        Optional<String> undeclared = s.rules().checkContent(project, version, inspected.declared());
        if (undeclared.isPresent()) {
            return refuse(principal, s.filename(), Why.INVALID, undeclared.get(), origin);
        }
        // The verify step (PEP 740, Sigstore bundles): forged or malformed attestations refuse the
        // upload; genuine ones by someone other than a trusted publisher are kept, and the gate holds.
        AttestationCheck.Checked provenance = null;
        if (s.attestations() != null && !s.attestations().isBlank()) {
            switch (attestations.check(
                    project.key(),
                    s.filename(),
                    s.content().path(),
                    s.attestations(),
                    subject -> s.ecosystem().namesFile(subject, s.project(), s.version(), s.filename()))) {
                case AttestationCheck.Invalid invalid -> {
                    return refuse(
                            principal,
                            s.filename(),
                            Why.INVALID,
                            s.rules().invalidAttestations(invalid.reason()),
                            origin);
                }
                case AttestationCheck.Checked checked -> provenance = checked;
            }
        }
        Upload upload = new Upload(principal, project, version, s, provenance, inspected, origin);
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
            Ecosystems.ProjectRef project,
            Ecosystem.Versioned version,
            Submission submission,
            AttestationCheck.Checked provenance,
            ContentInspection.Inspected inspection,
            Origin origin) {

        String filename() {
            return submission.filename();
        }

        StagedBlob content() {
            return submission.content();
        }
    }

    /**
     * Runs the inspection. If it crashes, nothing is known about the file: the ecosystem decides
     * whether it can be staged at all without what the file declares (PyPI cannot serve a wheel's
     * metadata it never read); if staged, its failed report holds the release (fail closed).
     */
    private ContentInspection.Result inspect(Submission s) {
        try {
            return inspection.inspect(
                    s.ecosystem().id(), s.filename(), s.content().path());
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            org.slf4j.LoggerFactory.getLogger(PublishService.class)
                    .error("inspecting {} failed; the release will be held", s.filename(), e);
            return ContentInspection.Inspected.failed(
                    "the inspection failed: " + e.getClass().getSimpleName());
        }
    }

    private UploadResult record(Handle h, Upload u) {
        long now = clock.millis();
        h.createUpdate(
                        "INSERT INTO projects (ecosystem, name, display_name, created_at) VALUES (:e, :n, :d, :t) ON CONFLICT (name) DO NOTHING")
                .bind("e", u.project().ecosystem().id())
                .bind("n", u.project().key())
                .bind("d", u.project().name().display())
                .bind("t", now)
                .execute();
        Project project = Catalog.findProject(h, u.project().key()).orElseThrow();

        Optional<Artifact> existing = Catalog.findArtifact(h, project.id(), u.filename());
        if (existing.isPresent()) {
            Artifact file = existing.get();
            if (file.sha256().equals(u.content().digests().sha256())) {
                return new UploadResult.Unchanged(project.name(), file.filename());
            }
            return refuseIn(h, u, Why.FILE_EXISTS, u.submission().rules().fileExists(h, file));
        }

        h.createUpdate("INSERT INTO releases (project_id, version, canonical_version, state, created_at)"
                        + " VALUES (:p, :v, :c, 'held', :t) ON CONFLICT (project_id, canonical_version) DO NOTHING")
                .bind("p", project.id())
                .bind("v", u.version().display())
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
                    "Release " + release.version() + " of '" + project.name() + "' was already "
                            + release.state().wireName() + "; its files are fixed. Upload a new version.");
        }
        Optional<String> conflict = u.submission().rules().conflict(Catalog.artifactsOf(h, release.id()));
        if (conflict.isPresent()) {
            return refuseIn(h, u, Why.INVALID, conflict.get());
        }
        h.createUpdate(
                        "INSERT INTO release_files (release_id, project_id, filename, kind, size, sha256, uploaded_at, uploaded_by,"
                                + " uploader_token, uploader_ip, uploader_agent, publisher_identity, provenance, provenance_reason) VALUES (:r, :p, :f, :kind,"
                                + " :size, :sha, :t, :by, :token, :ip, :agent, :publisher, :provenance, :provenanceReason)")
                .bind("r", release.id())
                .bind("p", project.id())
                .bind("f", u.filename())
                .bind("kind", u.submission().kind())
                .bind("size", u.content().size())
                .bind("sha", u.content().digests().sha256())
                .bind("t", now)
                .bind("by", u.principal().userName())
                .bind("token", u.principal().tokenId())
                .bind("ip", u.origin().ip())
                .bind("agent", u.origin().userAgent())
                .bind("publisher", publisherJson(u.principal()))
                .bind(
                        "provenance",
                        u.provenance() == null ? null : u.provenance().verified() ? "verified" : "unverified")
                .bind(
                        "provenanceReason",
                        u.provenance() == null ? null : u.provenance().reason())
                .execute();
        long fileId = h.createQuery("SELECT id FROM release_files WHERE project_id = :p AND filename = :f")
                .bind("p", project.id())
                .bind("f", u.filename())
                .mapTo(Long.class)
                .one();
        if (u.provenance() != null) {
            attestations.record(h, fileId, u.submission().attestations(), u.provenance());
        }
        inspection.record(h, fileId, u.inspection());
        u.submission().rules().record(h, fileId);
        events.append(
                h,
                new Event(
                        "UploadStaged",
                        u.principal().actor(),
                        project.name(),
                        u.filename(),
                        u.origin(),
                        stagedDetails(u, release)));
        // Last, still inside the transaction: make the bytes permanent. A crash before the commit
        // leaves at most an unreferenced blob; a refusal above never stores anything.
        try {
            blobs.commit(u.content());
        } catch (IOException e) {
            // Fail closed: the transaction rolls back, so no row names a file that was not stored.
            org.slf4j.LoggerFactory.getLogger(PublishService.class)
                    .warn("storing {} failed; nothing was recorded: {}", u.filename(), e.toString());
            throw new dev.portcullis.core.Refusal.Unavailable(
                    "The file store cannot be written now; nothing was stored. Try the upload again later.");
        }
        return new UploadResult.Staged(
                project.name(),
                release.version(),
                u.filename(),
                u.content().digests().sha256());
    }

    private static Map<String, Object> stagedDetails(Upload u, Release release) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("version", release.version());
        details.put("sha256", u.content().digests().sha256());
        details.put("size", u.content().size());
        details.put("token", u.principal().tokenId());
        details.put("credential", u.principal().isTrustedPublisher() ? "trusted-publisher" : "api-token");
        details.put(
                "inspection",
                u.inspection().error() != null ? "failed" : u.inspection().maxSeverity());
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
                        u.project().key(),
                        u.filename(),
                        u.origin(),
                        Map.of("refusal", refusal.name(), "message", message)));
        return new UploadResult.Refused(refusal, message);
    }
}
