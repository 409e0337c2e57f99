package dev.portcullis.cli;

import dev.portcullis.app.Portcullis;
import dev.portcullis.identity.IssuedToken;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Role;
import dev.portcullis.identity.TokenRequest;
import dev.portcullis.identity.User;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.EnumSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "admin",
    description = "Local administration of a data directory.",
    subcommands = {AdminCommand.Init.class, AdminCommand.AddUser.class})
final class AdminCommand {

  @Command(name = "init", description = "Create the first admin user and print one API token for it.")
  static final class Init implements Callable<Integer> {
    @Mixin DataOptions data;

    @Option(names = "--user", description = "Name of the admin user. Default: ${DEFAULT-VALUE}.", defaultValue = "admin")
    String user;

    @Option(names = "--expires", description = "Token lifetime, e.g. 30d (default: the server's default).")
    String expires;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      try (Portcullis portcullis = Portcullis.open(data.settings(), Clock.systemUTC(), new SecureRandom())) {
        if (portcullis.identity().hasUsers()) {
          spec.commandLine().getErr().println("error: already initialized (users exist); use `admin add-user` and `token create`.");
          return 1;
        }
        portcullis.identity().addUser(user, Role.ADMIN, "cli admin init");
        IssuedToken token =
            portcullis
                .identity()
                .createToken(
                    new TokenRequest(user, "admin-init", null, EnumSet.of(Permission.ADMIN),
                        expires == null ? null : Durations.parse(expires)),
                    "cli admin init");
        PrintWriter err = spec.commandLine().getErr();
        err.println("Created admin user '" + user + "'. Its API token (shown once; expires " + token.info().expiresAt() + "):");
        err.flush();
        spec.commandLine().getOut().println(token.secret());
        spec.commandLine().getOut().flush();
        return 0;
      }
    }
  }

  @Command(name = "add-user", description = "Add a user with a role.")
  static final class AddUser implements Callable<Integer> {
    @Mixin DataOptions data;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--role", required = true, description = "admin, owner, maintainer, approver or auditor.")
    String role;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      Role parsed = Role.parse(role);
      try (Portcullis portcullis = Portcullis.open(data.settings(), Clock.systemUTC(), new SecureRandom())) {
        User user = portcullis.identity().addUser(name, parsed, "cli admin add-user");
        spec.commandLine().getOut().println("Added user '" + user.name() + "' with role " + user.role().wireName() + ".");
        return 0;
      }
    }
  }
}
