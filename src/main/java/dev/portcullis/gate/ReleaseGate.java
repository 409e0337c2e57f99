package dev.portcullis.gate;

import dev.portcullis.identity.Identity;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Principal;
import dev.portcullis.publish.Catalog;
import dev.portcullis.publish.Pep440Version;
import dev.portcullis.publish.ProjectName;
import dev.portcullis.publish.Release;
import dev.portcullis.publish.ReleaseState;
import dev.portcullis.store.Database;
import dev.portcullis.watch.Event;
import dev.portcullis.watch.EventLog;
import dev.portcullis.watch.Origin;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Entry point of the gate: approves (releases) or rejects a held release.
 *
 * <p>A decision needs a token whose owner may {@code approve} on the project and a fresh second
 * factor: a token alone can never release. The policy engine (distinct approvers, counts) builds
 * on this without changing the transition below.
 */
public final class ReleaseGate {

  private final Database database;
  private final Catalog catalog;
  private final Identity identity;
  private final EventLog events;
  private final Clock clock;

  public ReleaseGate(Database database, Catalog catalog, Identity identity, EventLog events, Clock clock) {
    this.database = database;
    this.catalog = catalog;
    this.identity = identity;
    this.events = events;
    this.clock = clock;
  }

  /** Approves (releases) a held release. Needs {@code approve} on the project and a fresh OTP. */
  public Decision approve(Principal principal, String otp, String project, String version, String comment, Origin origin) {
    return decide(principal, otp, project, version, ReleaseState.RELEASED, "ReleaseApproved", comment, origin);
  }

  public Decision reject(Principal principal, String otp, String project, String version, String reason, Origin origin) {
    return decide(principal, otp, project, version, ReleaseState.REJECTED, "ReleaseRejected", reason, origin);
  }

  /** The release a decision is about, or why the decision cannot be made. */
  private sealed interface Target {}

  private record Found(Release release) implements Target {}

  private record Refused(Decision decision) implements Target {}

  /**
   * Resolves the release and checks that the principal may act on it ({@code approve} covering
   * the project). A refusal is recorded as a {@code DecisionRefused} event.
   */
  private Target resolve(Principal principal, String projectName, String versionText, String action, Origin origin) {
    String project;
    Pep440Version version;
    try {
      project = ProjectName.of(projectName).normalized();
      version = Pep440Version.parse(versionText);
    } catch (IllegalArgumentException e) {
      return new Refused(new Decision.NotFound(projectName, versionText));
    }
    if (!principal.can(Permission.APPROVE, project)) {
      String reason = "this token may not " + action + " releases of '" + project + "'";
      events.append(
          new Event("DecisionRefused", principal.actor(), project, version.normalized(), origin,
              Map.of("reason", reason, "action", action)));
      return new Refused(new Decision.Forbidden(reason));
    }
    return catalog
        .findRelease(project, version.canonical())
        .<Target>map(Found::new)
        .orElse(new Refused(new Decision.NotFound(project, version.normalized())));
  }

  private Decision decide(
      Principal principal,
      String otp,
      String projectName,
      String versionText,
      ReleaseState target,
      String eventKind,
      String note,
      Origin origin) {
    String action = target == ReleaseState.RELEASED ? "approve" : "reject";
    Release release;
    switch (resolve(principal, projectName, versionText, action, origin)) {
      case Refused r -> {
        return r.decision();
      }
      case Found f -> release = f.release();
    }
    identity.requireSecondFactor(principal, otp, action + " " + release.project() + " " + release.version(), origin);
    String project = release.project();
    long now = clock.millis();
    boolean transitioned =
        database.inTransaction(
            h -> {
              int changed =
                  h.createUpdate(
                          "UPDATE releases SET state = :target, decided_at = :t, decided_by = :by,"
                              + " decision_reason = :note WHERE id = :id AND state = 'held'")
                      .bind("target", target.wireName())
                      .bind("t", now)
                      .bind("by", principal.userName())
                      .bind("note", note)
                      .bind("id", release.id())
                      .execute();
              if (changed == 1) {
                Map<String, Object> details = new LinkedHashMap<>();
                details.put("state", target.wireName());
                if (note != null) {
                  details.put("note", note);
                }
                events.append(
                    h,
                    new Event(eventKind, principal.actor(), project, release.version(), origin, details));
              }
              return changed == 1;
            });
    Release current = catalog.getRelease(release.id());
    return transitioned ? new Decision.Decided(current) : new Decision.AlreadyDecided(current);
  }

  /**
   * Yanks every file of a released release (PEP 592): installers skip it unless pinned exactly.
   * The files stay downloadable; the index marks them with the reason.
   */
  public Decision yank(Principal principal, String otp, String projectName, String versionText, String reason, Origin origin) {
    Release release;
    switch (resolve(principal, projectName, versionText, "yank", origin)) {
      case Refused r -> {
        return r.decision();
      }
      case Found f -> release = f.release();
    }
    String project = release.project();
    if (release.state() != ReleaseState.RELEASED) {
      return new Decision.AlreadyDecided(release);
    }
    identity.requireSecondFactor(principal, otp, "yank " + project + " " + release.version(), origin);
    String why = reason == null ? "" : reason;
    database.inTransaction(
        h -> {
          int changed =
              h.createUpdate(
                      "UPDATE release_files SET yanked_at = :t, yanked_reason = :why"
                          + " WHERE release_id = :id AND yanked_at IS NULL")
                  .bind("t", clock.millis())
                  .bind("why", why)
                  .bind("id", release.id())
                  .execute();
          if (changed > 0) {
            events.append(
                h,
                new Event("ReleaseYanked", principal.actor(), project, release.version(), origin, Map.of("reason", why)));
          }
          return changed;
        });
    return new Decision.Decided(release);
  }
}
