package dev.portcullis.gate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.core.Origin;
import dev.portcullis.events.Event;
import dev.portcullis.events.EventLog;
import dev.portcullis.identity.Identity;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Principal;
import dev.portcullis.identity.StepUp;
import dev.portcullis.publish.Artifact;
import dev.portcullis.publish.Catalog;
import dev.portcullis.publish.Release;
import dev.portcullis.publish.ReleaseListener;
import dev.portcullis.publish.ReleaseState;
import dev.portcullis.publish.Releases;
import dev.portcullis.store.Database;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Entry point of the gate: decides each staged release against its project's policy, and takes
 * the decisions of people — approve, reject, yank, quarantine — each needing a fresh second factor.
 * A token alone can never release.
 *
 * <p>Every state change is one guarded update with its event in the same transaction; approvals
 * lock the release row first, so concurrent approvers (also on several processes sharing
 * PostgreSQL) are counted once each and the release is published once.
 */
public final class ReleaseGate implements ReleaseListener {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Database database;
    private final Catalog catalog;
    private final Identity identity;
    private final Policies policies;
    private final Assessor assessor;
    private final ReleaseNotifier notifier;
    private final EventLog events;
    private final Clock clock;

    public ReleaseGate(
            Database database,
            Catalog catalog,
            Identity identity,
            Policies policies,
            Assessor assessor,
            ReleaseNotifier notifier,
            EventLog events,
            Clock clock) {
        this.notifier = notifier;
        this.database = database;
        this.catalog = catalog;
        this.identity = identity;
        this.policies = policies;
        this.assessor = assessor;
        this.events = events;
        this.clock = clock;
    }

    public Policies policies() {
        return policies;
    }

    // ---------------------------------------------------------------- policy decisions

    /**
     * A file was staged: approvals given before it existed no longer count (they approved other
     * bytes), then the release is evaluated and the outcome acted on.
     */
    @Override
    public void staged(String project, String version, String filename) {
        held(project, version).ifPresent(release -> {
            clearApprovals(release, filename);
            decide(release, false);
        });
    }

    /** A file of a deployment still arriving: approvals given before it no longer count; the decision waits. */
    @Override
    public void received(String project, String version, String filename) {
        held(project, version).ifPresent(release -> clearApprovals(release, filename));
    }

    private Optional<Release> held(String project, String version) {
        return catalog.findRelease(
                        project,
                        catalog.ecosystems().ofKey(project).version(version).canonical())
                .filter(r -> r.state() == ReleaseState.HELD);
    }

    /** The client ended its deployment to {@code project}: its held releases with undecided files are decided. */
    @Override
    public void complete(String project) {
        for (Release release : undecided(newest -> true)) {
            if (release.project().equals(project)) {
                decide(release, false);
            }
        }
    }

    /** Whether {@code release} has a file newer than its last decision, or no decision at all. */
    private boolean notYetDecided(Release release) {
        Optional<Instant> newest = catalog.artifactsOf(release.id()).stream()
                .map(Artifact::uploadedAt)
                .max(Instant::compareTo);
        Optional<Instant> decided = decisions(release).stream().findFirst().map(DecisionRecord::decidedAt);
        return newest.isPresent() && (decided.isEmpty() || newest.get().isAfter(decided.get()));
    }

    /**
     * Held releases with a file newer than their last decision (or with none yet) whose newest file
     * {@code quietEnough} accepts: deployments still arriving, or never said to be complete.
     */
    private List<Release> undecided(java.util.function.Predicate<Instant> quietEnough) {
        Map<Long, Instant> newest = catalog.newestFileOfReleases(ReleaseState.HELD);
        if (newest.isEmpty()) {
            return List.of();
        }
        Map<Long, Long> decided = database.withHandle(h -> h.createQuery(
                        "SELECT release_id, MAX(decided_at) FROM release_decisions WHERE release_id IN (<ids>)"
                                + " GROUP BY release_id")
                .bindList("ids", List.copyOf(newest.keySet()))
                .map((rs, ctx) -> Map.entry(rs.getLong(1), rs.getLong(2)))
                .collectToMap(Map.Entry::getKey, Map.Entry::getValue));
        List<Release> out = new java.util.ArrayList<>();
        for (Map.Entry<Long, Instant> e : newest.entrySet()) {
            Long last = decided.get(e.getKey());
            if ((last == null || e.getValue().toEpochMilli() > last) && quietEnough.test(e.getValue())) {
                out.add(catalog.getRelease(e.getKey()));
            }
        }
        out.sort(java.util.Comparator.comparingLong(Release::id));
        return out;
    }

