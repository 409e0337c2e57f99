package dev.portcullis.audit.compliance;

import static dev.portcullis.audit.compliance.ComplianceReport.Clause.iso;
import static dev.portcullis.audit.compliance.ComplianceReport.Clause.isoNew;
import static dev.portcullis.audit.compliance.ComplianceReport.Clause.nist;
import static dev.portcullis.audit.compliance.ComplianceReport.Clause.pci;
import static dev.portcullis.audit.compliance.ComplianceReport.Clause.soc2;

import dev.portcullis.audit.compliance.ComplianceReport.Control;
import dev.portcullis.audit.compliance.ComplianceReport.Evidence;
import dev.portcullis.audit.compliance.ComplianceReport.Status;
import dev.portcullis.identity.IdentitySettings;
import dev.portcullis.identity.OidcSettings;
import dev.portcullis.identity.TokenFormat;
import dev.portcullis.store.Database;
import dev.portcullis.watch.CheckpointKey;
import dev.portcullis.watch.EventLogIntegrity;
import dev.portcullis.watch.WatchSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds the {@link ComplianceReport} from live state (docs/COMPLIANCE.md): the database (tokens,
 * users, releases, approvals, inspections, provenance, alerts, events), the configuration that
 * enforces the controls, and a full re-verification of the event log. Drill sandboxes are drill
 * data and never count. Every query reads; nothing is changed.
 */
public final class ComplianceEvidence {

  /** How far back activity is assessed. */
  public static final Duration PERIOD = Duration.ofDays(90);
  /** A drill older than this no longer shows that the controls work today. */
  static final Duration DRILL_FRESHNESS = Duration.ofDays(31);
  static final Duration LIFETIME_LIMIT = Duration.ofDays(90);
  static final Duration CI_TOKEN_LIMIT = Duration.ofMinutes(15);

  private static final String REAL = "p.drill_scenario IS NULL";
  /** An event {@code e} not about a drill sandbox. */
  private static final String NOT_DRILL =
      "(e.project IS NULL OR NOT EXISTS (SELECT 1 FROM projects p WHERE p.name = e.project AND p.drill_scenario IS NOT NULL))";

  private final Database database;
  private final IdentitySettings identity;
  private final OidcSettings oidc;
  private final WatchSettings watch;
  private final Path checkpointPublicKey;
  private final java.util.function.Supplier<String> instance;
  private final Clock clock;

  /** {@code instance} names the instance in the report (its URL, known once it serves). */
  public ComplianceEvidence(Database database, IdentitySettings identity, OidcSettings oidc, WatchSettings watch, Path checkpointPublicKey,
      java.util.function.Supplier<String> instance, Clock clock) {
    this.database = database;
    this.identity = identity;
    this.oidc = oidc;
    this.watch = watch;
    this.checkpointPublicKey = checkpointPublicKey;
    this.instance = instance;
    this.clock = clock;
  }

  public ComplianceReport report() {
    Instant now = clock.instant();
    long since = now.minus(PERIOD).toEpochMilli();
    List<Control> controls = List.of(tokenLifetime(now), secretStorage(), ciCredentials(since), inactiveAccounts(now), tokenInventory(now),
        mfaApprovals(since), approvalGate(since), monitoring(since), alertDelivery(since, now), provenance(since), eventLog(now),
        drills(now));
    return new ComplianceReport(now, now.minus(PERIOD), instance.get(), controls);
  }

  // ---------------------------------------------------------------- credentials

