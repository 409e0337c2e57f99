package dev.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Role;
import dev.portcullis.identity.RoleGrant;
import dev.portcullis.testing.CliRunner;
import dev.portcullis.testing.Processes;
import dev.portcullis.testing.PythonClients;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestPolicies;
import dev.portcullis.testing.TestServer;
import dev.portcullis.testing.TestUser;
import dev.portcullis.testing.Uploads;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The command line helps like a good CLI (issue 16): help on every command, the queue of what
 * waits for a person with what the gate decided by itself, mistakes of state answered before a
 * one-time code is spent, and errors a user can act on said as sentences.
 */
class CliTest {

    @TempDir
    Path dir;

    @Test
    void everyCommandAndSubcommandHasHelp() {
        List<List<String>> paths = new ArrayList<>();
        walk(Cli.command(), new ArrayList<>(), paths);
        assertThat(paths).hasSizeGreaterThan(40);
        for (List<String> path : paths) {
            for (String flag : List.of("--help", "-h")) {
                List<String> args = new ArrayList<>(path);
                args.add(flag);
                CliRunner.Output help = CliRunner.run(args.toArray(String[]::new));
                assertThat(help.code())
                        .as(String.join(" ", args) + "\n" + help.err())
                        .isZero();
                assertThat(help.out())
                        .as(String.join(" ", args))
                        .startsWith("Usage: portcullis" + (path.isEmpty() ? "" : " " + String.join(" ", path)));
            }
            if (!path.isEmpty()) {
                List<String> args = new ArrayList<>(List.of("help"));
                args.addAll(path);
                CliRunner.Output viaHelp = CliRunner.run(args.toArray(String[]::new));
                assertThat(viaHelp.code()).as(String.join(" ", args)).isZero();
                assertThat(viaHelp.out()).startsWith("Usage: portcullis " + String.join(" ", path));
            }
        }
        // The top-level listing ends each description with a full stop, not mid-sentence.
        CliRunner.Output top = CliRunner.run("--help");
        assertThat(top.out()).contains("report which controls fired");
        CliRunner.Output unknown = CliRunner.run("help", "nope");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("'nope' is not a command").contains("release");
    }

    private static void walk(CommandLine command, List<String> path, List<List<String>> out) {
        out.add(List.copyOf(path));
        command.getSubcommands().forEach((name, sub) -> {
            if (!name.equals("help")) {
                List<String> next = new ArrayList<>(path);
                next.add(name);
                walk(sub, next, out);
            }
        });
    }

    @Test
    void releaseListShowsWhatWaitsAndWhatTheGateDecidedByItself() throws Exception {
        try (TestServer server = TestServer.start("sqlite", dir.resolve("data"))) {
            String ci = server.token("ci", Role.MAINTAINER, "waiting", Permission.UPLOAD);
            upload(server, ci, "waiting", "1.0");
            String loose = server.token("loose-ci", Role.OWNER, "loose", Permission.UPLOAD);
            Path file = java.nio.file.Files.writeString(dir.resolve("loose.yaml"), TestPolicies.RELEASE_EVERYTHING);
            CliRunner.Output policy = CliRunner.run(
                    "policy",
                    "import",
                    "loose",
                    file.toString(),
                    "--otp",
                    server.admin().otp(),
                    "--server",
                    server.url(),
                    "--token",
                    server.adminToken());
            assertThat(policy.code()).as(policy.err()).isZero();
            upload(server, loose, "loose", "1.0");
            server.app().gate().tick();

            // Without a scheme, the server address means http.
            String bare = server.url().substring("http://".length());
            CliRunner.Output first = CliRunner.run("release", "list", "--server", bare, "--token", server.adminToken());
            assertThat(first.code()).as(first.err()).isZero();
            assertThat(first.out()).contains("waiting").contains("held").doesNotContain("loose  ");
            assertThat(first.out()).contains("1 released automatically: see  portcullis release list --state released");
            CliRunner.Output second =
                    CliRunner.run("release", "list", "--server", server.url(), "--token", server.adminToken());
            assertThat(second.out()).as("nothing new since the last look").doesNotContain("automatically");

            CliRunner.Output badState = CliRunner.run(
                    "release", "list", "--state", "pending", "--server", server.url(), "--token", server.adminToken());
            assertThat(badState.code()).isEqualTo(2);
            assertThat(badState.err()).contains("use one of held, released, rejected, quarantined, expired");
            CliRunner.Output badServer =
                    CliRunner.run("release", "list", "--server", "ftp://x", "--token", server.adminToken());
            assertThat(badServer.err()).contains("--server must be the server's URL, like http://127.0.0.1:8080");
        }
    }