    private void clearApprovals(Release release, String filename) {
        database.inTransaction(h -> {
            lock(h, release.id());
            List<String> cleared = approvalsBy(h, release.id(), "release", null);
            if (!cleared.isEmpty()) {
                h.createUpdate("DELETE FROM approvals WHERE release_id = :r AND kind = 'release'")
                        .bind("r", release.id())
                        .execute();
                events.append(
                        h,
                        new Event(
                                "ApprovalsCleared",
                                "policy",
                                release.project(),
                                release.version(),
                                Origin.LOCAL,
                                Map.of(
                                        "reason",
                                        "a new file, " + filename
                                                + ", was uploaded after these approvals; they approved other bytes",
                                        "cleared",
                                        cleared)));
            }
            return null;
        });
    }

    /** One approval as compliance assesses it. */
    public record ApprovalRecord(long releaseId, String kind, String user, Instant approvedAt) {}

    /**
     * What the gate shows a compliance assessor about the period since {@code since}: the approvals
     * given, the releases it decided, and how many decisions caught a provenance downgrade.
     */
    public record Evidence(
            List<ApprovalRecord> approvals, java.util.Set<Long> decidedReleases, long provenanceDowngrades) {}

    public Evidence evidence(Instant since) {
        return database.withHandle(h -> new Evidence(
                h.createQuery("SELECT release_id, kind, user_name, approved_at FROM approvals WHERE approved_at >= :s")
                        .bind("s", since.toEpochMilli())
                        .map((rs, ctx) -> new ApprovalRecord(
                                rs.getLong(1), rs.getString(2), rs.getString(3), Instant.ofEpochMilli(rs.getLong(4))))
                        .list(),
                java.util.Set.copyOf(h.createQuery("SELECT DISTINCT release_id FROM release_decisions")
                        .mapTo(Long.class)
                        .list()),
                h
                        .createQuery("SELECT reasons FROM release_decisions WHERE decided_at >= :s")
                        .bind("s", since.toEpochMilli())
                        .mapTo(String.class)
                        .stream()
                        .filter(r -> r != null && r.contains("provenance downgrade"))
                        .count()));
    }

    private final DecisionWaits waits = new DecisionWaits();

    /** Where long polls wait for this gate's decisions. */
    public DecisionWaits waits() {
        return waits;
    }

    /** What the gate reports on {@code /metrics}: its decisions by outcome. */
    public List<dev.portcullis.core.Metric> metrics() {
        Map<String, Long> outcomes = new java.util.TreeMap<>();
        database.withHandle(h -> h.createQuery("SELECT outcome, COUNT(*) AS n FROM release_decisions GROUP BY outcome")
                        .map((rs, ctx) -> Map.entry(rs.getString(1).toLowerCase(java.util.Locale.ROOT), rs.getLong(2)))
                        .list())
                .forEach(e -> outcomes.put(e.getKey(), e.getValue()));
        return List.of(
                dev.portcullis.core.Metric.byLabel(
                        "portcullis_decisions_total", "counter", "Gate decisions by outcome.", "outcome", outcomes),
                new dev.portcullis.core.Metric(
                        "portcullis_release_waiters",
                        "gauge",
                        "Requests waiting for a release's decision (release wait).",
                        List.of(new dev.portcullis.core.Metric.Sample(Map.of(), waits.waiting()))));
    }

    /**
     * The gate's clock: deployments whose files have been quiet for {@link #QUIET} without being
     * said complete are decided; releases whose settle time has passed are re-evaluated and released
     * if every condition still holds; held releases past their policy's waiting time expire.
     */
    public void tick() {
        Instant quietSince = clock.instant().minus(QUIET);
        for (Release release : undecided(newest -> !newest.isAfter(quietSince))) {
            decide(release, false); // a deployment its client never said was complete
        }
        Instant now = clock.instant();
        for (Release release : catalog.dueForAutoRelease(now)) {
            decide(release, true);
        }
        for (Release release : catalog.releases(ReleaseState.HELD)) {
            Policy policy = policies.active(release.project());
            if (!release.createdAt().plus(policy.approval().expiresAfter()).isAfter(now)) {
                transition(
                        release,
                        ReleaseState.EXPIRED,
                        "policy",
                        "held for " + policy.approval().expiresAfter().toDays() + " days without enough approvals",
                        "ReleaseExpired",
                        Origin.LOCAL);
            }
        }
    }

    /** The decisions recorded for a release, newest first. */
    public List<DecisionRecord> decisions(Release release) {
        return database.withHandle(h -> h.createQuery(
                        "SELECT * FROM release_decisions WHERE release_id = :r ORDER BY id DESC")
                .bind("r", release.id())
                .map((rs, ctx) -> new DecisionRecord(
                        Instant.ofEpochMilli(rs.getLong("decided_at")),
                        Outcome.valueOf(rs.getString("outcome")),
                        rs.getInt("risk"),
                        rs.getInt("policy_version"),
                        reasons(rs.getString("reasons"))))
                .list());
    }