  private Control tokenLifetime(Instant now) {
    long n = now.toEpochMilli();
    long active = count("SELECT COUNT(*) FROM api_tokens WHERE revoked_at IS NULL AND expires_at > " + n);
    long tooLong = count("SELECT COUNT(*) FROM api_tokens WHERE revoked_at IS NULL AND expires_at > " + n
        + " AND expires_at - created_at > " + identity.maxTokenLifetime().toMillis());
    long rotated = events("'TokenRotated'", now.minus(PERIOD).toEpochMilli());
    Long oldest = database.withHandle(h -> h.createQuery("SELECT MIN(created_at) FROM api_tokens WHERE revoked_at IS NULL AND expires_at > " + n)
        .mapTo(Long.class).findOne().orElse(null));
    Duration max = identity.maxTokenLifetime();
    Status status = tooLong > 0 ? Status.NOT_MET : max.compareTo(LIFETIME_LIMIT) <= 0 ? Status.MET : Status.PARTLY;
    String why = switch (status) {
      case MET -> "every active token expires within the enforced maximum lifetime of " + days(max);
      case PARTLY -> "tokens expire, but the maximum lifetime " + days(max) + " is longer than 90 days";
      case NOT_MET -> tooLong + " active token(s) outlive the maximum lifetime";
    };
    return new Control("token-lifetime", "Long-lived tokens expire and rotate",
        "Every API token has an expiry no later than the server's maximum lifetime; rotation issues a successor and retires the old"
            + " token after a short overlap; no token can release on its own.",
        status, why,
        List.of(new Evidence("maximum token lifetime", days(max)), new Evidence("default token lifetime", days(identity.defaultTokenLifetime())),
            new Evidence("rotation overlap", human(identity.rotationOverlap())), new Evidence("active tokens", String.valueOf(active)),
            new Evidence("active tokens outliving the maximum", String.valueOf(tooLong)),
            new Evidence("oldest active token created", oldest == null ? "none" : Instant.ofEpochMilli(oldest).toString()),
            new Evidence("rotations in the period", String.valueOf(rotated))),
        List.of(), seqs("TokenRotated", 5),
        List.of(nist("IA-5", "Authenticator Management", "item (f): authenticators are refreshed at a set period"),
            nist("AC-2(3)", "Disable Accounts", "item (a): expired credentials stop working"),
            iso("A.5.17", "Authentication information", "A.9.2.4, A.9.3.1, A.9.4.3"), soc2("CC6.1", "Logical access security"),
            pci("8.6.3", "Passwords/passphrases for application and system accounts are changed periodically",
                "the maximum token lifetime is the period; record it in the targeted risk analysis (12.3.1)"),
            pci("8.3.9", "Passwords as the only factor are changed every 90 days",
                "applies to user passwords as a single factor; Portcullis has no passwords, so only by analogy")));
  }

  private Control secretStorage() {
    long tokens = count("SELECT COUNT(*) FROM api_tokens");
    long digests = database.withHandle(h -> h.createQuery("SELECT secret_hash FROM api_tokens").mapTo(String.class).list())
        .stream().filter(s -> s != null && s.matches("[0-9a-f]{64}")).count();
    long plaintextInEvents = database.withHandle(h -> h.createQuery("SELECT details FROM events").mapTo(String.class).stream()
        .filter(d -> d != null && TokenFormat.PATTERN.matcher(d).find()).count());
    long sealed = count("SELECT COUNT(*) FROM upstream_targets");
    Status status = digests == tokens && plaintextInEvents == 0 ? Status.MET : Status.NOT_MET;
    return new Control("secret-storage", "Secrets are never stored in plain text",
        "Token secrets are stored only as SHA-256 digests and compared in constant time; upstream credentials are sealed with a key"
            + " kept outside the database; webhook URLs are stored as fingerprints; events never carry secrets.",
        status, status == Status.MET ? "every stored token is a digest, and no event contains a token"
            : (tokens - digests) + " token row(s) are not digests, " + plaintextInEvents + " event(s) contain a token",
        List.of(new Evidence("token rows that are SHA-256 digests", digests + " of " + tokens),
            new Evidence("events containing a token secret", String.valueOf(plaintextInEvents)),
            new Evidence("sealed upstream credentials", String.valueOf(sealed))),
        List.of(), List.of(),
        List.of(nist("IA-5", "Authenticator Management", "item (g): authenticator content protected from disclosure"),
            nist("IA-5(1)", "Password-based Authentication",
                "applies to passwords only; tokens are high-entropy secrets, stored as unkeyed SHA-256 digests (a keyed hash would match (d) more closely)"),
            iso("A.5.17", "Authentication information", "A.9.2.4, A.9.3.1, A.9.4.3"), soc2("CC6.1", "Logical access security"),
            pci("8.3.2", "Strong cryptography renders all authentication factors unreadable in transmission and storage",
                "storage; transmission needs TLS in front of Portcullis")));
  }

