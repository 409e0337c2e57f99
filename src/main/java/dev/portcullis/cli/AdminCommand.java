package dev.portcullis.cli;

import dev.portcullis.app.Portcullis;
import dev.portcullis.core.Origin;
import dev.portcullis.identity.EnrolmentTicket;
import dev.portcullis.identity.HousekeepingReport;
import dev.portcullis.identity.IssuedToken;
import dev.portcullis.identity.NewUser;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.RevocationCriteria;
import dev.portcullis.identity.Role;
import dev.portcullis.identity.RoleGrant;
import dev.portcullis.identity.TokenInfo;
import dev.portcullis.identity.TokenRequest;
import dev.portcullis.identity.User;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The local operator's commands. They open the data directory directly, so they need the machine
 * (and its database credentials): bootstrap, break-glass recovery and scheduled housekeeping. Every
 * action is recorded with the actor {@code local operator}.
 */
@Command(
        name = "admin",
        description = "Local administration of a data directory (needs access to the machine).",
        subcommands = {
            AdminCommand.Init.class,
            AdminCommand.AddUser.class,
            AdminCommand.EnableUser.class,
            AdminCommand.ResetMfa.class,
            AdminCommand.CreateToken.class,
            AdminCommand.RevokeTokens.class,
            AdminCommand.Housekeeping.class
        })
final class AdminCommand {

    static final String ACTOR = "local operator";

    /** The shared part of every local command: the data options and a way to open them. */
    abstract static class Local implements Callable<Integer> {
        @Mixin
        DataOptions data;

        @Spec
        CommandSpec spec;

        Portcullis open() {
            return Portcullis.open(
                    this instanceof Init ? data.settings() : data.existingSettings(),
                    Clock.systemUTC(),
                    new SecureRandom());
        }

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        PrintWriter err() {
            return spec.commandLine().getErr();
        }
    }

    @Command(name = "init", description = "Create the first admin user and print one API token for it.")
    static final class Init extends Local {
        @Option(
                names = "--user",
                description = "Name of the admin user. Default: ${DEFAULT-VALUE}.",
                defaultValue = "admin")
        String user;

        @Option(names = "--expires", description = "Token lifetime, e.g. 30d (default: the server's default).")
        String expires;

        @Override
        public Integer call() {
            try (Portcullis portcullis = open()) {
                if (portcullis.identity().hasUsers()) {
                    err().println(
                                    "error: already initialized (users exist); use `admin add-user` and `admin create-token`.");
                    return 1;
                }
                NewUser added =
                        portcullis.identity().addUser(user, new RoleGrant(RoleGrant.EVERY_PROJECT, Role.ADMIN), ACTOR);
                IssuedToken token = portcullis
                        .identity()
                        .createToken(
                                new TokenRequest(
                                        user,
                                        "admin-init",
                                        null,
                                        EnumSet.of(Permission.ADMIN),
                                        expires == null ? null : Durations.parse(expires)),
                                ACTOR);
                err().println("Created admin user '" + user + "'. Its API token (shown once; expires "
                        + token.info().expiresAt() + ") is");
                err().println(
                                "printed below. Approvals and token creation also need a second factor: with the server running,");
                err().println("enrol it with this single-use ticket (expires "
                        + added.ticket().expires() + "):");
                err().println("  portcullis mfa enroll --ticket "
                        + added.ticket().secret());
                err().flush();
                out().println(token.secret());
                out().flush();
                return 0;
            }
        }
    }

    @Command(name = "add-user", description = "Add a user with a role, globally or on one project.")
    static final class AddUser extends Local {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--role", required = true, description = "admin, owner, maintainer, approver or auditor.")
        String role;

        @Option(names = "--project", description = "Grant the role on this project only.")
        String project;

        @Override
        public Integer call() {
            try (Portcullis portcullis = open()) {
                RoleGrant grant = new RoleGrant(
                        project == null ? RoleGrant.EVERY_PROJECT : portcullis.projectKey(project), Role.parse(role));
                NewUser added = portcullis.identity().addUser(name, grant, ACTOR);
                err().println("Added user '" + added.user().name() + "': "
                        + added.user().grants() + ". Its second-factor enrolment ticket");
                err().println("(shown once; single use; expires "
                        + added.ticket().expires() + ") is printed below: hand it to "
                        + added.user().name() + ", who runs  portcullis mfa enroll --ticket TICKET");
                err().flush();
                out().println(added.ticket().secret());
                return 0;
            }
        }
    }