    /** One recorded approval: who, when, and the digests of every file of the release as it was then. */
    public record Approval(String kind, String user, Instant approvedAt, List<String> fileDigests, boolean current) {}

    /** Who has approved a held release so far (approvals that still count: same files, not an uploader). */
    public List<String> approvers(Release release) {
        return approvals(release).stream()
                .filter(a -> a.kind().equals("release") && a.current())
                .map(Approval::user)
                .toList();
    }

    /**
     * Who among {@code users} could still count an approval of a held or quarantined release under
     * the same rules an approval is checked by (the policy's roles and users, not an uploader, not
     * who quarantined it), enabled and not yet counted; their names, sorted. Empty for other states.
     */
    public List<String> whoCanStillApprove(Release release, List<dev.portcullis.identity.User> users) {
        String kind = switch (release.state()) {
            case HELD -> "release";
            case QUARANTINED -> "unquarantine";
            default -> null;
        };
        if (kind == null) {
            return List.of();
        }
        Policy policy = policies.active(release.project());
        java.util.Set<String> counted = approvals(release).stream()
                .filter(a -> a.kind().equals(kind) && a.current())
                .map(Approval::user)
                .collect(java.util.stream.Collectors.toSet());
        java.util.Set<String> uploaders = uploaders(release);
        return users.stream()
                .filter(u -> !u.disabled() && !counted.contains(u.name()))
                .filter(u -> ineligibleForRelease(u.name(), u.grants(), policy, release, release.state(), uploaders)
                        .isEmpty())
                .map(dev.portcullis.identity.User::name)
                .sorted()
                .toList();
    }

    /** Every recorded approval of the release, and whether it counts for the files it has now. */
    public List<Approval> approvals(Release release) {
        return database.withHandle(h -> {
            ReleaseFiles files = ReleaseFiles.of(h, release.id());
            return h.createQuery("SELECT * FROM approvals WHERE release_id = :r ORDER BY approved_at, user_name")
                    .bind("r", release.id())
                    .map((rs, ctx) -> {
                        List<String> digests = ReleaseFiles.parse(rs.getString("file_digests"));
                        String user = rs.getString("user_name");
                        return new Approval(
                                rs.getString("kind"),
                                user,
                                Instant.ofEpochMilli(rs.getLong("approved_at")),
                                digests,
                                files.digests().equals(digests)
                                        && !files.uploaders().contains(user));
                    })
                    .list();
        });
    }

    private void decide(Release release, boolean settled) {
        Policy policy = policies.active(release.project());
        int version = policies.activeVersion(release.project())
                .map(Policies.Version::version)
                .orElse(0);
        List<Artifact> files = catalog.artifactsOf(release.id());
        Assessment assessment;
        try {
            assessment = dev.portcullis.core.Tracing.inSpan("assess release", () -> assessor.assess(release, files));
        } catch (RuntimeException e) {
            assessment = new Assessment(
                    policy.risk().holdAt(),
                    List.of(new Assessment.Signal(
                            "assessment",
                            "high",
                            policy.risk().holdAt(),
                            "the assessment failed (" + e + "); holding")));
        }
        assessment = withDowngrade(release, files, assessment, policy);
        DecisionRecord record = Decider.evaluate(policy, version, files, assessment, clock.instant());
        boolean firstOfItsKind = decisions(release).stream().noneMatch(d -> d.outcome() == record.outcome());
        database.inTransaction(h -> {
            h.createUpdate(
                            "INSERT INTO release_decisions (release_id, decided_at, outcome, risk, policy_version, reasons)"
                                    + " VALUES (:r, :t, :o, :risk, :v, :reasons)")
                    .bind("r", release.id())
                    .bind("t", record.decidedAt().toEpochMilli())
                    .bind("o", record.outcome().name())
                    .bind("risk", record.risk())
                    .bind("v", record.policyVersion())
                    .bind("reasons", json(record.reasons()))
                    .execute();
            Long releaseAt = record.outcome() == Outcome.AUTO_RELEASE && !settled
                    ? clock.instant().plus(policy.autoRelease().settle()).toEpochMilli()
                    : null;
            Releases.scheduleAutoRelease(h, release.id(), releaseAt == null ? null : Instant.ofEpochMilli(releaseAt));
            events.append(
                    h,
                    new Event(
                            "ReleaseDecided",
                            "policy",
                            release.project(),
                            release.version(),
                            Origin.LOCAL,
                            Map.of(
                                    "outcome",
                                    record.outcome().name().toLowerCase(java.util.Locale.ROOT),
                                    "risk",
                                    record.risk(),
                                    "reasons",
                                    record.reasons(),
                                    "policy_version",
                                    version)));
            return null;
        });
        String why = String.join("; ", record.reasons());
        if (firstOfItsKind && record.outcome() != Outcome.AUTO_RELEASE) {
            // Once per release and outcome (a release is several uploads), after the commit.
            notifier.notify(new ReleaseNotifier.Notice(
                    release.project(),
                    release.version(),
                    record.outcome(),
                    record.reasons(),
                    policy.approval().required(),
                    policy.notifications()));
        }
        switch (record.outcome()) {
            case AUTO_RELEASE -> {
                if (settled) {
                    transition(release, ReleaseState.RELEASED, "policy", why, "ReleaseAutoReleased", Origin.LOCAL);
                }
            }
            case HOLD -> {}
            case REJECT -> transition(release, ReleaseState.REJECTED, "policy", why, "ReleaseRejected", Origin.LOCAL);
            case QUARANTINE ->
                transition(release, ReleaseState.QUARANTINED, "policy", why, "ReleaseQuarantined", Origin.LOCAL);
        }
    }

