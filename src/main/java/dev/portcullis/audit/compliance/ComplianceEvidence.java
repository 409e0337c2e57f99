package dev.portcullis.audit.compliance;

import static dev.portcullis.audit.compliance.ComplianceReport.Clause.iso;
import static dev.portcullis.audit.compliance.ComplianceReport.Clause.isoNew;
import static dev.portcullis.audit.compliance.ComplianceReport.Clause.nist;
import static dev.portcullis.audit.compliance.ComplianceReport.Clause.pci;
import static dev.portcullis.audit.compliance.ComplianceReport.Clause.soc2;

import dev.portcullis.audit.compliance.ComplianceReport.Control;
import dev.portcullis.audit.compliance.ComplianceReport.Evidence;
import dev.portcullis.audit.compliance.ComplianceReport.Status;
import dev.portcullis.events.EventLog;
import dev.portcullis.events.RecordedEvent;
import dev.portcullis.gate.ReleaseGate;
import dev.portcullis.identity.Identity;
import dev.portcullis.identity.IdentityEvidence;
import dev.portcullis.identity.IdentitySettings;
import dev.portcullis.identity.OidcSettings;
import dev.portcullis.identity.TokenFormat;
import dev.portcullis.identity.TrustedPublishing;
import dev.portcullis.inspect.InspectionService;
import dev.portcullis.publish.Catalog;
import dev.portcullis.publish.ReleaseState;
import dev.portcullis.upstream.Promoter;
import dev.portcullis.upstream.UpstreamWatcher;
import dev.portcullis.watch.EventLogIntegrity;
import dev.portcullis.watch.WatchSettings;
import dev.portcullis.watch.alert.AlertDispatcher;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Builds the {@link ComplianceReport} from live state (docs/COMPLIANCE.md): what each feature
 * reports about its own tables (identity: tokens, accounts, approvers; the catalog: projects,
 * releases, files; the gate: approvals and decisions; inspection; alerts; the event log), the
 * configuration that enforces the controls, and a full re-verification of the event log. Drill
 * sandboxes are drill data and never count. Everything is read; nothing is changed.
 */
public final class ComplianceEvidence {

    /** How far back activity is assessed. */
    public static final Duration PERIOD = Duration.ofDays(90);
    /** A drill older than this no longer shows that the controls work today. */
    static final Duration DRILL_FRESHNESS = Duration.ofDays(31);

    static final Duration LIFETIME_LIMIT = Duration.ofDays(90);
    static final Duration CI_TOKEN_LIMIT = Duration.ofMinutes(15);

    /** The features whose own evidence the report assembles. */
    public record Sources(
            Identity identity,
            TrustedPublishing publishing,
            Catalog catalog,
            ReleaseGate gate,
            InspectionService inspection,
            AlertDispatcher alerts,
            EventLog events,
            EventLogIntegrity integrity,
            UpstreamWatcher watcher,
            Promoter promoter) {}

    private final Sources sources;
    private final IdentitySettings identity;
    private final OidcSettings oidc;
    private final WatchSettings watch;
    private final java.util.function.Supplier<String> instance;
    private final Clock clock;
    /** Drill sandboxes of the report being built: their events and releases are drill data and never count. */
    private Set<String> drills = Set.of();

    /** {@code instance} names the instance in the report (its URL, known once it serves). */
    public ComplianceEvidence(
            Sources sources,
            IdentitySettings identity,
            OidcSettings oidc,
            WatchSettings watch,
            java.util.function.Supplier<String> instance,
            Clock clock) {
        this.sources = sources;
        this.identity = identity;
        this.oidc = oidc;
        this.watch = watch;
        this.instance = instance;
        this.clock = clock;
    }

    public synchronized ComplianceReport report() {
        Instant now = clock.instant();
        Instant since = now.minus(PERIOD);
        drills = sources.catalog().drillSandboxKeys();
        IdentityEvidence people = sources.identity().evidence(now);
        ReleaseGate.Evidence gate = sources.gate().evidence(since);
        List<Catalog.ReleaseSummary> releases = sources.catalog().releasesActiveSince(since);
        List<Control> controls = List.of(
                tokenLifetime(now, people),
                secretStorage(people),
                ciCredentials(since),
                inactiveAccounts(people),
                tokenInventory(people),
                mfaApprovals(since, people, gate),
                approvalGate(since, releases, gate),
                monitoring(since, releases, gate),
                alertDelivery(since, now),
                provenance(since, releases, gate),
                eventLog(),
                drills(now));
        return new ComplianceReport(now, now.minus(PERIOD), instance.get(), controls);
    }