    @Test
    void approvingAQuarantinedReleasePointsToUnquarantineAndSpendsNoCode() throws Exception {
        try (TestServer server = TestServer.start("sqlite", dir.resolve("data"))) {
            TestUser ann =
                    server.user("ann", new RoleGrant("demo", Role.APPROVER), Permission.APPROVE, Permission.READ);
            TestUser bob =
                    server.user("bob", new RoleGrant("demo", Role.APPROVER), Permission.APPROVE, Permission.READ);
            upload(server, server.token("ci", Role.MAINTAINER, "demo", Permission.UPLOAD), "demo", "1.0");
            assertThat(server.decide(ann, "demo", "1.0", "quarantine").status()).isEqualTo(200);

            String code = bob.otp();
            CliRunner.Output approve = CliRunner.run(
                    "release",
                    "approve",
                    "demo",
                    "1.0",
                    "--otp",
                    code,
                    "--server",
                    server.url(),
                    "--token",
                    bob.token());
            assertThat(approve.code()).isNotZero();
            assertThat(approve.err())
                    .contains("it is quarantined; to bring it back, two people run `portcullis release unquarantine`");
            // The same code still works: the mistake was answered before it was checked.
            RawHttp.Response unquarantine = server.decideWith(bob.token(), "demo", "1.0", "unquarantine", code);
            assertThat(unquarantine.status()).as(unquarantine.body()).isEqualTo(202);
        }
    }

    @Test
    void twineVerboseTellsTheUploaderTheReleaseIsHeldAndWhereToLook() {
        try (TestServer server = TestServer.start("sqlite", dir.resolve("data"))) {
            String ci = server.token("ci", Role.MAINTAINER, "cli-demo", Permission.UPLOAD);
            Path dist = PythonClients.buildSample("cli-demo", "1.0.0");
            Processes.Result upload =
                    PythonClients.twineUpload(server.url(), ci, List.of("--verbose"), PythonClients.wheel(dist));
            assertThat(upload.exitCode()).as(upload.output()).isZero();
            // (twine's log wraps lines at the terminal's width)
            assertThat(upload.output().replaceAll("\\s+", " "))
                    .contains("is staged in held release 1.0.0 of cli-demo")
                    .contains("portcullis release show cli-demo 1.0.0");
        }
    }

    @Test
    void errorsAUserCanActOnAreSentences() {
        CliRunner.Output noData = CliRunner.run(
                "admin", "housekeeping", "--data", dir.resolve("nowhere").toString());
        assertThat(noData.code()).isEqualTo(2);
        assertThat(noData.err())
                .startsWith("error: there is no Portcullis data directory at")
                .contains("admin init");
        CliRunner.Output noPolicy = CliRunner.run(
                "policy", "import", "demo", dir.resolve("missing.yaml").toString(), "--token", "x");
        assertThat(noPolicy.err()).contains("there is no policy file");
    }

    private static void upload(TestServer server, String token, String project, String version) {
        RawHttp.Response r = RawHttp.upload(
                server.url(),
                token,
                Uploads.wheelForm(
                                project, version, Uploads.wheelName(project, version), Uploads.wheel(project, version))
                        .build());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }
}