  private Control ciCredentials(long since) {
    long projects = count("SELECT COUNT(*) FROM projects p WHERE " + REAL);
    long trusted = count("SELECT COUNT(DISTINCT t.project) FROM trusted_publishers t JOIN projects p ON p.name = t.project"
        + " WHERE t.removed_at IS NULL AND " + REAL);
    long minted = events("'PublishTokenMinted'", since);
    long refused = events("'PublishTokenRefused'", since);
    Duration lifetime = oidc.tokenLifetime();
    Status status = !oidc.enabled() || projects > 0 && trusted == 0 ? Status.NOT_MET
        : projects > 0 && trusted == projects && lifetime.compareTo(CI_TOKEN_LIMIT) <= 0 ? Status.MET : Status.PARTLY;
    String why = switch (status) {
      case MET -> "every project publishes through a trusted publisher, with upload tokens living " + lifetime.toMinutes() + " minutes";
      case PARTLY -> projects == 0 ? "no projects yet" : trusted + " of " + projects + " projects have a trusted publisher"
          + (lifetime.compareTo(CI_TOKEN_LIMIT) > 0 ? "; minted tokens live longer than 15 minutes" : "");
      case NOT_MET -> oidc.enabled() ? "no project has a trusted publisher" : "trusted publishing is disabled";
    };
    return new Control("ci-credentials", "CI publishes with short-lived, identity-bound credentials",
        "A project's CI exchanges its OIDC identity for a one-project upload token of minutes (PyPI trusted publishing); each CI"
            + " identity token works once.",
        status, why,
        List.of(new Evidence("trusted publishing", oidc.enabled() ? "enabled" : "disabled"),
            new Evidence("projects with a trusted publisher", trusted + " of " + projects),
            new Evidence("minted upload token lifetime", lifetime.toMinutes() + " min"),
            new Evidence("tokens minted in the period", String.valueOf(minted)),
            new Evidence("exchanges refused in the period (forged, replayed, expired, unknown)", String.valueOf(refused))),
        List.of(), seqs("PublishTokenMinted", 5),
        List.of(nist("IA-5(9)", "Federated Credential Management"), nist("IA-5(10)", "Dynamic Credential Binding"),
            nist("IA-5(7)", "No Embedded Unencrypted Static Authenticators", "CI stores no upload token"),
            iso("A.5.16", "Identity management", "A.9.2.1"), iso("A.5.17", "Authentication information", "A.9.2.4, A.9.3.1, A.9.4.3"),
            soc2("CC6.1", "Logical access security"),
            pci("8.6.2", "Passwords for application and system accounts are not hard-coded in scripts or files", null)));
  }

  private Control inactiveAccounts(Instant now) {
    long idleSince = now.minus(identity.accountIdleLimit()).toEpochMilli();
    long enabledIdle = count("SELECT COUNT(*) FROM users WHERE disabled_at IS NULL AND COALESCE(last_active_at, created_at) < " + idleSince);
    long disabled = count("SELECT COUNT(*) FROM users WHERE disabled_at IS NOT NULL");
    long users = count("SELECT COUNT(*) FROM users");
    long tokenIdle = now.minus(identity.tokenIdleLimit()).toEpochMilli();
    long idleTokens = count("SELECT COUNT(*) FROM api_tokens WHERE revoked_at IS NULL AND expires_at > " + now.toEpochMilli()
        + " AND COALESCE(last_used_at, created_at) < " + tokenIdle);
    boolean limits = identity.accountIdleLimit().compareTo(LIFETIME_LIMIT) <= 0;
    Status status = enabledIdle + idleTokens > 0 ? Status.NOT_MET : limits ? Status.MET : Status.PARTLY;
    return new Control("inactive-accounts", "Inactive accounts and unused tokens are disabled",
        "Housekeeping (hourly) disables accounts idle past the account limit and revokes tokens unused past the token limit; each is an event.",
        status, switch (status) {
          case MET -> "no enabled account or token is idle past its limit";
          case PARTLY -> "the account idle limit " + days(identity.accountIdleLimit()) + " is longer than 90 days";
          case NOT_MET -> enabledIdle + " account(s) and " + idleTokens + " token(s) are idle past their limit and still enabled";
        },
        List.of(new Evidence("account idle limit", days(identity.accountIdleLimit())),
            new Evidence("token idle limit", days(identity.tokenIdleLimit())), new Evidence("accounts", String.valueOf(users)),
            new Evidence("disabled accounts", String.valueOf(disabled)),
            new Evidence("enabled accounts idle past the limit", String.valueOf(enabledIdle)),
            new Evidence("active tokens unused past the limit", String.valueOf(idleTokens))),
        List.of(), seqs("UserDisabled", 5),
        List.of(nist("AC-2(3)", "Disable Accounts", "items (a) expired and (d) inactive"), iso("A.5.16", "Identity management", "A.9.2.1"),
            iso("A.5.18", "Access rights", "A.9.2.2, A.9.2.5, A.9.2.6"), soc2("CC6.2", "Credentials removed when no longer authorized"),
            pci("8.2.6", "Inactive user accounts are removed or disabled within 90 days of inactivity", null)));
  }