    // ---------------------------------------------------------------- credentials

    private Control tokenLifetime(Instant now, IdentityEvidence people) {
        long active = people.activeTokens();
        long tooLong = people.activeTokensBeyondMaximumLifetime();
        long rotated = events(List.of("TokenRotated"), now.minus(PERIOD));
        Instant oldest = people.oldestActiveToken();
        Duration max = identity.maxTokenLifetime();
        Status status = tooLong > 0 ? Status.NOT_MET : max.compareTo(LIFETIME_LIMIT) <= 0 ? Status.MET : Status.PARTLY;
        String why = switch (status) {
            case MET -> "every active token expires within the enforced maximum lifetime of " + days(max);
            case PARTLY -> "tokens expire, but the maximum lifetime " + days(max) + " is longer than 90 days";
            case NOT_MET -> tooLong + " active token(s) outlive the maximum lifetime";
        };
        return new Control(
                "token-lifetime",
                "Long-lived tokens expire and rotate",
                "Every API token has an expiry no later than the server's maximum lifetime; rotation issues a successor and retires the old"
                        + " token after a short overlap; no token can release on its own.",
                status,
                why,
                List.of(
                        new Evidence("maximum token lifetime", days(max)),
                        new Evidence("default token lifetime", days(identity.defaultTokenLifetime())),
                        new Evidence("rotation overlap", human(identity.rotationOverlap())),
                        new Evidence("active tokens", String.valueOf(active)),
                        new Evidence("active tokens outliving the maximum", String.valueOf(tooLong)),
                        new Evidence("oldest active token created", oldest == null ? "none" : oldest.toString()),
                        new Evidence("rotations in the period", String.valueOf(rotated))),
                List.of(),
                seqs("TokenRotated", 5),
                List.of(
                        nist(
                                "IA-5",
                                "Authenticator Management",
                                "item (f): authenticators are refreshed at a set period"),
                        nist("AC-2(3)", "Disable Accounts", "item (a): expired credentials stop working"),
                        iso("A.5.17", "Authentication information", "A.9.2.4, A.9.3.1, A.9.4.3"),
                        soc2("CC6.1", "Logical access security"),
                        pci(
                                "8.6.3",
                                "Passwords/passphrases for application and system accounts are changed periodically",
                                "the maximum token lifetime is the period; record it in the targeted risk analysis (12.3.1)"),
                        pci(
                                "8.3.9",
                                "Passwords as the only factor are changed every 90 days",
                                "applies to user passwords as a single factor; Portcullis has no passwords, so only by analogy")));
    }

    private Control secretStorage(IdentityEvidence people) {
        long tokens = people.tokenRows();
        long digests = people.tokenRowsThatAreDigests();
        long plaintextInEvents = sources.events().countDetailsMatching(TokenFormat.PATTERN);
        long sealed = sources.promoter().targets().size();
        Status status = digests == tokens && plaintextInEvents == 0 ? Status.MET : Status.NOT_MET;
        return new Control(
                "secret-storage",
                "Secrets are never stored in plain text",
                "Token secrets are stored only as SHA-256 digests and compared in constant time; upstream credentials are sealed with a key"
                        + " kept outside the database; webhook URLs are stored as fingerprints; events never carry secrets.",
                status,
                status == Status.MET
                        ? "every stored token is a digest, and no event contains a token"
                        : (tokens - digests) + " token row(s) are not digests, " + plaintextInEvents
                                + " event(s) contain a token",
                List.of(
                        new Evidence("token rows that are SHA-256 digests", digests + " of " + tokens),
                        new Evidence("events containing a token secret", String.valueOf(plaintextInEvents)),
                        new Evidence("sealed upstream credentials", String.valueOf(sealed))),
                List.of(),
                List.of(),
                List.of(
                        nist(
                                "IA-5",
                                "Authenticator Management",
                                "item (g): authenticator content protected from disclosure"),
                        nist(
                                "IA-5(1)",
                                "Password-based Authentication",
                                "applies to passwords only; tokens are high-entropy secrets, stored as unkeyed SHA-256 digests (a keyed hash would match (d) more closely)"),
                        iso("A.5.17", "Authentication information", "A.9.2.4, A.9.3.1, A.9.4.3"),
                        soc2("CC6.1", "Logical access security"),
                        pci(
                                "8.3.2",
                                "Strong cryptography renders all authentication factors unreadable in transmission and storage",
                                "storage; transmission needs TLS in front of Portcullis")));
    }