    @Command(name = "enable-user", description = "Re-enable a disabled account (e.g. disabled for inactivity).")
    static final class EnableUser extends Local {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            try (Portcullis portcullis = open()) {
                User user = portcullis.identity().enableUser(name, ACTOR, Origin.LOCAL);
                out().println("Enabled user '" + user.name() + "'.");
                return 0;
            }
        }
    }

    @Command(
            name = "reset-mfa",
            description = "Remove a user's second factor (lost or suspect) and print a new enrolment ticket.")
    static final class ResetMfa extends Local {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            try (Portcullis portcullis = open()) {
                EnrolmentTicket ticket = portcullis.identity().resetSecondFactor(name, ACTOR, Origin.LOCAL);
                err().println("Removed the second factor and recovery codes of '" + name
                        + "'. Its new enrolment ticket (shown once;");
                err().println("single use; expires " + ticket.expires()
                        + ") is printed below: portcullis mfa enroll --ticket TICKET");
                err().flush();
                out().println(ticket.secret());
                return 0;
            }
        }
    }

    @Command(
            name = "create-token",
            description = "Create an API token for a user, without the API (bootstrap, break-glass).")
    static final class CreateToken extends Local {
        @Option(names = "--user", required = true, description = "Owner of the token.")
        String user;

        @Option(
                names = "--project",
                description = "Limit the token to one project (default: all of the owner's projects).")
        String project;

        @Option(
                names = "--scope",
                defaultValue = "upload",
                description = "Permissions: read, upload, approve, admin. Default: ${DEFAULT-VALUE}.")
        String scope;

        @Option(names = "--expires", description = "Lifetime, e.g. 30d (default 30d, at most 90d).")
        String expires;

        @Option(names = "--name", description = "A label for the token.")
        String name;

        @Override
        public Integer call() {
            try (Portcullis portcullis = open()) {
                TokenRequest request = new TokenRequest(
                        user,
                        name,
                        project == null ? null : portcullis.projectKey(project),
                        Permission.parseList(scope),
                        expires == null ? null : Durations.parse(expires));
                IssuedToken token = portcullis.identity().createToken(request, ACTOR);
                TokenCommand.describe(err(), token.info());
                out().println(token.secret());
                out().flush();
                return 0;
            }
        }
    }

    @Command(name = "revoke-tokens", description = "Revoke tokens in bulk, locally (incident response).")
    static final class RevokeTokens extends Local {
        @Option(names = "--older-than", description = "Created more than this long ago, e.g. 90d.")
        String olderThan;

        @Option(names = "--unused-for", description = "Not used for this long, e.g. 30d.")
        String unusedFor;

        @Option(names = "--project", description = "Scoped to this project.")
        String project;

        @Option(names = "--reason", defaultValue = "bulk revocation by the operator")
        String reason;

        @Override
        public Integer call() {
            try (Portcullis portcullis = open()) {
                RevocationCriteria criteria = new RevocationCriteria(
                        olderThan == null ? null : Durations.parse(olderThan),
                        unusedFor == null ? null : Durations.parse(unusedFor),
                        project == null ? null : portcullis.projectKey(project));
                List<TokenInfo> revoked = portcullis.identity().revokeTokens(criteria, reason, ACTOR, Origin.LOCAL);
                out().println("Revoked " + revoked.size() + " token(s)"
                        + (revoked.isEmpty()
                                ? "."
                                : ": "
                                        + String.join(
                                                ", ",
                                                revoked.stream()
                                                        .map(TokenInfo::id)
                                                        .toList())));
                return 0;
            }
        }
    }

    @Command(name = "housekeeping", description = "Apply the credential policy now (the server also does it hourly).")
    static final class Housekeeping extends Local {
        @Override
        public Integer call() {
            try (Portcullis portcullis = open()) {
                HousekeepingReport report = portcullis.identity().housekeeping();
                out().println("Disabled unused tokens: " + report.disabledTokens());
                out().println("Expiry warnings:        " + report.expiringTokens());
                out().println("Disabled idle accounts: " + report.disabledUsers());
                return 0;
            }
        }
    }
}