    /**
     * Provenance signals, high and at least the hold threshold: a genuine attestation that is not a
     * trusted publisher's release build (another signer, or the right repository built by a run its
     * publisher does not allow — a {@code pull_request_target} trigger, another ref, a self-hosted
     * runner), named with the field; otherwise the provenance downgrade (ultralytics 8.3.45/46,
     * published with a stolen token, lacked the attestations earlier releases had).
     */
    private Assessment withDowngrade(Release release, List<Artifact> files, Assessment assessment, Policy policy) {
        if (policy.provenance() == Policy.ProvenanceRule.OFF || files.stream().allMatch(Artifact::provenanceVerified)) {
            return assessment;
        }
        Optional<Artifact> disallowed =
                files.stream().filter(f -> "unverified".equals(f.provenance())).findFirst();
        if (disallowed.isPresent()) {
            List<Assessment.Signal> signals = new java.util.ArrayList<>(assessment.signals());
            signals.add(new Assessment.Signal(
                    "provenance",
                    "high",
                    policy.risk().holdAt(),
                    "provenance of " + disallowed.get().filename() + " is not a trusted publisher's release build: "
                            + disallowed.get().provenanceReason()));
            return Assessment.of(signals);
        }
        Optional<Release> previous = catalog.previousReleased(release.project(), release.id());
        if (previous.isEmpty()) {
            return assessment;
        }
        List<Artifact> before = catalog.artifactsOf(previous.get().id());
        String evidence;
        if (!before.isEmpty() && before.stream().allMatch(Artifact::provenanceVerified)) {
            evidence = previous.get().version() + " had verified attestations from the trusted publisher for every"
                    + " file, " + release.version() + " does not";
        } else if (before.stream().anyMatch(Artifact::provenanceVerified)
                && files.stream().noneMatch(Artifact::provenanceVerified)) {
            // Where only some files carry provenance (Maven: the jar's X.sigstore.json, not the pom's
            // signature files), losing all of it is the downgrade.
            evidence = previous.get().version() + " had verified provenance from the trusted publisher ("
                    + before.stream()
                            .filter(Artifact::provenanceVerified)
                            .map(Artifact::filename)
                            .limit(3)
                            .toList()
                    + "), " + release.version() + " has none";
        } else {
            return assessment;
        }
        List<Assessment.Signal> signals = new java.util.ArrayList<>(assessment.signals());
        signals.add(new Assessment.Signal(
                "provenance", "high", policy.risk().holdAt(), "provenance downgrade: " + evidence));
        return Assessment.of(signals);
    }

    /**
     * For a decision a registry keeps in its own terms (an npm dist-tag move): refuses unless the
     * person's token may approve for {@code project}, the person is an approver under the project's
     * policy, and passes a fresh second factor; returns how many distinct people the policy requires.
     */
    public int requireApprover(Principal principal, String otp, String project, String action, Origin origin) {
        if (!principal.can(Permission.APPROVE, project)) {
            throw new dev.portcullis.core.Refusal.Forbidden("this token may not " + action);
        }
        Policy policy = policies.active(project);
        Optional<String> ineligible = ineligible(principal, policy, project);
        if (ineligible.isPresent()) {
            throw new dev.portcullis.core.Refusal.Forbidden(ineligible.get());
        }
        identity.requireSecondFactor(principal, otp, action, origin);
        return policy.approval().required();
    }

    // ---------------------------------------------------------------- people's decisions