    private Control ciCredentials(Instant since) {
        Set<String> real = sources.catalog().realProjectKeys();
        long projects = real.size();
        long trusted = sources.publishing().projectsWithPublishers().stream()
                .filter(real::contains)
                .count();
        long minted = events(List.of("PublishTokenMinted"), since);
        long refused = events(List.of("PublishTokenRefused"), since);
        Duration lifetime = oidc.tokenLifetime();
        Status status = !oidc.enabled() || projects > 0 && trusted == 0
                ? Status.NOT_MET
                : projects > 0 && trusted == projects && lifetime.compareTo(CI_TOKEN_LIMIT) <= 0
                        ? Status.MET
                        : Status.PARTLY;
        String why = switch (status) {
            case MET ->
                "every project publishes through a trusted publisher, with upload tokens living " + lifetime.toMinutes()
                        + " minutes";
            case PARTLY ->
                projects == 0
                        ? "no projects yet"
                        : trusted + " of " + projects + " projects have a trusted publisher"
                                + (lifetime.compareTo(CI_TOKEN_LIMIT) > 0
                                        ? "; minted tokens live longer than 15 minutes"
                                        : "");
            case NOT_MET -> oidc.enabled() ? "no project has a trusted publisher" : "trusted publishing is disabled";
        };
        return new Control(
                "ci-credentials",
                "CI publishes with short-lived, identity-bound credentials",
                "A project's CI exchanges its OIDC identity for a one-project upload token of minutes (PyPI trusted publishing); each CI"
                        + " identity token works once.",
                status,
                why,
                List.of(
                        new Evidence("trusted publishing", oidc.enabled() ? "enabled" : "disabled"),
                        new Evidence("projects with a trusted publisher", trusted + " of " + projects),
                        new Evidence("minted upload token lifetime", lifetime.toMinutes() + " min"),
                        new Evidence("tokens minted in the period", String.valueOf(minted)),
                        new Evidence(
                                "exchanges refused in the period (forged, replayed, expired, unknown)",
                                String.valueOf(refused))),
                List.of(),
                seqs("PublishTokenMinted", 5),
                List.of(
                        nist("IA-5(9)", "Federated Credential Management"),
                        nist("IA-5(10)", "Dynamic Credential Binding"),
                        nist("IA-5(7)", "No Embedded Unencrypted Static Authenticators", "CI stores no upload token"),
                        iso("A.5.16", "Identity management", "A.9.2.1"),
                        iso("A.5.17", "Authentication information", "A.9.2.4, A.9.3.1, A.9.4.3"),
                        soc2("CC6.1", "Logical access security"),
                        pci(
                                "8.6.2",
                                "Passwords for application and system accounts are not hard-coded in scripts or files",
                                null)));
    }

    private Control inactiveAccounts(IdentityEvidence people) {
        long enabledIdle = people.enabledAccountsIdle();
        long disabled = people.disabledAccounts();
        long users = people.accounts();
        long idleTokens = people.activeTokensIdle();
        boolean limits = identity.accountIdleLimit().compareTo(LIFETIME_LIMIT) <= 0;
        Status status = enabledIdle + idleTokens > 0 ? Status.NOT_MET : limits ? Status.MET : Status.PARTLY;
        return new Control(
                "inactive-accounts",
                "Inactive accounts and unused tokens are disabled",
                "Housekeeping (hourly) disables accounts idle past the account limit and revokes tokens unused past the token limit; each is an event.",
                status,
                switch (status) {
                    case MET -> "no enabled account or token is idle past its limit";
                    case PARTLY ->
                        "the account idle limit " + days(identity.accountIdleLimit()) + " is longer than 90 days";
                    case NOT_MET ->
                        enabledIdle + " account(s) and " + idleTokens
                                + " token(s) are idle past their limit and still enabled";
                },
                List.of(
                        new Evidence("account idle limit", days(identity.accountIdleLimit())),
                        new Evidence("token idle limit", days(identity.tokenIdleLimit())),
                        new Evidence("accounts", String.valueOf(users)),
                        new Evidence("disabled accounts", String.valueOf(disabled)),
                        new Evidence("enabled accounts idle past the limit", String.valueOf(enabledIdle)),
                        new Evidence("active tokens unused past the limit", String.valueOf(idleTokens))),
                List.of(),
                seqs("UserDisabled", 5),
                List.of(
                        nist("AC-2(3)", "Disable Accounts", "items (a) expired and (d) inactive"),
                        iso("A.5.16", "Identity management", "A.9.2.1"),
                        iso("A.5.18", "Access rights", "A.9.2.2, A.9.2.5, A.9.2.6"),
                        soc2("CC6.2", "Credentials removed when no longer authorized"),
                        pci(
                                "8.2.6",
                                "Inactive user accounts are removed or disabled within 90 days of inactivity",
                                null)));
    }

