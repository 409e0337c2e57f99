package dev.portcullis.identity;

import dev.portcullis.core.Origin;
import dev.portcullis.core.Refusal;
import dev.portcullis.events.Event;
import dev.portcullis.events.EventLog;
import dev.portcullis.store.Database;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Users and their roles: adding users (each with an enrolment ticket for a first factor), granting
 * and revoking roles, re-enabling accounts, resetting a lost second factor, and disabling idle
 * accounts. Over the API each needs the right authority and a fresh second factor; the local
 * operator's variants are recorded as such.
 */
final class Accounts {

    /** A new user and the ticket that enrols its first factor (shown once). */
    private final Database database;

    private final EventLog events;
    private final Clock clock;
    private final IdentitySettings settings;
    private final UserRepository users;
    private final SecondFactor secondFactor;
    private final EnrolmentTickets tickets;

    Accounts(
            Database database,
            EventLog events,
            Clock clock,
            IdentitySettings settings,
            UserRepository users,
            SecondFactor secondFactor,
            EnrolmentTickets tickets) {
        this.database = database;
        this.events = events;
        this.clock = clock;
        this.settings = settings;
        this.users = users;
        this.secondFactor = secondFactor;
        this.tickets = tickets;
    }

    Optional<User> find(String name) {
        return database.withHandle(h -> users.find(h, name)).map(UserRepository.Row::user);
    }

    List<User> list() {
        return database.withHandle(users::list);
    }

    boolean any() {
        return database.withHandle(users::any);
    }