    /**
     * Counts one approval. The approver must hold an approving role under the policy, must not have
     * uploaded any of its files, and must pass a fresh second factor; the release is published when
     * the policy's count of distinct approvers is reached.
     */
    public Decision approve(
            Principal principal,
            String otp,
            String project,
            String version,
            String comment,
            List<String> reviewed,
            Origin origin) {
        return approve(principal, StepUp.code(otp), project, version, comment, reviewed, origin);
    }

    /** {@link #approve} with a code or a key's assertion over this decision (the web page). */
    public Decision approve(
            Principal principal,
            StepUp stepUp,
            String project,
            String version,
            String comment,
            List<String> reviewed,
            Origin origin) {
        return countApproval(
                principal,
                stepUp,
                project,
                version,
                comment,
                reviewed,
                origin,
                new Quorum(
                        "approve",
                        "release",
                        ReleaseState.HELD,
                        policy -> policy.approval().required(),
                        "ApprovalRecorded",
                        "ReleaseApproved"));
    }

    /** Rejects a held release (one eligible approver with a fresh second factor). */
    public Decision reject(
            Principal principal, String otp, String project, String version, String reason, Origin origin) {
        return reject(principal, StepUp.code(otp), project, version, reason, origin);
    }

    public Decision reject(
            Principal principal, StepUp stepUp, String project, String version, String reason, Origin origin) {
        return personal(
                principal,
                stepUp,
                project,
                version,
                "reject",
                ReleaseState.REJECTED,
                "ReleaseRejected",
                reason,
                origin,
                List.of(ReleaseState.HELD));
    }

    /** Quarantines a held or released version: hidden from installers, files kept, downloads refused. */
    public Decision quarantine(
            Principal principal, String otp, String project, String version, String reason, Origin origin) {
        return quarantine(principal, StepUp.code(otp), project, version, reason, origin);
    }

    public Decision quarantine(
            Principal principal, StepUp stepUp, String project, String version, String reason, Origin origin) {
        return personal(
                principal,
                stepUp,
                project,
                version,
                "quarantine",
                ReleaseState.QUARANTINED,
                "ReleaseQuarantined",
                reason,
                origin,
                List.of(ReleaseState.HELD, ReleaseState.RELEASED));
    }

    /**
     * One of the approvals needed to bring a quarantined version back: at least as many people as
     * the policy asks for leaving quarantine and for a release, none of whom uploaded it or put it
     * in quarantine.
     */
    public Decision unquarantine(
            Principal principal,
            String otp,
            String project,
            String version,
            String comment,
            List<String> reviewed,
            Origin origin) {
        return unquarantine(principal, StepUp.code(otp), project, version, comment, reviewed, origin);
    }

    public Decision unquarantine(
            Principal principal,
            StepUp stepUp,
            String project,
            String version,
            String comment,
            List<String> reviewed,
            Origin origin) {
        return countApproval(
                principal,
                stepUp,
                project,
                version,
                comment,
                reviewed,
                origin,
                new Quorum(
                        "release from quarantine",
                        "unquarantine",
                        ReleaseState.QUARANTINED,
                        policy -> Math.max(
                                policy.quarantineReleaseApprovals(),
                                policy.approval().required()),
                        "QuarantineExitApproved",
                        "ReleaseUnquarantined"));
    }

    /**
     * A decision that takes several distinct people: what it is called, its row kind in {@code
     * approvals}, the state it leaves (always to released), how many people the policy asks for, and
     * the events for a counted approval and for the transition.
     */
    private record Quorum(
            String action,
            String kind,
            ReleaseState from,
            java.util.function.ToIntFunction<Policy> required,
            String countedEvent,
            String doneEvent) {}