    private Control tokenInventory(IdentityEvidence people) {
        long active = people.activeTokens();
        long everywhere = active - people.activeProjectScopedTokens();
        long admin = people.activeAdminTokens();
        long lifecycle =
                events(List.of("TokenCreated", "TokenRotated", "TokenRevoked", "TokenDisabled"), Instant.EPOCH);
        long escalations = events(List.of("IdentityActionRefused"), Instant.EPOCH);
        return new Control(
                "token-inventory",
                "Every credential is inventoried, scoped and audited",
                "GET /api/v1/audit/tokens lists every token with owner, scope, permissions, age, expiry and last use; tokens carry the"
                        + " least permissions they need, can never create more powerful tokens, and every life-cycle step is an event.",
                Status.MET,
                "the inventory is generated from the token table itself, and every life-cycle change is logged",
                List.of(
                        new Evidence("active tokens", String.valueOf(active)),
                        new Evidence("active tokens scoped to one project", (active - everywhere) + " of " + active),
                        new Evidence("active tokens with the admin permission", String.valueOf(admin)),
                        new Evidence("token life-cycle events", String.valueOf(lifecycle)),
                        new Evidence("refused attempts beyond a credential's rights", String.valueOf(escalations))),
                List.of(),
                seqs("TokenCreated", 5),
                List.of(
                        nist("AC-2(1)", "Automated System Account Management"),
                        nist("AC-6", "Least Privilege"),
                        iso("A.5.15", "Access control", "A.9.1.1, A.9.1.2"),
                        iso("A.5.16", "Identity management", "A.9.2.1"),
                        iso("A.5.18", "Access rights", "A.9.2.2, A.9.2.5, A.9.2.6"),
                        soc2("CC6.2", "Registration and authorization of credentials"),
                        soc2("CC6.3", "Role-based access, least privilege, separation of duties"),
                        pci("10.2.1.5", "Changes to identification and authentication credentials are logged", null)));
    }

    // ---------------------------------------------------------------- the gate

    private Control mfaApprovals(Instant since, IdentityEvidence people, ReleaseGate.Evidence gate) {
        Set<Long> real = sources
                .catalog()
                .releaseSummaries(gate.approvals().stream()
                        .map(ReleaseGate.ApprovalRecord::releaseId)
                        .toList())
                .stream()
                .map(Catalog.ReleaseSummary::id)
                .collect(Collectors.toSet());
        long approvals = gate.approvals().stream()
                .filter(a -> real.contains(a.releaseId()))
                .count();
        long approvers = people.approvers();
        long enrolled = people.approversWithSecondFactor();
        long failures = events(List.of("SecondFactorFailed"), since);
        Status status =
                approvers == 0 || enrolled == 0 ? Status.NOT_MET : enrolled == approvers ? Status.MET : Status.PARTLY;
        return new Control(
                "mfa-approvals",
                "A person approves with a fresh second factor",
                "Approving, rejecting, quarantining and every change of tokens, roles, publishers and policy needs a TOTP code used once;"
                        + " a person without a second factor cannot approve at all.",
                status,
                switch (status) {
                    case MET -> "every person who may approve has a second factor";
                    case PARTLY ->
                        (approvers - enrolled) + " of " + approvers
                                + " people who may approve have no second factor yet (they cannot approve until they enrol)";
                    case NOT_MET -> "nobody who may approve has a second factor, so nothing can be approved";
                },
                List.of(
                        new Evidence("people who may approve (admin, owner, approver)", String.valueOf(approvers)),
                        new Evidence("of them with a second factor", String.valueOf(enrolled)),
                        new Evidence("approvals in the period", String.valueOf(approvals)),
                        new Evidence("second-factor failures in the period", String.valueOf(failures))),
                List.of(),
                seqs("ReleaseApproved", 5),
                List.of(
                        nist(
                                "IA-2(1)",
                                "Multi-factor Authentication to Privileged Accounts",
                                "approval is the privileged act"),
                        iso("A.8.5", "Secure authentication", "A.9.4.2"),
                        soc2("CC6.1", "Logical access security")));
    }