  private Control tokenInventory(Instant now) {
    long n = now.toEpochMilli();
    long active = count("SELECT COUNT(*) FROM api_tokens WHERE revoked_at IS NULL AND expires_at > " + n);
    long everywhere = count("SELECT COUNT(*) FROM api_tokens WHERE revoked_at IS NULL AND expires_at > " + n + " AND project IS NULL");
    long admin = count("SELECT COUNT(*) FROM api_tokens WHERE revoked_at IS NULL AND expires_at > " + n + " AND permissions LIKE '%admin%'");
    long lifecycle = events("'TokenCreated', 'TokenRotated', 'TokenRevoked', 'TokenDisabled'", 0);
    long escalations = events("'IdentityActionRefused'", 0);
    return new Control("token-inventory", "Every credential is inventoried, scoped and audited",
        "GET /api/v1/audit/tokens lists every token with owner, scope, permissions, age, expiry and last use; tokens carry the"
            + " least permissions they need, can never create more powerful tokens, and every life-cycle step is an event.",
        Status.MET, "the inventory is generated from the token table itself, and every life-cycle change is logged",
        List.of(new Evidence("active tokens", String.valueOf(active)), new Evidence("active tokens scoped to one project", (active - everywhere)
                + " of " + active), new Evidence("active tokens with the admin permission", String.valueOf(admin)),
            new Evidence("token life-cycle events", String.valueOf(lifecycle)),
            new Evidence("refused attempts beyond a credential's rights", String.valueOf(escalations))),
        List.of(), seqs("TokenCreated", 5),
        List.of(nist("AC-2(1)", "Automated System Account Management"), nist("AC-6", "Least Privilege"),
            iso("A.5.15", "Access control", "A.9.1.1, A.9.1.2"), iso("A.5.16", "Identity management", "A.9.2.1"),
            iso("A.5.18", "Access rights", "A.9.2.2, A.9.2.5, A.9.2.6"), soc2("CC6.2", "Registration and authorization of credentials"),
            soc2("CC6.3", "Role-based access, least privilege, separation of duties"),
            pci("10.2.1.5", "Changes to identification and authentication credentials are logged", null)));
  }

  // ---------------------------------------------------------------- the gate

  private Control mfaApprovals(long since) {
    long approvals = count("SELECT COUNT(*) FROM approvals a JOIN releases r ON r.id = a.release_id JOIN projects p ON p.id = r.project_id"
        + " WHERE a.approved_at >= " + since + " AND " + REAL);
    long approvers = count("SELECT COUNT(DISTINCT u.id) FROM users u JOIN user_roles ur ON ur.user_id = u.id WHERE u.disabled_at IS NULL"
        + " AND ur.role IN ('admin', 'owner', 'approver')");
    long enrolled = count("SELECT COUNT(DISTINCT u.id) FROM users u JOIN user_roles ur ON ur.user_id = u.id WHERE u.disabled_at IS NULL"
        + " AND ur.role IN ('admin', 'owner', 'approver') AND u.mfa_enabled_at IS NOT NULL");
    long failures = events("'SecondFactorFailed'", since);
    Status status = approvers == 0 || enrolled == 0 ? Status.NOT_MET : enrolled == approvers ? Status.MET : Status.PARTLY;
    return new Control("mfa-approvals", "A person approves with a fresh second factor",
        "Approving, rejecting, quarantining and every change of tokens, roles, publishers and policy needs a TOTP code used once;"
            + " a person without a second factor cannot approve at all.",
        status, switch (status) {
          case MET -> "every person who may approve has a second factor";
          case PARTLY -> (approvers - enrolled) + " of " + approvers + " people who may approve have no second factor yet (they cannot approve until they enrol)";
          case NOT_MET -> "nobody who may approve has a second factor, so nothing can be approved";
        },
        List.of(new Evidence("people who may approve (admin, owner, approver)", String.valueOf(approvers)),
            new Evidence("of them with a second factor", String.valueOf(enrolled)), new Evidence("approvals in the period", String.valueOf(approvals)),
            new Evidence("second-factor failures in the period", String.valueOf(failures))),
        List.of(), seqs("ReleaseApproved", 5),
        List.of(nist("IA-2(1)", "Multi-factor Authentication to Privileged Accounts", "approval is the privileged act"),
            iso("A.8.5", "Secure authentication", "A.9.4.2"), soc2("CC6.1", "Logical access security")));
  }