    /**
     * Counts one eligible person (not an uploader of the release, with a fresh second factor) under
     * the release row's lock; when the policy's count is reached, moves the release to released in the
     * same transaction. A person counts once, and an approval counts only for the exact files it saw:
     * {@code reviewed} (the SHA-256 digests the approver looked at, when the client sends them) must
     * be the release's files now, and the digests are recorded with the approval.
     */
    private Decision countApproval(
            Principal principal,
            StepUp stepUp,
            String project,
            String version,
            String comment,
            List<String> reviewed,
            Origin origin,
            Quorum quorum) {
        Release release;
        switch (resolve(principal, project, version, quorum.action(), origin)) {
            case Refused r -> {
                return r.decision();
            }
            case Found f -> release = f.release();
        }
        Policy policy = policies.active(release.project());
        Optional<String> ineligible = ineligibleForRelease(principal, policy, release, quorum);
        if (ineligible.isPresent()) {
            return refuse(principal, release.project(), release.version(), quorum.action(), ineligible.get(), origin);
        }
        if (release.state() != quorum.from()) {
            // A mistake of state is answered before the second factor is asked for, so no code is spent.
            return new Decision.AlreadyDecided(
                    release, "it is " + release.state().wireName() + nextStep(release.state()));
        }
        Optional<String> changed = reviewed == null ? Optional.empty() : filesChanged(release, reviewed);
        if (changed.isPresent()) {
            return new Decision.AlreadyDecided(release, changed.get());
        }
        if (quorum.from() == ReleaseState.HELD && notYetDecided(release)) {
            // A deployment still arriving: the detectors and the policy have not seen its files yet.
            return new Decision.AlreadyDecided(
                    release,
                    "its deployment is still arriving and the gate has not assessed it yet (it does when the client ends"
                            + " the deployment, or after " + QUIET.toMinutes() + " quiet minutes); review it then");
        }
        requireKeyIfThePolicySays(policy, stepUp, principal, release, quorum.action(), origin);
        identity.requireSecondFactor(
                principal, stepUp, quorum.action() + " " + release.project() + " " + release.version(), origin);
        return database.inTransaction(h -> {
            lock(h, release.id());
            Release current = Catalog.getRelease(h, release.id());
            if (current.state() != quorum.from()) {
                return new Decision.AlreadyDecided(
                        current, "it is " + current.state().wireName());
            }
            ReleaseFiles files = ReleaseFiles.of(h, release.id());
            if (reviewed != null && !files.digests().equals(ReleaseFiles.sorted(reviewed))) {
                return new Decision.AlreadyDecided(current, "its files changed while you approved; review it again");
            }
            if (files.uploaders().contains(principal.userName())) {
                return new Decision.Forbidden(
                        "the uploader of a file of a release (or the owner of the token that uploaded it) cannot approve it");
            }
            if (!approvalsBy(h, release.id(), quorum.kind(), principal.userName())
                    .isEmpty()) {
                return new Decision.AlreadyDecided(
                        current, principal.userName() + " has already approved it; a person counts once");
            }
            h.createUpdate("INSERT INTO approvals (release_id, kind, user_name, approved_at, comment, file_digests)"
                            + " VALUES (:r, :k, :u, :t, :c, :d)")
                    .bind("r", release.id())
                    .bind("k", quorum.kind())
                    .bind("u", principal.userName())
                    .bind("t", clock.millis())
                    .bind("c", comment)
                    .bind("d", files.json())
                    .execute();
            List<String> approvers = countingApprovers(h, release.id(), quorum.kind(), files);
            int required = quorum.required().applyAsInt(policy);
            if (approvers.size() < required) {
                events.append(
                        h,
                        new Event(
                                quorum.countedEvent(),
                                principal.actor(),
                                release.project(),
                                release.version(),
                                origin,
                                Map.of("approvals", approvers.size(), "required", required, "files", files.digests())));
                return new Decision.Pending(current, approvers.size(), required);
            }
            if (quorum.from() == ReleaseState.QUARANTINED) {
                // A later quarantine needs fresh approvals to leave again.
                h.createUpdate("DELETE FROM approvals WHERE release_id = :r AND kind = :k")
                        .bind("r", release.id())
                        .bind("k", quorum.kind())
                        .execute();
            }
            update(
                    h,
                    current,
                    ReleaseState.RELEASED,
                    String.join(", ", approvers),
                    comment,
                    quorum.doneEvent(),
                    principal.actor(),
                    origin,
                    Map.of("approvers", approvers, "files", files.digests()));
            return new Decision.Decided(Catalog.getRelease(h, release.id()));
        });
    }

    /** The approvals of {@code kind} that count now: given for exactly these files, by someone who uploaded none of them. */
    private static List<String> countingApprovers(Handle h, long releaseId, String kind, ReleaseFiles files) {
        return h
                .createQuery(
                        "SELECT user_name, file_digests FROM approvals WHERE release_id = :r AND kind = :k ORDER BY approved_at, user_name")
                .bind("r", releaseId)
                .bind("k", kind)
                .map((rs, ctx) -> files.digests().equals(ReleaseFiles.parse(rs.getString("file_digests")))
                                && !files.uploaders().contains(rs.getString("user_name"))
                        ? rs.getString("user_name")
                        : null)
                .list()
                .stream()
                .filter(java.util.Objects::nonNull)
                .toList();
    }

    private Optional<String> filesChanged(Release release, List<String> reviewed) {
        List<String> now =
                database.withHandle(h -> ReleaseFiles.of(h, release.id())).digests();
        if (now.equals(ReleaseFiles.sorted(reviewed))) {
            return Optional.empty();
        }
        return Optional.of("its files are not the ones you reviewed (now " + now.size() + " file(s): "
                + String.join(", ", now.stream().map(d -> d.substring(0, 12)).toList()) + "); review it again");
    }