    private Control approvalGate(Instant since, List<Catalog.ReleaseSummary> releases, ReleaseGate.Evidence gate) {
        // Each release released in the period: approved by people, or every file from the trusted publisher with
        // verified provenance.
        List<Catalog.ReleaseSummary> released = releases.stream()
                .filter(r -> r.state() == ReleaseState.RELEASED
                        && r.decidedAt() != null
                        && !r.decidedAt().isBefore(since))
                .toList();
        Set<Long> approved = gate.approvals().stream()
                .filter(a -> a.kind().equals("release"))
                .map(ReleaseGate.ApprovalRecord::releaseId)
                .collect(Collectors.toSet());
        Set<Long> approvedBefore = approvedBefore(released, approved);
        List<String> uncovered = new ArrayList<>();
        long byPerson = 0;
        long byVerifiedPublisher = 0;
        for (Catalog.ReleaseSummary r : released) {
            if (approved.contains(r.id()) || approvedBefore.contains(r.id())) {
                byPerson++;
            } else if (r.files() > 0 && r.filesVerifiedFromPublisher() == r.files()) {
                byVerifiedPublisher++;
            } else {
                uncovered.add(r.project() + " " + r.version() + " (released by " + r.decidedBy() + ", "
                        + r.filesVerifiedFromPublisher() + " of " + r.files()
                        + " files with verified provenance from the trusted publisher)");
            }
        }
        Map<Long, Catalog.ReleaseSummary> approvedReleases = sources
                .catalog()
                .releaseSummaries(gate.approvals().stream()
                        .map(ReleaseGate.ApprovalRecord::releaseId)
                        .distinct()
                        .toList())
                .stream()
                .collect(Collectors.toMap(Catalog.ReleaseSummary::id, r -> r));
        long selfApproved = gate.approvals().stream()
                .filter(a -> approvedReleases.containsKey(a.releaseId())
                        && approvedReleases.get(a.releaseId()).uploaders().contains(a.user()))
                .count();
        int total = released.size();
        Status status = selfApproved > 0 || total > 0 && uncovered.size() == total
                ? Status.NOT_MET
                : uncovered.isEmpty() && total > 0 ? Status.MET : Status.PARTLY;
        return new Control(
                "approval-gate",
                "Every release passes a person or a fully verified trusted publisher",
                "A release becomes installable only after the gate's decision: approved by people other than its uploader, or"
                        + " auto-released because every file came from the project's trusted publisher with verified provenance and no"
                        + " detector raised the risk.",
                status,
                total == 0
                        ? "no release in the period to assess"
                        : (byPerson + byVerifiedPublisher) + " of " + total
                                + " releases went through a person or a fully verified trusted publisher"
                                + (selfApproved > 0 ? "; " + selfApproved + " approval(s) by an uploader" : ""),
                List.of(
                        new Evidence("releases in the period", String.valueOf(total)),
                        new Evidence("approved by people", String.valueOf(byPerson)),
                        new Evidence(
                                "auto-released from a verified trusted publisher", String.valueOf(byVerifiedPublisher)),
                        new Evidence("released otherwise", String.valueOf(uncovered.size())),
                        new Evidence("approvals by the release's uploader", String.valueOf(selfApproved)),
                        new Evidence(
                                "gate coverage", total == 0 ? "n/a" : percent(byPerson + byVerifiedPublisher, total))),
                uncovered.stream().limit(5).toList(),
                seqs("ReleaseApproved", 5),
                List.of(
                        nist(
                                "CM-5(4)",
                                "Dual Authorization",
                                "uploader and approver are two people; policies can require more approvers"),
                        nist(
                                "AC-5",
                                "Separation of Duties",
                                "the uploader, and the owner of the uploading token, never count as approvers"),
                        iso("A.8.32", "Change management", "A.12.1.2, A.14.2.2, A.14.2.3, A.14.2.4"),
                        soc2("CC8.1", "Changes are authorized, tested and approved before implementation")));
    }