  private Control approvalGate(long since) {
    // One row per release: how many people approved it, its files, and those from the trusted publisher with verified provenance.
    List<Map<String, Object>> released = database.withHandle(h -> h.createQuery(
            "SELECT p.name, r.version, r.decided_by,"
                + " (SELECT COUNT(*) FROM approvals a WHERE a.release_id = r.id AND a.kind = 'release') AS approvals,"
                + " (SELECT COUNT(*) FROM release_files f WHERE f.release_id = r.id) AS files,"
                + " (SELECT COUNT(*) FROM release_files f JOIN file_provenance fp ON fp.file_id = f.id WHERE f.release_id = r.id"
                + " AND f.publisher_identity IS NOT NULL AND fp.status = 'verified') AS verified"
                + " FROM releases r JOIN projects p ON p.id = r.project_id"
                + " WHERE r.state = 'released' AND r.decided_at >= :since AND " + REAL + " ORDER BY r.decided_at")
        .bind("since", since).mapToMap().list());
    List<String> uncovered = new ArrayList<>();
    long byPerson = 0;
    long byVerifiedPublisher = 0;
    for (Map<String, Object> r : released) {
      long files = ((Number) r.get("files")).longValue();
      long verified = ((Number) r.get("verified")).longValue();
      if (((Number) r.get("approvals")).longValue() > 0) {
        byPerson++;
      } else if (files > 0 && verified == files) {
        byVerifiedPublisher++;
      } else {
        uncovered.add(r.get("name") + " " + r.get("version") + " (released by " + r.get("decided_by") + ", " + verified + " of " + files
            + " files with verified provenance from the trusted publisher)");
      }
    }
    long selfApproved = count("SELECT COUNT(*) FROM approvals a JOIN release_files f ON f.release_id = a.release_id"
        + " WHERE a.user_name = f.uploaded_by AND a.approved_at >= " + since);
    int total = released.size();
    Status status = selfApproved > 0 || total > 0 && uncovered.size() == total ? Status.NOT_MET
        : uncovered.isEmpty() && total > 0 ? Status.MET : Status.PARTLY;
    return new Control("approval-gate", "Every release passes a person or a fully verified trusted publisher",
        "A release becomes installable only after the gate's decision: approved by people other than its uploader, or"
            + " auto-released because every file came from the project's trusted publisher with verified provenance and no"
            + " detector raised the risk.",
        status, total == 0 ? "no release in the period to assess"
            : (byPerson + byVerifiedPublisher) + " of " + total + " releases went through a person or a fully verified trusted publisher"
                + (selfApproved > 0 ? "; " + selfApproved + " approval(s) by an uploader" : ""),
        List.of(new Evidence("releases in the period", String.valueOf(total)), new Evidence("approved by people", String.valueOf(byPerson)),
            new Evidence("auto-released from a verified trusted publisher", String.valueOf(byVerifiedPublisher)),
            new Evidence("released otherwise", String.valueOf(uncovered.size())),
            new Evidence("approvals by the release's uploader", String.valueOf(selfApproved)),
            new Evidence("gate coverage", total == 0 ? "n/a" : percent(byPerson + byVerifiedPublisher, total))),
        uncovered.stream().limit(5).toList(), seqs("ReleaseApproved", 5),
        List.of(nist("CM-5(4)", "Dual Authorization", "uploader and approver are two people; policies can require more approvers"),
            nist("AC-5", "Separation of Duties", "the uploader, and the owner of the uploading token, never count as approvers"),
            iso("A.8.32", "Change management", "A.12.1.2, A.14.2.2, A.14.2.3, A.14.2.4"),
            soc2("CC8.1", "Changes are authorized, tested and approved before implementation")));
  }