    /** Local operator (or a checked API caller): adds a user with one role and issues its enrolment ticket. */
    NewUser add(String name, RoleGrant grant, String actor, Origin origin) {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
            throw new Refusal.Invalid("user names are 1-100 characters: letters, digits, '.', '_' and '-'");
        }
        return database.inTransaction(h -> {
            if (users.find(h, name).isPresent()) {
                throw new Refusal.Invalid("user '" + name + "' already exists");
            }
            users.insert(h, name, clock.instant());
            long id = users.find(h, name).orElseThrow().user().id();
            users.grant(h, id, grant, clock.instant(), actor);
            events.append(
                    h, new Event("UserAdded", actor, projectOf(grant), name, origin, Map.of("role", grant.toString())));
            EnrolmentTicket ticket = tickets.issue(h, id, name, actor, origin);
            return new NewUser(users.find(h, id).orElseThrow().user(), ticket);
        });
    }

    /** API: a global admin adds a user, with a fresh second factor. */
    NewUser add(Principal by, String otp, String name, RoleGrant grant, Origin origin) {
        requireGlobalAdmin(by, "add users", origin);
        secondFactor.verify(by, otp, "add a user", origin);
        return add(name, grant, by.actor(), origin);
    }

    /**
     * Removes a user's second factor and recovery codes and issues a new enrolment ticket (a lost
     * authenticator, or a factor an attacker may have registered). Local operator, or a global admin
     * with their own fresh second factor.
     */
    EnrolmentTicket resetSecondFactor(String name, String actor, Origin origin) {
        return database.inTransaction(h -> {
            User user = users.find(h, name).orElseThrow(() -> notFound(name)).user();
            secondFactor.reset(h, user.id());
            events.append(h, new Event("MfaReset", actor, null, name, origin, Map.of("had_factor", user.mfaEnabled())));
            return tickets.issue(h, user.id(), name, actor, origin);
        });
    }

    EnrolmentTicket resetSecondFactor(Principal by, String otp, String name, Origin origin) {
        requireGlobalAdmin(by, "reset second factors", origin);
        if (name.equals(by.userName())) {
            throw forbidden(
                    by,
                    "reset second factors",
                    "nobody resets their own second factor: another admin or the local operator does",
                    origin);
        }
        secondFactor.verify(by, otp, "reset the second factor of " + name, origin);
        return resetSecondFactor(name, by.actor(), origin);
    }

    /**
     * Grants a role. Global admins grant anything; a project owner grants project roles other than
     * owner on their own project. Needs a fresh second factor.
     */
    User grant(Principal by, String otp, String userName, RoleGrant grant, Origin origin) {
        requireRoleAuthority(by, grant, origin);
        secondFactor.verify(by, otp, "change roles", origin);
        return grant(userName, grant, by.actor(), origin);
    }

    /** Local operator (and drill sandboxes): grants a role without a second factor. */
    User grant(String userName, RoleGrant grant, String actor, Origin origin) {
        return database.inTransaction(h -> {
            User user = users.find(h, userName)
                    .orElseThrow(() -> notFound(userName))
                    .user();
            if (users.grant(h, user.id(), grant, clock.instant(), actor)) {
                events.append(
                        h,
                        new Event(
                                "RoleGranted",
                                actor,
                                projectOf(grant),
                                userName,
                                origin,
                                Map.of("role", grant.toString())));
            }
            return users.find(h, user.id()).orElseThrow().user();
        });
    }

    User revoke(Principal by, String otp, String userName, RoleGrant grant, Origin origin) {
        requireRoleAuthority(by, grant, origin);
        secondFactor.verify(by, otp, "change roles", origin);
        return database.inTransaction(h -> {
            User user = users.find(h, userName)
                    .orElseThrow(() -> notFound(userName))
                    .user();
            if (users.revoke(h, user.id(), grant)) {
                events.append(
                        h,
                        new Event(
                                "RoleRevoked",
                                by.actor(),
                                projectOf(grant),
                                userName,
                                origin,
                                Map.of("role", grant.toString())));
            }
            return users.find(h, user.id()).orElseThrow().user();
        });
    }

    /** Local operator: re-enables a disabled account (e.g. the last admin). */
    User enable(String name, String actor, Origin origin) {
        return database.inTransaction(h -> {
            User user = users.find(h, name).orElseThrow(() -> notFound(name)).user();
            if (!users.enable(h, user.id(), clock.instant())) {
                throw new Refusal.Invalid("user '" + name + "' is not disabled");
            }
            events.append(h, new Event("UserEnabled", actor, null, name, origin, Map.of()));
            return users.find(h, user.id()).orElseThrow().user();
        });
    }

    /** API: a global admin re-enables an account, with a fresh second factor. */
    User enable(Principal by, String otp, String name, Origin origin) {
        requireGlobalAdmin(by, "re-enable users", origin);
        secondFactor.verify(by, otp, "re-enable a user", origin);
        return enable(name, by.actor(), origin);
    }

    /** Housekeeping: disables accounts inactive for the idle limit. */
    void housekeeping(List<String> disabled) {
        Instant now = clock.instant();
        database.inTransaction(h -> {
            for (User u : users.idleSince(h, now.minus(settings.accountIdleLimit()))) {
                String why = "inactive for " + settings.accountIdleLimit().toDays() + " days";
                if (users.disable(h, u.id(), now, why)) {
                    events.append(
                            h,
                            new Event(
                                    "UserDisabled",
                                    "housekeeping",
                                    null,
                                    u.name(),
                                    Origin.LOCAL,
                                    Map.of("reason", why)));
                    disabled.add(u.name());
                }
            }
            return null;
        });
    }

    void requireGlobalAdmin(Principal by, String action, Origin origin) {
        if (!by.canEverywhere(Permission.ADMIN)) {
            throw forbidden(by, action, "only a global admin may " + action, origin);
        }
    }

    private void requireRoleAuthority(Principal by, RoleGrant grant, Origin origin) {
        boolean global = by.canEverywhere(Permission.ADMIN);
        boolean projectOwner = !grant.project().equals(RoleGrant.EVERY_PROJECT)
                && grant.role() != Role.OWNER
                && by.can(Permission.ADMIN, grant.project());
        if (!global && !projectOwner) {
            throw forbidden(
                    by,
                    "change roles",
                    "only a global admin, or the project's owner for project roles," + " may grant or revoke " + grant,
                    origin);
        }
    }

    /** Records a refused identity action (a counted event) and returns the exception to throw. */
    private Refusal forbidden(Principal by, String action, String why, Origin origin) {
        events.appendCounted(
                new Event(
                        "IdentityActionRefused",
                        by.actor(),
                        null,
                        by.userName(),
                        origin,
                        Map.of("action", action, "reason", why)),
                by.actor());
        return new Refusal.Forbidden(why);
    }

    private static String projectOf(RoleGrant grant) {
        return grant.project().equals(RoleGrant.EVERY_PROJECT) ? null : grant.project();
    }

    private static Refusal notFound(String user) {
        return new Refusal.NotFound("no user '" + user + "'");
    }
}