    private Control monitoring(Instant since, List<Catalog.ReleaseSummary> active, ReleaseGate.Evidence gate) {
        List<Long> uploaded = sources.catalog().realFilesUploadedSince(since);
        long files = uploaded.size();
        long inspected = sources.inspection().inspectedWithoutError(uploaded);
        List<Catalog.ReleaseSummary> created =
                active.stream().filter(r -> !r.createdAt().isBefore(since)).toList();
        long releases = created.size();
        long decided = created.stream()
                .filter(r -> gate.decidedReleases().contains(r.id()))
                .count();
        long watches = sources.watcher().list().size();
        Status status =
                files == inspected && releases == decided ? Status.MET : inspected > 0 ? Status.PARTLY : Status.NOT_MET;
        if (files == 0) {
            status = Status.MET;
        }
        return new Control(
                "monitoring",
                "Every upload is inspected and compared with the project's history",
                "Each file is read safely and inspected for payloads; each release is assessed by detectors for new networks, odd hours,"
                        + " rapid versions, size jumps, new dependencies, credential anomalies and missing provenance, and the gate decides on it.",
                status,
                files == 0
                        ? "no uploads in the period; every upload path runs the inspection and the detectors"
                        : inspected + " of " + files + " files inspected, " + decided + " of " + releases
                                + " releases assessed",
                List.of(
                        new Evidence("files uploaded in the period", String.valueOf(files)),
                        new Evidence(
                                "of them inspected (a failed inspection holds the release)", String.valueOf(inspected)),
                        new Evidence("releases in the period", String.valueOf(releases)),
                        new Evidence("of them assessed and decided", String.valueOf(decided)),
                        new Evidence(
                                "detectors",
                                "network, credential, time, cadence, size, dependencies, version, provenance, content inspection"),
                        new Evidence("upstream projects watched", String.valueOf(watches))),
                List.of(),
                seqs("ReleaseDecided", 5),
                List.of(
                        nist("SI-4", "System Monitoring"),
                        nist("AC-2(12)", "Account Monitoring for Atypical Usage"),
                        isoNew("A.8.16", "Monitoring activities"),
                        soc2("CC7.2", "Anomalies indicative of malicious acts are monitored"),
                        pci("10.4.1.1", "Automated mechanisms are used to perform audit log reviews", null)));
    }

    private Control alertDelivery(Instant since, Instant now) {
        int sinks = watch.webhooks().size()
                + watch.slack().size()
                + watch.email().size()
                + (watch.syslog() == null ? 0 : 1);
        AlertDispatcher.Evidence alerts = sources.alerts().evidence(since, now);
        long raised = alerts.raised();
        long delivered = alerts.delivered();
        long failed = alerts.failed();
        long stuck = alerts.stuck();
        Status status = sinks == 0 ? Status.NOT_MET : failed + stuck > 0 ? Status.PARTLY : Status.MET;
        return new Control(
                "alert-delivery",
                "Alerts reach people",
                "Alerts (held, rejected and quarantined releases, token uploads to trusted-publisher projects, tampering, failed drills) are"
                        + " written to an outbox with their event and delivered, with retries, to signed webhooks, Slack, e-mail and syslog.",
                status,
                switch (status) {
                    case MET ->
                        sinks
                                + " alert destination(s) configured; every delivery in the period succeeded or is being retried";
                    case PARTLY ->
                        failed + " delivery(ies) gave up and " + stuck + " are pending for more than an hour";
                    case NOT_MET -> "no alert destination is configured: alerts are only logged";
                },
                List.of(
                        new Evidence(
                                "configured destinations",
                                sinks + " (webhooks " + watch.webhooks().size() + ", Slack "
                                        + watch.slack().size() + ", e-mail "
                                        + watch.email().size() + ", syslog " + (watch.syslog() == null ? 0 : 1) + ")"),
                        new Evidence("alerts raised in the period", String.valueOf(raised)),
                        new Evidence("deliveries made", String.valueOf(delivered)),
                        new Evidence("deliveries given up", String.valueOf(failed)),
                        new Evidence("deliveries pending over an hour", String.valueOf(stuck))),
                List.of(),
                seqs("AlertDelivered", 5),
                List.of(
                        nist("SI-4(5)", "System-generated Alerts"),
                        isoNew("A.8.16", "Monitoring activities"),
                        soc2("CC7.2", "Anomalies indicative of malicious acts are monitored"),
                        pci(
                                "10.7.2",
                                "Failures of critical security control systems are detected, alerted and addressed",
                                null)));
    }

