package dev.portcullis.cli;

import dev.portcullis.app.Portcullis;
import dev.portcullis.identity.IssuedToken;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.TokenRequest;
import dev.portcullis.publish.ProjectName;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "token", description = "API tokens.", subcommands = {TokenCommand.Create.class})
final class TokenCommand {

  @Command(name = "create", description = "Create an API token and print it (shown once).")
  static final class Create implements Callable<Integer> {
    @Mixin DataOptions data;

    @Option(names = "--user", required = true, description = "Owner of the token.")
    String user;

    @Option(names = "--project", description = "Limit the token to one project (default: all projects).")
    String project;

    @Option(names = "--scope", defaultValue = "upload", description = "Permissions, comma-separated: read, upload, approve, admin. Default: ${DEFAULT-VALUE}.")
    String scope;

    @Option(names = "--expires", description = "Lifetime, e.g. 30d (default 30d, at most 90d).")
    String expires;

    @Option(names = "--name", description = "A label for the token.")
    String name;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      String normalized = project == null ? null : ProjectName.of(project).normalized();
      TokenRequest request =
          new TokenRequest(user, name, normalized, Permission.parseList(scope),
              expires == null ? null : Durations.parse(expires));
      try (Portcullis portcullis = Portcullis.open(data.settings(), Clock.systemUTC(), new SecureRandom())) {
        IssuedToken token = portcullis.identity().createToken(request, "cli token create");
        spec.commandLine().getErr().println("Token " + token.info().id() + " for " + user
            + (normalized == null ? " (all projects)" : " (project " + normalized + ")")
            + ", permissions " + Permission.format(token.info().permissions())
            + ", expires " + token.info().expiresAt() + ". Shown once:");
        spec.commandLine().getErr().flush();
        spec.commandLine().getOut().println(token.secret());
        spec.commandLine().getOut().flush();
        return 0;
      }
    }
  }
}
