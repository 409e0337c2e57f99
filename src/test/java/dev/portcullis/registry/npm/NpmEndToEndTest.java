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
        }
    }
}
