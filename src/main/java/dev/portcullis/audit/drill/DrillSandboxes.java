package dev.portcullis.audit.drill;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.core.Origin;
import dev.portcullis.core.Refusal;
import dev.portcullis.events.AlertLevel;
import dev.portcullis.events.AlertSink;
import dev.portcullis.events.Event;
import dev.portcullis.events.EventLog;
import dev.portcullis.gate.Policies;
import dev.portcullis.identity.BuildRules;
import dev.portcullis.identity.DrillIssuer;
import dev.portcullis.identity.Identity;
import dev.portcullis.identity.IssuedToken;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Principal;
import dev.portcullis.identity.PublisherIdentity;
import dev.portcullis.identity.RevocationCriteria;
import dev.portcullis.identity.Role;
import dev.portcullis.identity.RoleGrant;
import dev.portcullis.identity.TokenRequest;
import dev.portcullis.identity.TrustedPublishing;
import dev.portcullis.provenance.DrillSigstore;
import dev.portcullis.publish.AttestationCheck;
import dev.portcullis.publish.Catalog;
import dev.portcullis.publish.ContentInspection;
import dev.portcullis.publish.History;
import dev.portcullis.store.BlobStore;
import dev.portcullis.store.Database;
import dev.portcullis.store.StagedBlob;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The server side of detection drills (docs/DRILLS.md): sandbox projects a drill attacks.
 *
 * <p>A sandbox is a project marked as drill data, with a history that makes it look like the
 * lightning project before the attack: {@link #HISTORY} released versions, every file from its
 * trusted publisher with verified provenance, uploaded from the documentation network 192.0.2.0/24
 * around one hour of the day twelve hours away from now. The history is written directly (it is a
 * fixture, not an upload); everything the drill does afterwards goes through the real protocols.
 * Closing a sandbox rejects what is still held, removes its publisher, revokes its tokens and
 * deletes its files; its rows and events stay as the record of the drill.
 */
public final class DrillSandboxes {

    /** Released versions in a sandbox's history (the time detector needs at least 8). */
    public static final int HISTORY = 8;

    /** The GitHub owner of every sandbox's repository in drill provenance (with owner id 0, which GitHub never issues). */
    static final String REPOSITORY_OWNER = "portcullis-drill";

    static final String WORKFLOW = "release.yml";

    /** What a sandbox's release build is: a tag, started by a push or a release, on GitHub's runners. */
    static final BuildRules RELEASE_BUILD = new BuildRules("refs/tags/v*", List.of("push", "release"), "github-hosted");

    /** The user every drill credential belongs to. */
    public static final String DRILL_USER = "portcullis-drill";

    static final String HISTORY_NETWORK = "192.0.2.";
    static final String CI_AGENT = "twine/6.1.0 pkginfo/1.12.0 requests/2.32.3 CPython/3.12.3 Linux/6.8.0 (drill CI)";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the drill runner needs to attack a sandbox. Secrets are drill credentials, valid for this sandbox only. */
    public record Sandbox(
            String project,
            String scenario,
            List<String> history,
            String historyNetwork,
            int historyHourUtc,
            boolean publishWindows,
            String uploadToken,
            String approveToken,
            Map<String, String> retiredTokens,
            String ownerTokenId) {}

    private final Database database;
    private final BlobStore blobs;
    private final Identity identity;
    private final TrustedPublishing trustedPublishing;
    private final Policies policies;
    private final ContentInspection inspection;
    private final EventLog events;
    private final AlertSink alerts;
    private final DrillIssuer issuer;
    private final DrillSigstore sigstore;
    private final Clock clock;
    private final SecureRandom random;

    private final History history;
    private final Catalog catalog;

    public DrillSandboxes(
            Database database,
            BlobStore blobs,
            Identity identity,
            TrustedPublishing trustedPublishing,
            Policies policies,
            ContentInspection inspection,
            History history,
            Catalog catalog,
            EventLog events,
            AlertSink alerts,
            DrillIssuer issuer,
            DrillSigstore sigstore,
            Clock clock,
            SecureRandom random) {
        this.sigstore = sigstore;
        this.history = history;
        this.catalog = catalog;
        this.database = database;
        this.blobs = blobs;
        this.identity = identity;
        this.trustedPublishing = trustedPublishing;
        this.policies = policies;
        this.inspection = inspection;
        this.events = events;
        this.alerts = alerts;
        this.issuer = issuer;
        this.clock = clock;
        this.random = random;
    }

    /** Opens a sandbox for {@code scenario}, under {@code policyYaml} or, when null, {@link #defaultPolicy}. */
    public Sandbox open(Principal by, String scenario, String policyYaml, Origin origin) {
        requireAdmin(by, "open a drill sandbox", origin);
        if (scenario == null || !scenario.matches("[a-z][a-z0-9-]{0,39}")) {
            throw new Refusal.Invalid("scenario: 1-40 lower-case letters, digits and '-'");
        }
        ZonedDateTime now = clock.instant().atZone(ZoneOffset.UTC);
        int hour = Math.max(1, Math.min(22, (now.getHour() + 12) % 24));
        String yaml = policyYaml != null ? policyYaml : defaultPolicy(hour);
        boolean windows = !dev.portcullis.gate.PolicyDocument.parse(yaml)
                .windows()
                .isEmpty(); // invalid YAML fails here, before anything is stored
        byte[] id = new byte[4];
        random.nextBytes(id);
        String project = "drill-" + scenario + "-" + HexFormat.of().formatHex(id);
        String actor = by.actor() + " (drill)";

        ownerOfSandbox(project, actor, origin);
        var publisher = trustedPublishing.addDrillPublisher(project, publisherClaims(project), actor, origin);
        List<String> versions = seedHistory(
                project,
                scenario,
                hour,
                new PublisherIdentity(
                        publisher.id(), "generic", publisher.publisher().describe(), publisherClaims(project)));
        policies.installForDrill(project, yaml, actor, origin);
        // After the history marked the project a sandbox: only an open sandbox takes the drill provenance publisher.
        trustedPublishing.addDrillProvenancePublisher(
                project, REPOSITORY_OWNER, WORKFLOW, RELEASE_BUILD, actor, origin);

        Map<String, String> retired = new LinkedHashMap<>();
        boolean retiredTokens = scenario.equals("expired-and-revoked");
        if (retiredTokens) {
            // Revoked first: the revocation takes every active token of the sandbox, and there is only this one yet.
            IssuedToken revoked = token(project, "drill revoked", Set.of(Permission.UPLOAD), null, actor);
            identity.revokeTokens(
                    new RevocationCriteria(null, null, project), "drill: revoked before use", actor, origin);
            retired.put("revoked", revoked.secret());
        }
        IssuedToken upload = token(project, "drill upload", Set.of(Permission.UPLOAD), null, actor);
        IssuedToken approve = token(project, "drill approve", Set.of(Permission.READ, Permission.APPROVE), null, actor);
        if (retiredTokens) {
            retired.put(
                    "expired",
                    token(project, "drill expired", Set.of(Permission.UPLOAD), Duration.ofSeconds(1), actor)
                            .secret());
            IssuedToken rotated = token(project, "drill rotated", Set.of(Permission.UPLOAD), null, actor);
            identity.rotateToken(rotated.info().id(), Duration.ZERO, actor, origin);
            retired.put("rotated-out", rotated.secret());
        }
        // The owner's own admin token (account-takeover): the attacker knows only its id, as from an event.
        String ownerTokenId = scenario.equals("account-takeover")
                ? token(project, "drill owner's laptop", Set.of(Permission.ADMIN), null, actor)
                        .info()
                        .id()
                : null;
        events.append(new Event(
                "DrillSandboxOpened",
                actor,
                project,
                scenario,
                origin,
                Map.of(
                        "scenario",
                        scenario,
                        "history",
                        versions,
                        "history_hour_utc",
                        hour,
                        "publish_windows",
                        windows)));
        return new Sandbox(
                project,
                scenario,
                versions,
                HISTORY_NETWORK + "0/24",
                hour,
                windows,
                upload.secret(),
                approve.secret(),
                retired,
                ownerTokenId);
    }

    /** An open sandbox: its name, scenario and when it was opened. */
    public record Open(String project, String scenario, Instant openedAt) {}

    /** Sandboxes not closed yet (a drill that crashed leaves them; the next drill closes the stale ones). */
    public List<Open> openSandboxes(Principal by, Origin origin) {
        requireAdmin(by, "list drill sandboxes", origin);
        return history.openSandboxes().stream()
                .map(s -> new Open(s.project(), s.scenario(), s.openedAt()))
                .toList();
    }

    /** A CI identity token from the drill issuer for the sandbox's publisher, issued {@code issuedAgo} ago and valid for {@code lifetime}. */
    public String identityToken(Principal by, String project, Duration issuedAgo, Duration lifetime, Origin origin) {
        requireAdmin(by, "get a drill identity token", origin);
        requireOpen(project);
        Instant issued = clock.instant().minus(issuedAgo);
        events.append(new Event(
                "DrillIdentityIssued",
                by.actor(),
                project,
                project,
                origin,
                Map.of(
                        "issued_at",
                        issued.toString(),
                        "expires_at",
                        issued.plus(lifetime).toString())));
        return issuer.sign(
                trustedPublishing.settings().audience(), publisherClaims(project), issued, issued.plus(lifetime));
    }

    /**
     * A PEP 740 attestation from the drill Sigstore for a file of the sandbox, as the sandbox's
     * release workflow ({@link #WORKFLOW} of {@code portcullis-drill/<sandbox>}) would sign it when
     * started by {@code trigger} on {@code ref}, on a GitHub-hosted runner.
     */
    public String attestation(
            Principal by, String project, String filename, String sha256, String ref, String trigger, Origin origin) {
        requireAdmin(by, "get a drill attestation", origin);
        requireOpen(project);
        if (filename == null || !filename.matches("[A-Za-z0-9._+-]{1,255}")) {
            throw new Refusal.Invalid("filename: a distribution file name");
        }
        if (sha256 == null || !sha256.matches("[0-9a-f]{64}")) {
            throw new Refusal.Invalid("sha256: 64 lower-case hexadecimal digits");
        }
        if (ref == null || !ref.matches("refs/[A-Za-z0-9._/-]{1,200}")) {
            throw new Refusal.Invalid("ref: a git ref such as refs/tags/v1.1.0");
        }
        if (trigger == null || !trigger.matches("[a-z_]{1,64}")) {
            throw new Refusal.Invalid("trigger: an event name such as push or pull_request_target");
        }
        byte[] commit = new byte[20];
        random.nextBytes(commit);
        events.append(new Event(
                "DrillAttestationIssued",
                by.actor(),
                project,
                filename,
                origin,
                Map.of("sha256", sha256, "ref", ref, "trigger", trigger)));
        return sigstore.attest(
                filename,
                sha256,
                new DrillSigstore.Run(
                        REPOSITORY_OWNER + "/" + project,
                        "0",
                        WORKFLOW,
                        ref,
                        trigger,
                        "github-hosted",
                        HexFormat.of().formatHex(commit)),
                clock.instant());
    }

    /** Closes a sandbox: held releases rejected, publisher removed, tokens revoked, files deleted. Idempotent. */
    public void close(Principal by, String project, Origin origin) {
        requireAdmin(by, "close a drill sandbox", origin);
        requireDrill(project);
        String actor = by.actor() + " (drill)";
        Instant now = clock.instant();
        List<String> digests = database.inTransaction(h -> {
            List<String> unshared = history.closeSandbox(h, project, now, actor);
            trustedPublishing.removeAll(h, project, now, actor);
            events.append(
                    h,
                    new Event(
                            "DrillSandboxClosed",
                            actor,
                            project,
                            project,
                            origin,
                            Map.of("files_deleted", unshared.size())));
            return unshared;
        });
        identity.revokeTokens(new RevocationCriteria(null, null, project), "drill closed", actor, origin);
        digests.forEach(blobs::delete);
    }

    /**
     * Records a drill run's scorecard as a {@code DrillCompleted} event; a run with a missed control
     * also raises a high alert, because a control that did not fire is a gap in the defences.
     */
    public long record(Principal by, Map<String, Object> scorecard, Origin origin) {
        requireAdmin(by, "record a drill result", origin);
        Object failed = scorecard.get("failed");
        boolean passed = Boolean.TRUE.equals(scorecard.get("passed"));
        long seq = events.append(
                new Event("DrillCompleted", by.actor(), null, passed ? "passed" : "failed", origin, scorecard));
        if (!passed) {
            alerts.raise(new AlertSink.Alert(
                    "drill.failed",
                    AlertLevel.HIGH,
                    null,
                    "drill",
                    "a detection drill found controls that did not fire",
                    "Scenarios with a missed control: " + failed + ". See the DrillCompleted event " + seq
                            + " for the scorecard.",
                    Map.of("event", seq),
                    List.of(),
                    List.of()));
        }
        return seq;
    }

    /** The policy a sandbox gets unless the drill brings its own: the one docs/POLICY.md recommends for a trusted-publisher project. */
    static String defaultPolicy(int historyHourUtc) {
        return String.format(java.util.Locale.ROOT, """
        version: 1
        uploads:
          long_lived_tokens: hold
        approval:
          required: 1
        auto_release:
          enabled: true
          require_trusted_publisher: true
          require_provenance: false
          max_risk: 10
          settle: 0s
        publish_windows:
          - timezone: UTC
            days: [mon, tue, wed, thu, fri, sat, sun]
            hours: "%02d:00-%02d:59"
        provenance: if-present
        """, historyHourUtc - 1, historyHourUtc + 1);
    }

    // ---------------------------------------------------------------- internals

    private static Map<String, String> publisherClaims(String project) {
        return Map.of(
                "repository",
                "portcullis-drill/" + project,
                "workflow_ref",
                "portcullis-drill/" + project + "/.github/workflows/release.yml@refs/heads/main");
    }

    /** The drill user owns each sandbox and nothing else (created with its first sandbox, re-enabled if housekeeping disabled it). */
    private void ownerOfSandbox(String project, String actor, Origin origin) {
        RoleGrant owner = new RoleGrant(project, Role.OWNER);
        var user = identity.findUser(DRILL_USER);
        if (user.isEmpty()) {
            identity.addUser(DRILL_USER, owner, actor);
            return;
        }
        if (user.get().disabled()) {
            identity.enableUser(DRILL_USER, actor, origin);
        }
        identity.grantRole(DRILL_USER, owner, actor, origin);
    }

    private IssuedToken token(
            String project, String name, Set<Permission> permissions, Duration lifetime, String actor) {
        return identity.createToken(new TokenRequest(DRILL_USER, name, project, permissions, lifetime), actor);
    }

    /** Stores the history's wheels, inspected as uploads are, and writes them as released by the trusted publisher. */
    private List<String> seedHistory(String project, String scenario, int hour, PublisherIdentity publisher) {
        Instant today = clock.instant().truncatedTo(ChronoUnit.DAYS);
        List<Seeded> seeded = new ArrayList<>();
        for (int i = 0; i < HISTORY; i++) {
            String version = "1.0." + i;
            byte[] wheel = StandIn.wheel(project, version, StandIn.clean(project, version), List.of("numpy>=1.24"));
            Instant at = today.minus(HISTORY - i, ChronoUnit.DAYS)
                    .plus(hour, ChronoUnit.HOURS)
                    .plus(3L * i, ChronoUnit.MINUTES);
            seeded.add(new Seeded(
                    version, StandIn.wheelName(project, version), stage(wheel), at, HISTORY_NETWORK + (10 + i % 2)));
        }
        String publisherJson = json(publisher);
        AttestationCheck.Checked provenance = new AttestationCheck.Checked(
                true,
                null,
                DrillIssuer.ISSUER,
                publisher.description(),
                "generic",
                null,
                publisher.claims(),
                "seeded history of a drill sandbox");
        history.seed(
                "pypi",
                project,
                scenario,
                seeded.stream()
                        .map(s -> new History.Released(
                                s.version(),
                                s.filename(),
                                "wheel",
                                s.file().blob(),
                                s.file().inspected(),
                                s.at(),
                                "drill-history-" + s.version(),
                                s.ip(),
                                CI_AGENT,
                                publisherJson,
                                provenance))
                        .toList());
        return seeded.stream().map(Seeded::version).toList();
    }

    private record Seeded(String version, String filename, Staged file, Instant at, String ip) {}

    private record Staged(StagedBlob blob, ContentInspection.Inspected inspected) {}

    private Staged stage(byte[] wheel) {
        try {
            StagedBlob blob = blobs.stage(new ByteArrayInputStream(wheel), wheel.length);
            ContentInspection.Result result = inspection.inspect("pypi", "history-1.0-py3-none-any.whl", blob.path());
            blobs.commit(blob);
            return new Staged(blob, result instanceof ContentInspection.Inspected i ? i : null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void requireAdmin(Principal by, String action, Origin origin) {
        if (!by.canEverywhere(Permission.ADMIN)) {
            events.append(new Event(
                    "IdentityActionRefused",
                    by.actor(),
                    null,
                    by.userName(),
                    origin,
                    Map.of("action", action, "reason", "needs a global admin")));
            throw new Refusal.Forbidden("only a global admin may " + action);
        }
    }

    private void requireDrill(String project) {
        boolean drill = catalog.isDrillSandbox(project);
        if (!drill) {
            throw new Refusal.NotFound("no drill sandbox " + project);
        }
    }

    private void requireOpen(String project) {
        boolean open = catalog.isOpenDrillSandbox(project);
        if (!open) {
            throw new Refusal.NotFound("no open drill sandbox " + project);
        }
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
