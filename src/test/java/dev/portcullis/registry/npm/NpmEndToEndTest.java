package dev.portcullis.registry.npm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Role;
import dev.portcullis.testing.NpmClient;
import dev.portcullis.testing.Processes;
import dev.portcullis.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The real npm CLI publishes into held releases and installs only what the gate released. */
class NpmEndToEndTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void npmPublishIsHeldAndInstallsOnlyOnceApproved(String database) throws Exception {
        try (TestServer server = TestServer.start(database, dir.resolve("data"))) {
            String ci = server.token("ci", Role.MAINTAINER, "npm:left-pad-demo", Permission.UPLOAD);
            NpmClient publisher = new NpmClient(dir.resolve("ci"), server.url(), ci);
            NpmClient installer = new NpmClient(dir.resolve("dev"), server.url(), null);
            Path pkg = NpmClient.packageDir(dir, "left-pad-demo", "1.0.0", "'one'", null);

            Processes.Result published = publisher.run(pkg, "publish");
            assertThat(published.exitCode()).as(published.output()).isZero();
            assertThat(published.output()).contains("is held for approval by the publish gate");

            Path app = Files.createDirectories(dir.resolve("app"));
            Processes.Result early = installer.run(app, "install", "left-pad-demo");
            assertThat(early.exitCode()).as(early.output()).isNotZero();
            assertThat(early.output()).contains("404");

            assertThat(server.approve("npm:left-pad-demo", "1.0.0").status()).isEqualTo(200);
            Processes.Result installed = installer.run(app, "install", "left-pad-demo");
            assertThat(installed.exitCode()).as(installed.output()).isZero();
            assertThat(Files.readString(app.resolve("node_modules/left-pad-demo/index.js")))
                    .contains("'one'");
            assertThat(Files.readString(app.resolve("package-lock.json"))).contains("\"integrity\": \"sha512-");

            // The same version with other bytes: npm's own refusal.
            Path changed = NpmClient.packageDir(dir.resolve("again"), "left-pad-demo", "1.0.0", "'changed'", null);
            Processes.Result again = publisher.run(changed, "publish");
            assertThat(again.exitCode()).isNotZero();
            assertThat(again.output()).contains("You cannot publish over the previously published versions: 1.0.0.");

            Processes.Result whoami = publisher.run(app, "whoami");
            assertThat(whoami.output().strip()).endsWith("ci");
            assertThat(installer.run(app, "ping").exitCode()).isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void aScopedPackageIsNamedAndServedAsNpmDoes(String database) throws Exception {
        try (TestServer server = TestServer.start(database, dir.resolve("data"))) {
            String ci = server.token("ci", Role.MAINTAINER, "npm:@acme/widget", Permission.UPLOAD);
            NpmClient publisher = new NpmClient(dir.resolve("ci"), server.url(), ci);
            Path pkg = NpmClient.packageDir(dir, "@acme/widget", "2.0.0-rc.1", "'widget'", "\"dependencies\": {}");
            Processes.Result published = publisher.run(pkg, "publish", "--tag", "next", "--access", "public");
            assertThat(published.exitCode()).as(published.output()).isZero();
            assertThat(server.approve("npm:@acme%2Fwidget", "2.0.0-rc.1").status())
                    .isEqualTo(200);

            NpmClient installer = new NpmClient(dir.resolve("dev"), server.url(), null);
            Path app = Files.createDirectories(dir.resolve("app"));
            Processes.Result installed = installer.run(app, "install", "@acme/widget@next");
            assertThat(installed.exitCode()).as(installed.output()).isZero();
            assertThat(Files.readString(app.resolve("node_modules/@acme/widget/index.js")))
                    .contains("'widget'");
            Processes.Result view = installer.run(app, "view", "@acme/widget", "dist-tags", "--json");
            assertThat(view.output()).contains("\"next\": \"2.0.0-rc.1\"").contains("\"latest\": \"2.0.0-rc.1\"");

            // CI's second job: the tarball it packed is exactly what was approved (npm pack names it acme-widget-…).
            Path dist = Files.createDirectories(dir.resolve("dist"));
            Processes.Result packed = publisher.run(pkg, "pack", "--pack-destination", dist.toString());
            assertThat(packed.exitCode()).as(packed.output()).isZero();
            assertThat(dist.resolve("acme-widget-2.0.0-rc.1.tgz")).exists();
            dev.portcullis.testing.CliRunner.Output waited = dev.portcullis.testing.CliRunner.run(
                    "release",
                    "wait",
                    "npm:@acme/widget",
                    "2.0.0-rc.1",
                    "--files",
                    dist.toString(),
                    "--timeout",
                    "1m",
                    "--server",
                    server.url(),
                    "--token",
                    server.adminToken());
            assertThat(waited.code()).as(waited.out() + waited.err()).isZero();
            assertThat(waited.out()).contains("1 file(s) match the approved SHA-256 digests");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void npmStageIsTheGatesHoldAndItsApprovalNeedsTheSecondFactor(String database) throws Exception {
        try (TestServer server = TestServer.start(database, dir.resolve("data"))) {
            String ci = server.token("ci", Role.MAINTAINER, "npm:staged-demo", Permission.UPLOAD);
            NpmClient publisher = new NpmClient(dir.resolve("ci"), server.url(), ci);
            NpmClient approver = new NpmClient(dir.resolve("admin"), server.url(), server.adminToken());
            NpmClient installer = new NpmClient(dir.resolve("dev"), server.url(), null);
            Path app = java.nio.file.Files.createDirectories(dir.resolve("app"));

            Processes.Result staged = publisher.run(
                    NpmClient.packageDir(dir, "staged-demo", "1.1.0", "'staged'", null), "stage", "publish");
            assertThat(staged.exitCode()).as(staged.output()).isZero();
            java.util.regex.Matcher id = java.util.regex.Pattern.compile("staged with id ([0-9a-f-]{36})")
                    .matcher(staged.output());
            assertThat(id.find()).as(staged.output()).isTrue();
            String stageId = id.group(1);

            Processes.Result list = approver.run(app, "stage", "list");
            assertThat(list.output()).contains(stageId).contains("staged-demo").contains("1.1.0");
            assertThat(approver.run(app, "stage", "view", stageId).output())
                    .contains("staged by")
                    .contains("ci");
            assertThat(installer.run(app, "install", "staged-demo").exitCode()).isNotZero();

            Processes.Result noCode = approver.run(app, "stage", "approve", stageId);
            assertThat(noCode.exitCode()).isNotZero();
            assertThat(noCode.output()).contains("EOTP").contains("requires a one-time password");
            Processes.Result wrongCode = approver.run(app, "stage", "approve", stageId, "--otp", "000000");
            assertThat(wrongCode.exitCode()).isNotZero();
            assertThat(installer.run(app, "install", "staged-demo").exitCode()).isNotZero();

            Processes.Result approved = approver.run(
                    app, "stage", "approve", stageId, "--otp", server.admin().otp());
            assertThat(approved.exitCode()).as(approved.output()).isZero();
            assertThat(approved.output()).contains("approved and published successfully");
            Processes.Result installed = installer.run(app, "install", "staged-demo");
            assertThat(installed.exitCode()).as(installed.output()).isZero();

            // The uploader's own token may not approve, and a rejected stage never installs.
            Processes.Result second =
                    publisher.run(NpmClient.packageDir(dir, "staged-demo", "1.2.0", "'bad'", null), "stage", "publish");
            java.util.regex.Matcher secondId = java.util.regex.Pattern.compile("staged with id ([0-9a-f-]{36})")
                    .matcher(second.output());
            assertThat(secondId.find()).as(second.output()).isTrue();
            assertThat(publisher
                            .run(app, "stage", "approve", secondId.group(1), "--otp", "123456")
                            .exitCode())
                    .isNotZero();
            Processes.Result rejected = approver.run(
                    app,
                    "stage",
                    "reject",
                    secondId.group(1),
                    "--otp",
                    server.admin().otp());
            assertThat(rejected.exitCode()).as(rejected.output()).isZero();
            assertThat(server.app()
                            .catalog()
                            .findRelease("npm:staged-demo", "1.2.0")
                            .orElseThrow()
                            .state()
                            .wireName())
                    .isEqualTo("rejected");
            assertThat(installer
                            .run(app, "view", "staged-demo", "versions", "--json")
                            .output())
                    .contains("1.1.0")
                    .doesNotContain("1.2.0");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void movingLatestIsADecisionLikeARelease(String database) throws Exception {
        try (TestServer server = TestServer.start(database, dir.resolve("data"))) {
            String ci = server.token("ci", Role.MAINTAINER, "npm:tagged", Permission.UPLOAD);
            NpmClient publisher = new NpmClient(dir.resolve("ci"), server.url(), ci);
            NpmClient approver = new NpmClient(dir.resolve("admin"), server.url(), server.adminToken());
            NpmClient reader = new NpmClient(dir.resolve("dev"), server.url(), null);
            Path app = Files.createDirectories(dir.resolve("app"));
            assertThat(publisher
                            .run(NpmClient.packageDir(dir, "tagged", "1.0.0", "1", null), "publish")
                            .exitCode())
                    .isZero();
            assertThat(publisher
                            .run(NpmClient.packageDir(dir, "tagged", "2.0.0", "2", null), "publish", "--tag", "next")
                            .exitCode())
                    .isZero();
            assertThat(server.approve("npm:tagged", "1.0.0").status()).isEqualTo(200);
            assertThat(server.approve("npm:tagged", "2.0.0").status()).isEqualTo(200);
            assertThat(reader.run(app, "view", "tagged", "dist-tags.latest")
                            .output()
                            .strip())
                    .isEqualTo("1.0.0");

            // A stolen CI token moves latest: only a request, nothing changes for installers.
            Processes.Result stolen = publisher.run(app, "dist-tag", "add", "tagged@2.0.0", "latest");
            assertThat(stolen.exitCode()).isNotZero();
            assertThat(stolen.output()).contains("recorded and waits for approval (0 of 1 so far)");
            assertThat(reader.run(app, "view", "tagged", "dist-tags.latest")
                            .output()
                            .strip())
                    .isEqualTo("1.0.0");
            assertThat(server.events("DistTagRequested")).isEqualTo(1);

            // An approver without the code is asked for it; with it, the move applies.
            assertThat(approver.run(app, "dist-tag", "add", "tagged@2.0.0", "latest")
                            .output())
                    .contains("EOTP");
            Processes.Result approved = approver.run(
                    app,
                    "dist-tag",
                    "add",
                    "tagged@2.0.0",
                    "latest",
                    "--otp",
                    server.admin().otp());
            assertThat(approved.exitCode()).as(approved.output()).isZero();
            assertThat(reader.run(app, "view", "tagged", "dist-tags.latest")
                            .output()
                            .strip())
                    .isEqualTo("2.0.0");
            assertThat(server.events("DistTagMoved")).isEqualTo(1);

            // Never a version the gate did not release; removing a tag is a decision too.
            Processes.Result unreleased = approver.run(
                    app,
                    "dist-tag",
                    "add",
                    "tagged@3.0.0",
                    "beta",
                    "--otp",
                    server.admin().otp());
            assertThat(unreleased.exitCode()).isNotZero();
            Processes.Result removed = approver.run(
                    app,
                    "dist-tag",
                    "rm",
                    "tagged",
                    "next",
                    "--otp",
                    server.admin().otp());
            assertThat(removed.exitCode()).as(removed.output()).isZero();
            assertThat(reader.run(app, "dist-tag", "ls", "tagged").output())
                    .contains("latest: 2.0.0")
                    .doesNotContain("next");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void deprecateYanksAndUnpublishQuarantinesThroughTheGate(String database) throws Exception {
        try (TestServer server = TestServer.start(database, dir.resolve("data"))) {
            String ci = server.token("ci", Role.MAINTAINER, "npm:retired", Permission.UPLOAD);
            NpmClient publisher = new NpmClient(dir.resolve("ci"), server.url(), ci);
            NpmClient approver = new NpmClient(dir.resolve("admin"), server.url(), server.adminToken());
            NpmClient reader = new NpmClient(dir.resolve("dev"), server.url(), null);
            Path app = Files.createDirectories(dir.resolve("app"));
            for (String version : new String[] {"1.0.0", "1.1.0", "1.2.0"}) {
                assertThat(publisher
                                .run(NpmClient.packageDir(dir, "retired", version, "1", null), "publish")
                                .exitCode())
                        .isZero();
                assertThat(server.approve("npm:retired", version).status()).isEqualTo(200);
            }

            // An upload token cannot deprecate or unpublish; an approver with the second factor can.
            assertThat(publisher
                            .run(app, "deprecate", "retired@1.0.0", "old", "--otp", "123456")
                            .exitCode())
                    .isNotZero();
            Processes.Result deprecated = approver.run(
                    app,
                    "deprecate",
                    "retired@1.0.0",
                    "use 1.2",
                    "--otp",
                    server.admin().otp());
            assertThat(deprecated.exitCode()).as(deprecated.output()).isZero();
            assertThat(reader.run(app, "view", "retired@1.0.0", "deprecated")
                            .output()
                            .strip())
                    .isEqualTo("use 1.2");
            assertThat(server.events("ReleaseYanked")).isEqualTo(1);

            assertThat(publisher
                            .run(app, "unpublish", "retired@1.1.0", "--force", "--otp", "123456")
                            .exitCode())
                    .isNotZero();
            Processes.Result unpublished = approver.run(
                    app,
                    "unpublish",
                    "retired@1.1.0",
                    "--force",
                    "--otp",
                    server.admin().otp());
            assertThat(unpublished.exitCode()).as(unpublished.output()).isZero();
            assertThat(server.app()
                            .catalog()
                            .findRelease("npm:retired", "1.1.0")
                            .orElseThrow()
                            .state()
                            .wireName())
                    .isEqualTo("quarantined");
            assertThat(reader.run(app, "view", "retired", "versions", "--json").output())
                    .contains("1.2.0")
                    .doesNotContain("1.1.0");
            assertThat(reader.run(app, "install", "retired@1.1.0").exitCode()).isNotZero();
        }
    }
}