    private Control provenance(Instant since, List<Catalog.ReleaseSummary> active, ReleaseGate.Evidence gate) {
        List<Catalog.ReleaseSummary> released = active.stream()
                .filter(r -> r.state() == ReleaseState.RELEASED
                        && r.decidedAt() != null
                        && !r.decidedAt().isBefore(since))
                .toList();
        long files = released.stream().mapToLong(Catalog.ReleaseSummary::files).sum();
        long verified = released.stream()
                .mapToLong(Catalog.ReleaseSummary::filesVerified)
                .sum();
        long downgrades = gate.provenanceDowngrades();
        Status status = files == 0 || verified == 0
                ? (files == 0 ? Status.PARTLY : Status.NOT_MET)
                : verified == files ? Status.MET : Status.PARTLY;
        return new Control(
                "provenance",
                "Released files are verified against the project's own CI identity",
                "PEP 740 attestations are verified (Sigstore bundle, certificate chain, transparency log, subject digest) and their signer"
                        + " matched to the project's trusted publisher; a release without the provenance earlier releases had is held.",
                status,
                files == 0
                        ? "no released file in the period to assess"
                        : verified + " of " + files + " released files have verified provenance",
                List.of(
                        new Evidence("released files in the period", String.valueOf(files)),
                        new Evidence("with verified provenance", String.valueOf(verified)),
                        new Evidence("provenance coverage", files == 0 ? "n/a" : percent(verified, files)),
                        new Evidence("provenance downgrades caught in the period", String.valueOf(downgrades))),
                List.of(),
                List.of(),
                List.of(
                        nist("SR-4", "Provenance"),
                        nist("SR-11", "Component Authenticity"),
                        nist(
                                "IA-5(2)",
                                "Public Key-based Authentication",
                                "the attestation's certificate is validated to the Sigstore root and bound to the CI identity"),
                        iso("A.5.21", "Managing information security in the ICT supply chain", "A.15.1.3"),
                        soc2("CC8.1", "Changes are authorized, tested and approved before implementation")));
    }

    // ---------------------------------------------------------------- assurance

    private Control eventLog() {
        EventLogIntegrity.Report verified;
        String problem = null;
        try {
            verified = sources.integrity().verifyNow();
        } catch (IOException | RuntimeException e) {
            verified = null;
            problem = "the log could not be verified: " + e.getMessage();
        }
        Instant lastCheckpoint = sources.integrity().lastCheckpoint().orElse(null);
        boolean anchored =
                watch.checkpointFile() != null || !watch.checkpointWebhooks().isEmpty();
        Status status = verified == null || !verified.intact() ? Status.NOT_MET : anchored ? Status.MET : Status.PARTLY;
        List<Evidence> evidence = new ArrayList<>();
        if (verified != null) {
            evidence.add(new Evidence("events re-verified now", String.valueOf(verified.events())));
            evidence.add(new Evidence("signed checkpoints verified", String.valueOf(verified.checkpoints())));
            evidence.add(new Evidence(
                    "problems",
                    verified.intact()
                            ? "none"
                            : String.join(
                                    "; ", verified.problems().stream().limit(5).toList())));
        }
        evidence.add(new Evidence("last checkpoint", lastCheckpoint == null ? "none yet" : lastCheckpoint.toString()));
        evidence.add(new Evidence("checkpoint interval", human(watch.checkpointInterval())));
        evidence.add(new Evidence(
                "copies outside the database",
                (watch.checkpointFile() == null ? "" : "file " + watch.checkpointFile() + "; ")
                        + watch.checkpointWebhooks().size() + " webhook(s)"));
        String why = problem != null
                ? problem
                : switch (status) {
                    case MET ->
                        "the hash chain and every signed checkpoint verify, and checkpoints are also kept outside the database";
                    case PARTLY ->
                        "the log verifies, but checkpoints are kept only in the database (configure --checkpoint-file or --checkpoint-webhook)";
                    case NOT_MET ->
                        "the event log does not verify: "
                                + String.join(
                                        "; ",
                                        verified.problems().stream().limit(3).toList());
                };
        return new Control(
                "event-log-integrity",
                "The event log is tamper-evident",
                "Every event is hash-chained to the one before it in the same transaction as the change it records; signed checkpoints"
                        + " (Ed25519 over the RFC 6962 Merkle root) are written regularly and copied outside the database.",
                status,
                why,
                evidence,
                List.of(),
                List.of(),
                List.of(
                        nist("AU-9", "Protection of Audit Information"),
                        nist("AU-9(3)", "Cryptographic Protection"),
                        nist(
                                "AU-10",
                                "Non-repudiation",
                                "signed checkpoints bind the log; approvals are attributed to a person's token and second factor, not signed by them"),
                        iso("A.8.15", "Logging", "A.12.4.1, A.12.4.2, A.12.4.3"),
                        soc2("CC7.2", "Anomalies indicative of malicious acts are monitored"),
                        pci("10.3.2", "Audit log files are protected to prevent modifications", null),
                        pci("10.3.4", "File integrity monitoring or change-detection is used on audit logs", null)));
    }

