package dev.portcullis.gate;

import dev.portcullis.identity.Role;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Set;

/**
 * A project's release policy (docs/POLICY.md), parsed and validated from YAML by {@link
 * PolicyDocument}. A project without one gets {@link #DEFAULT}: every release held for one
 * approval by someone other than the uploader, with a fresh second factor.
 */
public record Policy(
        Uploads uploads,
        Approval approval,
        AutoRelease autoRelease,
        Risk risk,
        List<Window> windows,
        int quarantineReleaseApprovals,
        boolean changesNeedSecondPerson,
        Notify notifications,
        ProvenanceRule provenance) {

    /**
     * What attestations must be there: {@code required} (every file verified from a trusted
     * publisher), {@code if_present} (attestations that are there must verify as a trusted
     * publisher's), {@code off}.
     */
    public enum ProvenanceRule {
        REQUIRED,
        IF_PRESENT,
        OFF
    }

    /** Who hears about a held (or quarantined) release: e-mail addresses and webhook URLs. */
    public record Notify(List<String> email, List<String> webhooks) {
        public Notify {
            email = List.copyOf(email);
            webhooks = List.copyOf(webhooks);
            for (String address : email) {
                if (!address.matches("[^@\\s]+@[^@\\s]+")) {
                    throw new IllegalArgumentException("notify.email: '" + address + "' is not an e-mail address");
                }
            }
            for (String url : webhooks) {
                if (!url.startsWith("https://") && !url.startsWith("http://")) {
                    throw new IllegalArgumentException("notify.webhooks: '" + url + "' is not an http(s) URL");
                }
            }
        }
    }

    /** What long-lived (user) tokens may do: refused, always held for a person, or treated like any upload. */
    public enum LongLivedTokens {
        DENY,
        HOLD,
        ALLOW
    }

    public record Uploads(LongLivedTokens longLivedTokens) {}

    /**
     * How many distinct people must approve, who counts (by role, or by name), and how long a held
     * release waits. The uploader, and the owner of the uploading token, never count.
     */
    /**
     * Who approves and how many. {@code requireSecurityKey}: approvals (and decisions on the web
     * page) need a passkey or security key assertion over the decision; a one-time code, which a
     * phishing proxy can relay, is then refused for them.
     */
    public record Approval(
            int required, Set<Role> roles, Set<String> users, Duration expiresAfter, boolean requireSecurityKey) {
        public Approval {
            if (required < 1) {
                throw new IllegalArgumentException("approval.required must be at least 1");
            }
            if (expiresAfter.isNegative() || expiresAfter.isZero()) {
                throw new IllegalArgumentException("approval.expires_after must be positive");
            }
            roles = Set.copyOf(roles);
            users = Set.copyOf(users);
        }
    }

    /**
     * Releasing without a person, allowed only when every named condition holds, after {@code
     * settle} without new files (a release is several uploads).
     */
    public record AutoRelease(
            boolean enabled,
            boolean requireTrustedPublisher,
            boolean requireProvenance,
            int maxRisk,
            Duration settle) {}

    /** Risk thresholds (0-100) that hold, reject or quarantine whatever else the policy says. */
    public record Risk(int holdAt, int rejectAt, int quarantineAt) {
        public Risk {
            if (holdAt < 0 || holdAt > rejectAt || rejectAt > quarantineAt || quarantineAt > 100) {
                throw new IllegalArgumentException(
                        "risk thresholds must satisfy 0 <= hold_at <= reject_at <= quarantine_at <= 100");
            }
        }
    }

    /** When uploads may be released without extra scrutiny: days and hours in a time zone. */
    public record Window(ZoneId zone, Set<DayOfWeek> days, LocalTime from, LocalTime to) {
        public Window {
            days = Set.copyOf(days);
            if (!from.isBefore(to)) {
                throw new IllegalArgumentException("a publish window's start must be before its end");
            }
        }

        public boolean contains(java.time.Instant instant) {
            ZonedDateTime local = instant.atZone(zone);
            LocalTime time = local.toLocalTime();
            return days.contains(local.getDayOfWeek()) && !time.isBefore(from) && time.isBefore(to);
        }

        @Override
        public String toString() {
            return days.stream()
                            .sorted()
                            .map(d -> d.name().substring(0, 3).toLowerCase(java.util.Locale.ROOT))
                            .toList() + " " + from + "-" + to + " " + zone;
        }
    }

    public Policy {
        windows = List.copyOf(windows);
        if (quarantineReleaseApprovals < 2) {
            throw new IllegalArgumentException("quarantine.release_approvals must be at least 2");
        }
    }

    public static final Policy DEFAULT = new Policy(
            new Uploads(LongLivedTokens.HOLD),
            new Approval(1, Set.of(Role.APPROVER, Role.OWNER, Role.ADMIN), Set.of(), Duration.ofDays(14), false),
            new AutoRelease(false, true, false, 0, Duration.ofMinutes(5)),
            new Risk(30, 90, 95),
            List.of(),
            2,
            false,
            new Notify(List.of(), List.of()),
            ProvenanceRule.IF_PRESENT);
}