    /** What to do instead, for a decision asked of a release in the wrong state. */
    private static String nextStep(ReleaseState state) {
        return switch (state) {
            case QUARANTINED -> "; to bring it back, two people run `portcullis release unquarantine`";
            case RELEASED -> "; it is already installable";
            case HELD -> "; approve it instead";
            case REJECTED, EXPIRED -> "; upload a new version instead";
        };
    }

    /**
     * Yanks every file of a released release (PEP 592): installers skip it unless pinned exactly.
     * The files stay downloadable; the index marks them with the reason.
     */
    public Decision yank(
            Principal principal, String otp, String projectName, String versionText, String reason, Origin origin) {
        Release release;
        switch (resolve(principal, projectName, versionText, "yank", origin)) {
            case Refused r -> {
                return r.decision();
            }
            case Found f -> release = f.release();
        }
        if (release.state() != ReleaseState.RELEASED) {
            return new Decision.AlreadyDecided(
                    release,
                    "only released versions can be yanked; it is "
                            + release.state().wireName());
        }
        identity.requireSecondFactor(principal, otp, "yank " + release.project() + " " + release.version(), origin);
        String why = reason == null ? "" : reason;
        database.inTransaction(h -> {
            int changed = Releases.yank(h, release.id(), clock.instant(), why);
            if (changed > 0) {
                events.append(
                        h,
                        new Event(
                                "ReleaseYanked",
                                principal.actor(),
                                release.project(),
                                release.version(),
                                origin,
                                Map.of("reason", why)));
            }
            return changed;
        });
        return new Decision.Decided(release);
    }

    /** Refuses a code where the project's policy asks for a passkey or security key. */
    private void requireKeyIfThePolicySays(
            Policy policy, StepUp stepUp, Principal principal, Release release, String action, Origin origin) {
        if (policy.approval().requireSecurityKey() && !(stepUp instanceof StepUp.Key)) {
            events.appendCounted(
                    new Event(
                            "SecondFactorMissing",
                            principal.actor(),
                            release.project(),
                            release.version(),
                            origin,
                            Map.of("action", action, "needs", "security key")),
                    principal.actor());
            throw new dev.portcullis.core.Refusal.SecondFactor(
                    "the project's policy requires a passkey or security key to " + action
                            + ": decide on the web page (" + "/ui/) with one of your keys");
        }
    }

    private Decision personal(
            Principal principal,
            StepUp stepUp,
            String project,
            String version,
            String action,
            ReleaseState target,
            String eventKind,
            String note,
            Origin origin,
            List<ReleaseState> from) {
        Release release;
        switch (resolve(principal, project, version, action, origin)) {
            case Refused r -> {
                return r.decision();
            }
            case Found f -> release = f.release();
        }
        Optional<String> ineligible = ineligible(principal, policies.active(release.project()), release);
        if (ineligible.isPresent()) {
            return refuse(principal, release.project(), release.version(), action, ineligible.get(), origin);
        }
        if (!from.contains(release.state())) {
            return new Decision.AlreadyDecided(
                    release, "it is " + release.state().wireName() + nextStep(release.state()));
        }
        requireKeyIfThePolicySays(policies.active(release.project()), stepUp, principal, release, action, origin);
        identity.requireSecondFactor(
                principal, stepUp, action + " " + release.project() + " " + release.version(), origin);
        return database.inTransaction(h -> {
            lock(h, release.id());
            Release current = Catalog.getRelease(h, release.id());
            if (!from.contains(current.state())) {
                return new Decision.AlreadyDecided(
                        current, "it is " + current.state().wireName());
            }
            update(h, current, target, principal.userName(), note, eventKind, principal.actor(), origin, Map.of());
            return new Decision.Decided(Catalog.getRelease(h, release.id()));
        });
    }

    // ---------------------------------------------------------------- helpers

    /** Why this person may not decide on this release under the policy; empty when they may. */
    private static Optional<String> ineligible(Principal principal, Policy policy, Release release) {
        return ineligible(principal, policy, release.project());
    }

    private static Optional<String> ineligible(Principal principal, Policy policy, String project) {
        return ineligible(principal.userName(), principal.grants(), policy, project);
    }

    private static Optional<String> ineligible(
            String userName, List<dev.portcullis.identity.RoleGrant> grants, Policy policy, String project) {
        boolean byRole = grants.stream()
                .anyMatch(g -> g.covers(project) && policy.approval().roles().contains(g.role()));
        if (!byRole && !policy.approval().users().contains(userName)) {
            return Optional.of(userName + " is not an approver under the project's policy (roles "
                    + policy.approval().roles().stream()
                            .map(r -> r.wireName())
                            .sorted()
                            .toList() + ", users " + policy.approval().users() + ")");
        }
        return Optional.empty();
    }

