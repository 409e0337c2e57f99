package dev.portcullis.cli;

import dev.portcullis.identity.Permission;
import dev.portcullis.identity.TokenInfo;
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

/** Tokens over the API. Creating and rotating need a fresh second factor ({@code --otp}). */
@Command(
        name = "token",
        description = "API tokens (over the server's API).",
        subcommands = {
            TokenCommand.Create.class,
            TokenCommand.ListTokens.class,
            TokenCommand.Rotate.class,
            TokenCommand.Revoke.class
        })
final class TokenCommand {

    abstract static class Remote implements Callable<Integer> {
        @Mixin
        ServerOptions server;

        @Spec
        CommandSpec spec;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }
    }

    @Command(name = "create", description = "Create a token for yourself (admins: for --user) and print it once.")
    static final class Create extends Remote {
        @Option(names = "--user", description = "Owner (default: you; another user needs a global admin).")
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

        @Option(names = "--otp", description = "A fresh code from your authenticator.")
        String otp;

        @Override
        public Integer call() {
            Map<String, Object> token = server.client()
                    .post(
                            "/api/v1/tokens",
                            ApiClient.body(
                                    "user",
                                    user,
                                    "project",
                                    project,
                                    "permissions",
                                    scope,
                                    "expires",
                                    expires,
                                    "name",
                                    name,
                                    "otp",
                                    otp));
            spec.commandLine()
                    .getErr()
                    .println("Token " + token.get("id") + " for " + token.get("owner") + ", permissions "
                            + token.get("permissions") + ", expires " + token.get("expires_at") + ". Shown once:");
            spec.commandLine().getErr().flush();
            out().println(token.get("token"));
            return 0;
        }
    }

    @Command(name = "list", description = "List your tokens (admins: all tokens).")
    static final class ListTokens extends Remote {
        @Override
        @SuppressWarnings("unchecked")
        public Integer call() {
            for (Map<String, Object> t : (List<Map<String, Object>>)
                    server.client().get("/api/v1/tokens").get("tokens")) {
                out().printf(
                                java.util.Locale.ROOT,
                                "%-12s %-10s %-8s %-20s %-18s expires %s, last used %s%n",
                                t.get("id"),
                                t.get("owner"),
                                t.get("status"),
                                t.get("project") == null ? "(all projects)" : t.get("project"),
                                t.get("permissions"),
                                t.get("expires_at"),
                                t.get("last_used_at") == null ? "never" : t.get("last_used_at"));
            }
            return 0;
        }
    }

    @Command(
            name = "rotate",
            description = "Issue a successor with the same scope; the old token stops after the overlap.")
    static final class Rotate extends Remote {
        @Parameters(index = "0", paramLabel = "TOKEN_ID")
        String id;

        @Option(names = "--overlap", description = "How long the old token keeps working (default 24h).")
        String overlap;

        @Option(names = "--otp", description = "A fresh code from your authenticator.")
        String otp;

        @Override
        public Integer call() {
            Map<String, Object> token = server.client()
                    .post(
                            "/api/v1/tokens/" + ApiClient.segment(id) + "/rotate",
                            ApiClient.body("overlap", overlap, "otp", otp));
            spec.commandLine()
                    .getErr()
                    .println("Token " + token.get("id") + " replaces " + id + " (which keeps working for the overlap)."
                            + " Shown once:");
            spec.commandLine().getErr().flush();
            out().println(token.get("token"));
            return 0;
        }
    }

    @Command(
            name = "revoke",
            description = "Revoke one token by id, or in bulk by --older-than / --unused-for / --project.")
    static final class Revoke extends Remote {
        @Parameters(index = "0", paramLabel = "TOKEN_ID", arity = "0..1")
        String id;

        @Option(names = "--older-than", description = "Bulk: created more than this long ago, e.g. 90d.")
        String olderThan;

        @Option(names = "--unused-for", description = "Bulk: not used for this long, e.g. 30d.")
        String unusedFor;

        @Option(names = "--project", description = "Bulk: tokens scoped to this project.")
        String project;

        @Option(names = "--reason", description = "Why (recorded).")
        String reason;

        @Option(names = "--otp", description = "Bulk only: a fresh code from your authenticator.")
        String otp;

        @Override
        @SuppressWarnings("unchecked")
        public Integer call() {
            if (id != null) {
                Map<String, Object> token = server.client()
                        .post("/api/v1/tokens/" + ApiClient.segment(id) + "/revoke", ApiClient.body("reason", reason));
                out().println("Revoked token " + token.get("id") + ".");
                return 0;
            }
            List<Map<String, Object>> revoked = (List<Map<String, Object>>) server.client()
                    .post(
                            "/api/v1/tokens/revoke",
                            ApiClient.body(
                                    "reason",
                                    reason,
                                    "older_than",
                                    olderThan,
                                    "unused_for",
                                    unusedFor,
                                    "project",
                                    project,
                                    "otp",
                                    otp))
                    .get("revoked");
            out().println("Revoked " + revoked.size() + " token(s)"
                    + (revoked.isEmpty()
                            ? "."
                            : ": "
                                    + String.join(
                                            ", ",
                                            revoked.stream()
                                                    .map(t -> String.valueOf(t.get("id")))
                                                    .toList())));
            return 0;
        }
    }

    static void describe(PrintWriter err, TokenInfo info) {
        err.println("Token " + info.id() + " for " + info.owner()
                + (info.project() == null ? " (all projects)" : " (project " + info.project() + ")")
                + ", permissions " + Permission.format(info.permissions()) + ", expires " + info.expiresAt()
                + ". Shown once:");
        err.flush();
    }
}