  private Control monitoring(long since) {
    long files = count("SELECT COUNT(*) FROM release_files f JOIN projects p ON p.id = f.project_id WHERE f.uploaded_at >= " + since + " AND " + REAL);
    long inspected = count("SELECT COUNT(*) FROM release_files f JOIN projects p ON p.id = f.project_id JOIN file_inspections i ON i.file_id = f.id"
        + " WHERE f.uploaded_at >= " + since + " AND i.error IS NULL AND " + REAL);
    long releases = count("SELECT COUNT(*) FROM releases r JOIN projects p ON p.id = r.project_id WHERE r.created_at >= " + since + " AND " + REAL);
    long decided = count("SELECT COUNT(DISTINCT d.release_id) FROM release_decisions d JOIN releases r ON r.id = d.release_id"
        + " JOIN projects p ON p.id = r.project_id WHERE r.created_at >= " + since + " AND " + REAL);
    long watches = count("SELECT COUNT(*) FROM watched_projects");
    Status status = files == inspected && releases == decided ? Status.MET : inspected > 0 ? Status.PARTLY : Status.NOT_MET;
    if (files == 0) {
      status = Status.MET;
    }
    return new Control("monitoring", "Every upload is inspected and compared with the project's history",
        "Each file is read safely and inspected for payloads; each release is assessed by detectors for new networks, odd hours,"
            + " rapid versions, size jumps, new dependencies, credential anomalies and missing provenance, and the gate decides on it.",
        status, files == 0 ? "no uploads in the period; every upload path runs the inspection and the detectors"
            : inspected + " of " + files + " files inspected, " + decided + " of " + releases + " releases assessed",
        List.of(new Evidence("files uploaded in the period", String.valueOf(files)),
            new Evidence("of them inspected (a failed inspection holds the release)", String.valueOf(inspected)),
            new Evidence("releases in the period", String.valueOf(releases)), new Evidence("of them assessed and decided", String.valueOf(decided)),
            new Evidence("detectors", "network, credential, time, cadence, size, dependencies, version, provenance, content inspection"),
            new Evidence("upstream projects watched", String.valueOf(watches))),
        List.of(), seqs("ReleaseDecided", 5),
        List.of(nist("SI-4", "System Monitoring"), nist("AC-2(12)", "Account Monitoring for Atypical Usage"),
            isoNew("A.8.16", "Monitoring activities"), soc2("CC7.2", "Anomalies indicative of malicious acts are monitored"),
            pci("10.4.1.1", "Automated mechanisms are used to perform audit log reviews", null)));
  }

  private Control alertDelivery(long since, Instant now) {
    int sinks = watch.webhooks().size() + watch.slack().size() + watch.email().size() + (watch.syslog() == null ? 0 : 1);
    long raised = count("SELECT COUNT(*) FROM alerts WHERE raised_at >= " + since);
    long delivered = count("SELECT COUNT(*) FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id WHERE d.state = 'delivered' AND a.raised_at >= " + since);
    long failed = count("SELECT COUNT(*) FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id WHERE d.state = 'failed' AND a.raised_at >= " + since);
    long stuck = count("SELECT COUNT(*) FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id WHERE d.state = 'pending' AND a.raised_at < "
        + now.minus(Duration.ofHours(1)).toEpochMilli());
    Status status = sinks == 0 ? Status.NOT_MET : failed + stuck > 0 ? Status.PARTLY : Status.MET;
    return new Control("alert-delivery", "Alerts reach people",
        "Alerts (held, rejected and quarantined releases, token uploads to trusted-publisher projects, tampering, failed drills) are"
            + " written to an outbox with their event and delivered, with retries, to signed webhooks, Slack, e-mail and syslog.",
        status, switch (status) {
          case MET -> sinks + " alert destination(s) configured; every delivery in the period succeeded or is being retried";
          case PARTLY -> failed + " delivery(ies) gave up and " + stuck + " are pending for more than an hour";
          case NOT_MET -> "no alert destination is configured: alerts are only logged";
        },
        List.of(new Evidence("configured destinations", sinks + " (webhooks " + watch.webhooks().size() + ", Slack " + watch.slack().size()
                + ", e-mail " + watch.email().size() + ", syslog " + (watch.syslog() == null ? 0 : 1) + ")"),
            new Evidence("alerts raised in the period", String.valueOf(raised)), new Evidence("deliveries made", String.valueOf(delivered)),
            new Evidence("deliveries given up", String.valueOf(failed)), new Evidence("deliveries pending over an hour", String.valueOf(stuck))),
        List.of(), seqs("AlertDelivered", 5),
        List.of(nist("SI-4(5)", "System-generated Alerts"), isoNew("A.8.16", "Monitoring activities"),
            soc2("CC7.2", "Anomalies indicative of malicious acts are monitored"),
            pci("10.7.2", "Failures of critical security control systems are detected, alerted and addressed", null)));
  }