    private Control drills(Instant now) {
        Optional<RecordedEvent> latest = sources.events().newest("DrillCompleted");
        if (latest.isEmpty()) {
            return drillControl(
                    Status.NOT_MET,
                    "no detection drill has run on this instance (portcullis drill)",
                    List.of(new Evidence("latest drill", "none")),
                    List.of(),
                    List.of());
        }
        RecordedEvent d = latest.get();
        Instant at = d.occurredAt();
        boolean passed = "passed".equals(d.subject());
        boolean fresh = at.isAfter(now.minus(DRILL_FRESHNESS));
        Status status = passed && fresh ? Status.MET : Status.PARTLY;
        String details = String.valueOf(d.details());
        List<String> examples = new ArrayList<>();
        java.util.regex.Matcher failed =
                java.util.regex.Pattern.compile("\"failed\":\\[([^\\]]*)]").matcher(details);
        if (failed.find() && !failed.group(1).isBlank()) {
            examples.add("scenarios with a missed control: " + failed.group(1).replace("\"", ""));
        }
        return drillControl(
                status,
                passed
                        ? (fresh
                                ? "the latest drill passed every scenario"
                                : "the latest drill passed, but is older than 31 days")
                        : "the latest drill missed controls",
                List.of(
                        new Evidence("latest drill", at.toString()),
                        new Evidence("result", passed ? "passed" : "failed"),
                        new Evidence(
                                "drills in the period",
                                String.valueOf(sources.events()
                                        .count(List.of("DrillCompleted"), now.minus(PERIOD), Set.of())))),
                examples,
                List.of(d.seq()));
    }

    private static Control drillControl(
            Status status, String why, List<Evidence> evidence, List<String> examples, List<Long> events) {
        return new Control(
                "detection-drills",
                "Detection drills prove the controls fire",
                "portcullis drill replays the lightning attack and its variants (stolen token, rapid versions, payload, size and"
                        + " dependencies, provenance strip, self-approval, token escalation, retired tokens, replayed CI identity) against"
                        + " sandbox projects and records which controls fired.",
                status,
                why,
                evidence,
                examples,
                events,
                List.of(
                        nist("SI-4(9)", "Testing of Monitoring Tools and Mechanisms"),
                        isoNew("A.8.16", "Monitoring activities"),
                        soc2("CC7.2", "Anomalies indicative of malicious acts are monitored"),
                        pci(
                                "10.7.2",
                                "Failures of critical security control systems are detected, alerted and addressed",
                                "a failed drill raises an alert")));
    }

    // ---------------------------------------------------------------- helpers

    /** Events of {@code kinds} since {@code since}, leaving out those about a drill sandbox; events about no project that a drill provoked do count. */
    private long events(List<String> kinds, Instant since) {
        return sources.events().count(kinds, since, drills);
    }

    /** The newest {@code limit} events of {@code kind} outside drill sandboxes, by sequence number. */
    private List<Long> seqs(String kind, int limit) {
        return sources.events().newestSeqs(kind, limit, drills);
    }

    /**
     * Releases of the period approved by people before the period began (an old approval of a
     * release held over the period's start): none are lost from the count.
     */
    private Set<Long> approvedBefore(List<Catalog.ReleaseSummary> released, Set<Long> approvedInPeriod) {
        List<Long> rest = released.stream()
                .map(Catalog.ReleaseSummary::id)
                .filter(id -> !approvedInPeriod.contains(id))
                .toList();
        return rest.isEmpty()
                ? Set.of()
                : sources.gate().evidence(Instant.EPOCH).approvals().stream()
                        .filter(a -> a.kind().equals("release") && rest.contains(a.releaseId()))
                        .map(ReleaseGate.ApprovalRecord::releaseId)
                        .collect(Collectors.toSet());
    }

    private static String days(Duration d) {
        return d.toDays() + " days";
    }

    private static String human(Duration d) {
        return d.toDays() >= 2 ? days(d) : d.toHours() >= 2 ? d.toHours() + " hours" : d.toMinutes() + " minutes";
    }

    private static String percent(long part, long whole) {
        return String.format(java.util.Locale.ROOT, "%.1f%% (%d of %d)", 100.0 * part / whole, part, whole);
    }
}