    private Optional<String> ineligibleForRelease(Principal principal, Policy policy, Release release, Quorum quorum) {
        return ineligibleForRelease(
                principal.userName(), principal.grants(), policy, release, quorum.from(), uploaders(release));
    }

    private java.util.Set<String> uploaders(Release release) {
        return catalog.artifactsOf(release.id()).stream()
                .map(Artifact::uploadedBy)
                .collect(java.util.stream.Collectors.toSet());
    }

    private Optional<String> ineligibleForRelease(
            String userName,
            List<dev.portcullis.identity.RoleGrant> grants,
            Policy policy,
            Release release,
            ReleaseState from,
            java.util.Set<String> uploaders) {
        Optional<String> role = ineligible(userName, grants, policy, release.project());
        if (role.isPresent()) {
            return role;
        }
        if (uploaders.contains(userName)) {
            return Optional.of(
                    "the uploader of a file of a release (or the owner of the token that uploaded it) cannot approve it");
        }
        if (from == ReleaseState.QUARANTINED && userName.equals(release.decidedBy())) {
            return Optional.of("whoever put a release in quarantine cannot approve bringing it back");
        }
        return Optional.empty();
    }

    private void transition(
            Release release, ReleaseState target, String by, String note, String eventKind, Origin origin) {
        database.inTransaction(h -> {
            lock(h, release.id());
            Release current = Catalog.getRelease(h, release.id());
            if (current.state() == ReleaseState.HELD) {
                update(h, current, target, by, note, eventKind, by, origin, Map.of());
            }
            return null;
        });
    }

    private void update(
            Handle h,
            Release release,
            ReleaseState target,
            String by,
            String note,
            String eventKind,
            String actor,
            Origin origin,
            Map<String, Object> extra) {
        if (Releases.transition(h, release.id(), release.state(), target, clock.instant(), by, clip(note))) {
            h.afterCommit(waits::decided);
            Map<String, Object> details = new LinkedHashMap<>(extra);
            details.put("state", target.wireName());
            details.put("from", release.state().wireName());
            if (note != null) {
                details.put("note", note);
            }
            events.append(h, new Event(eventKind, actor, release.project(), release.version(), origin, details));
        }
    }

    private static void lock(Handle h, long releaseId) {
        Releases.lock(h, releaseId);
    }

    private static List<String> approvalsBy(Handle h, long releaseId, String kind, String user) {
        return h.createQuery("SELECT user_name FROM approvals WHERE release_id = :r AND kind = :k"
                        + (user == null ? "" : " AND user_name = :u") + " ORDER BY approved_at, user_name")
                .bind("r", releaseId)
                .bind("k", kind)
                .bindMap(user == null ? Map.of() : Map.of("u", user))
                .mapTo(String.class)
                .list();
    }

    /** The release a decision is about, or why the decision cannot be made. */
    private sealed interface Target {}

    private record Found(Release release) implements Target {}

    private record Refused(Decision decision) implements Target {}

    private Target resolve(Principal principal, String projectName, String versionText, String action, Origin origin) {
        String project;
        dev.portcullis.publish.Ecosystem.Versioned version;
        try {
            dev.portcullis.publish.Ecosystems.ProjectRef ref =
                    catalog.ecosystems().project(projectName);
            project = ref.key();
            version = ref.ecosystem().version(versionText);
        } catch (dev.portcullis.core.Refusal.Invalid e) {
            return new Refused(new Decision.NotFound(projectName, versionText));
        }
        if (!principal.can(Permission.APPROVE, project)) {
            return new Refused(refuse(
                    principal,
                    project,
                    version.display(),
                    action,
                    "this token may not " + action + " releases of '" + project + "'",
                    origin));
        }
        return catalog.findRelease(project, version.canonical())
                .<Target>map(Found::new)
                .orElse(new Refused(new Decision.NotFound(project, version.display())));
    }

    private Decision refuse(
            Principal principal, String project, String version, String action, String reason, Origin origin) {
        events.appendCounted(
                new Event(
                        "DecisionRefused",
                        principal.actor(),
                        project,
                        version,
                        origin,
                        Map.of("reason", reason, "action", action)),
                principal.actor());
        return new Decision.Forbidden(reason);
    }

    private static String clip(String text) {
        return text == null || text.length() <= 1000 ? text : text.substring(0, 997) + "...";
    }

    private static String json(List<String> reasons) {
        try {
            return JSON.writeValueAsString(reasons);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> reasons(String json) {
        try {
            return JSON.readValue(json, new TypeReference<List<String>>() {});
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