  private Control provenance(long since) {
    long files = count("SELECT COUNT(*) FROM release_files f JOIN releases r ON r.id = f.release_id JOIN projects p ON p.id = f.project_id"
        + " WHERE r.state = 'released' AND r.decided_at >= " + since + " AND " + REAL);
    long verified = count("SELECT COUNT(*) FROM release_files f JOIN releases r ON r.id = f.release_id JOIN projects p ON p.id = f.project_id"
        + " JOIN file_provenance fp ON fp.file_id = f.id WHERE fp.status = 'verified' AND r.state = 'released' AND r.decided_at >= " + since
        + " AND " + REAL);
    long downgrades = database.withHandle(h -> h.createQuery("SELECT reasons FROM release_decisions WHERE decided_at >= :s").bind("s", since)
        .mapTo(String.class).stream().filter(r -> r != null && r.contains("provenance downgrade")).count());
    Status status = files == 0 || verified == 0 ? (files == 0 ? Status.PARTLY : Status.NOT_MET) : verified == files ? Status.MET : Status.PARTLY;
    return new Control("provenance", "Released files are verified against the project's own CI identity",
        "PEP 740 attestations are verified (Sigstore bundle, certificate chain, transparency log, subject digest) and their signer"
            + " matched to the project's trusted publisher; a release without the provenance earlier releases had is held.",
        status, files == 0 ? "no released file in the period to assess" : verified + " of " + files + " released files have verified provenance",
        List.of(new Evidence("released files in the period", String.valueOf(files)), new Evidence("with verified provenance", String.valueOf(verified)),
            new Evidence("provenance coverage", files == 0 ? "n/a" : percent(verified, files)),
            new Evidence("provenance downgrades caught in the period", String.valueOf(downgrades))),
        List.of(), List.of(),
        List.of(nist("SR-4", "Provenance"), nist("SR-11", "Component Authenticity"),
            nist("IA-5(2)", "Public Key-based Authentication", "the attestation's certificate is validated to the Sigstore root and bound to the CI identity"),
            iso("A.5.21", "Managing information security in the ICT supply chain", "A.15.1.3"),
            soc2("CC8.1", "Changes are authorized, tested and approved before implementation")));
  }

  // ---------------------------------------------------------------- assurance

  private Control eventLog(Instant now) {
    EventLogIntegrity.Report verified;
    String problem = null;
    try {
      verified = EventLogIntegrity.verify(database, new dev.portcullis.events.EventLog(database, clock), CheckpointKey.publicKey(checkpointPublicKey), watch.checkpointFile());
    } catch (IOException | RuntimeException e) {
      verified = null;
      problem = "the log could not be verified: " + e.getMessage();
    }
    Long lastCheckpoint = database.withHandle(h -> h.createQuery("SELECT MAX(signed_at) FROM event_checkpoints").mapTo(Long.class)
        .findOne().orElse(null));
    boolean anchored = watch.checkpointFile() != null || !watch.checkpointWebhooks().isEmpty();
    Status status = verified == null || !verified.intact() ? Status.NOT_MET : anchored ? Status.MET : Status.PARTLY;
    List<Evidence> evidence = new ArrayList<>();
    if (verified != null) {
      evidence.add(new Evidence("events re-verified now", String.valueOf(verified.events())));
      evidence.add(new Evidence("signed checkpoints verified", String.valueOf(verified.checkpoints())));
      evidence.add(new Evidence("problems", verified.intact() ? "none" : String.join("; ", verified.problems().stream().limit(5).toList())));
    }
    evidence.add(new Evidence("last checkpoint", lastCheckpoint == null ? "none yet" : Instant.ofEpochMilli(lastCheckpoint).toString()));
    evidence.add(new Evidence("checkpoint interval", human(watch.checkpointInterval())));
    evidence.add(new Evidence("copies outside the database", (watch.checkpointFile() == null ? "" : "file " + watch.checkpointFile() + "; ")
        + watch.checkpointWebhooks().size() + " webhook(s)"));
    String why = problem != null ? problem : switch (status) {
      case MET -> "the hash chain and every signed checkpoint verify, and checkpoints are also kept outside the database";
      case PARTLY -> "the log verifies, but checkpoints are kept only in the database (configure --checkpoint-file or --checkpoint-webhook)";
      case NOT_MET -> "the event log does not verify: " + String.join("; ", verified.problems().stream().limit(3).toList());
    };
    return new Control("event-log-integrity", "The event log is tamper-evident",
        "Every event is hash-chained to the one before it in the same transaction as the change it records; signed checkpoints"
            + " (Ed25519 over the RFC 6962 Merkle root) are written regularly and copied outside the database.",
        status, why, evidence, List.of(), List.of(),
        List.of(nist("AU-9", "Protection of Audit Information"), nist("AU-9(3)", "Cryptographic Protection"),
            nist("AU-10", "Non-repudiation", "signed checkpoints bind the log; approvals are attributed to a person's token and second factor, not signed by them"),
            iso("A.8.15", "Logging", "A.12.4.1, A.12.4.2, A.12.4.3"), soc2("CC7.2", "Anomalies indicative of malicious acts are monitored"),
            pci("10.3.2", "Audit log files are protected to prevent modifications", null),
            pci("10.3.4", "File integrity monitoring or change-detection is used on audit logs", null)));
  }

