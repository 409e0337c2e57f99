package dev.portcullis.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Users and roles over the API; every change needs a fresh second factor. */
@Command(
        name = "user",
        description = "Users and roles (over the server's API).",
        subcommands = {
            UserCommand.ListUsers.class,
            UserCommand.Add.class,
            UserCommand.Grant.class,
            UserCommand.Revoke.class,
            UserCommand.Enable.class,
            UserCommand.ResetMfa.class
        })
final class UserCommand {

    abstract static class Change implements Callable<Integer> {
        @Mixin
        ServerOptions server;

        @Option(names = "--otp", description = "A fresh code from your authenticator.")
        String otp;

        @Spec
        CommandSpec spec;

        Map<String, Object> body(String role, String project) {
            return ApiClient.body("otp", otp, "role", role, "project", project);
        }

        Integer print(Map<String, Object> user) {
            spec.commandLine()
                    .getOut()
                    .println(user.get("name") + ": roles " + user.get("roles") + ", mfa " + user.get("mfa")
                            + (user.get("disabled_at") == null
                                    ? ""
                                    : ", disabled (" + user.get("disabled_reason") + ")"));
            return 0;
        }

        /** Prints an enrolment ticket: the secret on stdout (to capture), how to use it on stderr. */
        Integer printTicket(String user, Object ticket) {
            Map<?, ?> t = (Map<?, ?>) ticket;
            PrintWriter err = spec.commandLine().getErr();
            err.println("Enrolment ticket for " + user + " (shown once; single use; expires " + t.get("expires_at")
                    + ") is printed below.");
            err.println("Give it to " + user
                    + " over a trusted channel: portcullis mfa enroll --ticket TICKET, then mfa confirm.");
            err.flush();
            spec.commandLine().getOut().println(t.get("ticket"));
            return 0;
        }
    }

    @Command(name = "list", description = "List users, their roles and MFA state.")
    static final class ListUsers implements Callable<Integer> {
        @Mixin
        ServerOptions server;

        @Spec
        CommandSpec spec;

        @Override
        @SuppressWarnings("unchecked")
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            for (Map<String, Object> u : (List<Map<String, Object>>)
                    server.client().get("/api/v1/users").get("users")) {
                out.printf(
                        java.util.Locale.ROOT,
                        "%-20s roles %s, mfa %s, last active %s%s%n",
                        u.get("name"),
                        u.get("roles"),
                        u.get("mfa"),
                        u.get("last_active_at") == null ? "never" : u.get("last_active_at"),
                        u.get("disabled_at") == null ? "" : ", DISABLED (" + u.get("disabled_reason") + ")");
            }
            return 0;
        }
    }

    @Command(name = "add", description = "Add a user with a role (global admins).")
    static final class Add extends Change {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--role", required = true)
        String role;

        @Option(names = "--project")
        String project;

        @Override
        public Integer call() {
            Map<String, Object> body = body(role, project);
            body.put("name", name);
            Map<String, Object> user = server.client().post("/api/v1/users", body);
            print(user);
            return printTicket(name, user.get("enrolment_ticket"));
        }
    }

    @Command(name = "grant", description = "Grant a role, globally or on --project.")
    static final class Grant extends Change {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--role", required = true)
        String role;

        @Option(names = "--project")
        String project;

        @Override
        public Integer call() {
            return print(
                    server.client().post("/api/v1/users/" + ApiClient.segment(name) + "/roles", body(role, project)));
        }
    }

    @Command(name = "revoke-role", description = "Take a role away.")
    static final class Revoke extends Change {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--role", required = true)
        String role;

        @Option(names = "--project")
        String project;

        @Override
        public Integer call() {
            return print(server.client()
                    .post("/api/v1/users/" + ApiClient.segment(name) + "/roles/revoke", body(role, project)));
        }
    }

    @Command(name = "enable", description = "Re-enable a disabled account (global admins).")
    static final class Enable extends Change {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            return print(
                    server.client().post("/api/v1/users/" + ApiClient.segment(name) + "/enable", body(null, null)));
        }
    }

    @Command(
            name = "reset-mfa",
            description = "Remove another user's second factor and issue a new enrolment ticket (global admins).")
    static final class ResetMfa extends Change {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            Map<String, Object> result =
                    server.client().post("/api/v1/users/" + ApiClient.segment(name) + "/reset-mfa", body(null, null));
            return printTicket(name, result.get("enrolment_ticket"));
        }
    }
}