  private Control drills(Instant now) {
    List<Map<String, Object>> latest = database.withHandle(h -> h.createQuery(
            "SELECT seq, occurred_at, subject, details FROM events WHERE kind = 'DrillCompleted' ORDER BY seq DESC LIMIT 1")
        .mapToMap().list());
    if (latest.isEmpty()) {
      return drillControl(Status.NOT_MET, "no detection drill has run on this instance (portcullis drill)", List.of(
          new Evidence("latest drill", "none")), List.of(), List.of());
    }
    Map<String, Object> d = latest.getFirst();
    Instant at = Instant.ofEpochMilli(((Number) d.get("occurred_at")).longValue());
    boolean passed = "passed".equals(d.get("subject"));
    boolean fresh = at.isAfter(now.minus(DRILL_FRESHNESS));
    Status status = passed && fresh ? Status.MET : Status.PARTLY;
    String details = String.valueOf(d.get("details"));
    List<String> examples = new ArrayList<>();
    java.util.regex.Matcher failed = java.util.regex.Pattern.compile("\"failed\":\\[([^\\]]*)]").matcher(details);
    if (failed.find() && !failed.group(1).isBlank()) {
      examples.add("scenarios with a missed control: " + failed.group(1).replace("\"", ""));
    }
    return drillControl(status, passed ? (fresh ? "the latest drill passed every scenario" : "the latest drill passed, but is older than 31 days")
            : "the latest drill missed controls",
        List.of(new Evidence("latest drill", at.toString()), new Evidence("result", passed ? "passed" : "failed"),
            new Evidence("drills in the period", String.valueOf(count("SELECT COUNT(*) FROM events WHERE kind = 'DrillCompleted' AND occurred_at >= "
                + now.minus(PERIOD).toEpochMilli())))),
        examples, List.of(((Number) d.get("seq")).longValue()));
  }

  private static Control drillControl(Status status, String why, List<Evidence> evidence, List<String> examples, List<Long> events) {
    return new Control("detection-drills", "Detection drills prove the controls fire",
        "portcullis drill replays the lightning attack and its variants (stolen token, rapid versions, payload, size and"
            + " dependencies, provenance strip, self-approval, token escalation, retired tokens, replayed CI identity) against"
            + " sandbox projects and records which controls fired.",
        status, why, evidence, examples, events,
        List.of(nist("SI-4(9)", "Testing of Monitoring Tools and Mechanisms"), isoNew("A.8.16", "Monitoring activities"),
            soc2("CC7.2", "Anomalies indicative of malicious acts are monitored"),
            pci("10.7.2", "Failures of critical security control systems are detected, alerted and addressed", "a failed drill raises an alert")));
  }

  // ---------------------------------------------------------------- helpers

  private long count(String sql) {
    return database.withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
  }

  /**
   * Events of the listed kinds (SQL literals) since {@code since}, leaving out those about a drill
   * sandbox. Events about no project that a drill provoked (a refused sign-in or token exchange) do count.
   */
  private long events(String kinds, long since) {
    return count("SELECT COUNT(*) FROM events e WHERE e.kind IN (" + kinds + ") AND e.occurred_at >= " + since + " AND " + NOT_DRILL);
  }

  /** The newest {@code limit} events of {@code kind} outside drill sandboxes, by sequence number. */
  private List<Long> seqs(String kind, int limit) {
    return database.withHandle(h -> h.createQuery("SELECT e.seq FROM events e WHERE e.kind = :k AND " + NOT_DRILL
            + " ORDER BY e.seq DESC LIMIT " + limit)
        .bind("k", kind).mapTo(Long.class).list());
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
