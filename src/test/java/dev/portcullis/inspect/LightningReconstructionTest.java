package dev.portcullis.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Role;
import dev.portcullis.registry.pypi.PypiFormat;
import dev.portcullis.testing.CliRunner;
import dev.portcullis.testing.Lightning;
import dev.portcullis.testing.Processes;
import dev.portcullis.testing.PythonClients;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestServer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The lightning 2.6.1 → 2.6.2 change, rebuilt from harmless stand-in code with the real build
 * front-end: the diff names the new folder, both files, the changed __init__.py and the size jump;
 * the rules fire on the loader, the import-time thread and the JS blob; and through the server the
 * upload is quarantined, its reasons naming the findings, and the approver sees the diff.
 */
class LightningReconstructionTest {

    private static Path cleanDist;
    private static Path compromisedDist;

    @TempDir
    Path dir;

    @BeforeAll
    static void build() {
        cleanDist = Lightning.clean("2.6.1");
        compromisedDist = Lightning.compromised("2.6.2");
    }

    @Test
    void theDiffAgainstThePreviousReleaseShowsThePayload() {
        Inspector inspector = new Inspector(Limits.DEFAULT, Clock.systemUTC());
        Path before = PythonClients.wheel(cleanDist);
        Path after = PythonClients.wheel(compromisedDist);
        PypiFormat pypi = new PypiFormat();
        Inspection clean = inspector.inspect(before, before.getFileName().toString(), pypi);
        Inspection bad = inspector.inspect(after, after.getFileName().toString(), pypi);
        assertThat(clean.findings()).isEmpty();

        ReleaseDiff diff = ReleaseDiff.between(clean, before, bad, after, pypi, Limits.DEFAULT, Clock.systemUTC());

        assertThat(diff.added())
                .extracting(ManifestEntry::path)
                .containsExactlyInAnyOrder("lightning/_runtime/start.py", "lightning/_runtime/router_runtime.js");
        assertThat(diff.changed()).extracting(ReleaseDiff.Change::path).contains("lightning/__init__.py");
        assertThat(diff.hiddenDirectories()).containsExactly("lightning/_runtime");
        assertThat(diff.importTimeChanges()).contains("lightning/__init__.py");
        assertThat(diff.totals().bytesAfter() - diff.totals().bytesBefore()).isGreaterThan(11_400_000);
        assertThat(diff.findings())
                .extracting(Finding::explain)
                .anySatisfy(m -> assertThat(m).contains("the unpacked size grew"))
                .anySatisfy(m -> assertThat(m)
                        .contains("adds a JavaScript file of 11.4 MB where the previous release had none")
                        .contains("lightning/_runtime/router_runtime.js"))
                .anySatisfy(m -> assertThat(m)
                        .contains("adds a hidden folder with 2 file(s)")
                        .contains("holding javascript code"));
        assertThat(diff.diffs())
                .anySatisfy(d -> {
                    assertThat(d.path()).isEqualTo("lightning/__init__.py");
                    assertThat(d.unified()).contains("+threading.Thread(target=_start_runtime, daemon=True).start()");
                })
                .anySatisfy(d -> assertThat(d.unified())
                        .contains("+BUN = \"https://github.com/oven-sh/bun/releases/download/bun-v1.3.13/"));

        Report report = new Report(bad, diff);
        assertThat(report.findings())
                .filteredOn(f -> f.severity() == Severity.HIGH)
                .extracting(Finding::rule, Finding::path)
                .contains(
                        org.assertj.core.groups.Tuple.tuple("import-time", "lightning/__init__.py"),
                        org.assertj.core.groups.Tuple.tuple("download-execute", "lightning/_runtime/start.py"),
                        org.assertj.core.groups.Tuple.tuple("obfuscation", "lightning/_runtime/router_runtime.js"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void theGateQuarantinesTheCompromisedUploadAndShowsTheApproverWhy(String database) {
        try (TestServer server = TestServer.start(database, dir.resolve("data"))) {
            String token = server.token("ci", Role.MAINTAINER, Lightning.NAME, Permission.UPLOAD);
            Processes.Result first = PythonClients.twineUpload(
                    server.url(), token, PythonClients.wheel(cleanDist), PythonClients.sdist(cleanDist));
            assertThat(first.exitCode()).as(first.output()).isZero();
            assertThat(server.approve(Lightning.NAME, "2.6.1").status()).isEqualTo(200);

            Processes.Result second =
                    PythonClients.twineUpload(server.url(), token, PythonClients.wheel(compromisedDist));
            assertThat(second.exitCode()).as(second.output()).isZero(); // staged: the attacker learns nothing

            RawHttp.Response release = RawHttp.send(
                    server.url(),
                    "GET",
                    "/api/v1/projects/lightning/releases/2.6.2",
                    Map.of("Authorization", "Bearer " + server.adminToken()),
                    null);
            assertThat(release.body())
                    .contains("\"state\":\"quarantined\"")
                    .contains("inspect/import-time")
                    .contains("inspect/download-execute")
                    .contains("inspect/obfuscation")
                    .contains("inspect/diff")
                    .contains("reached the quarantine threshold");
            RawHttp.Response download = RawHttp.send(
                    server.url(),
                    "GET",
                    "/files/lightning/" + PythonClients.wheel(compromisedDist).getFileName(),
                    Map.of(),
                    null);
            assertThat(download.status()).isEqualTo(403);

            CliRunner.Output view = CliRunner.run(
                    "release",
                    "inspect",
                    "lightning",
                    "2.6.2",
                    "--diff",
                    "--server",
                    server.url(),
                    "--token",
                    server.adminToken());
            assertThat(view.code()).as(view.err()).isEqualTo(1);
            assertThat(view.out())
                    .contains("Changes since lightning-2.6.1-py3-none-any.whl")
                    .contains("+ lightning/_runtime/start.py")
                    .contains("+ lightning/_runtime/router_runtime.js (11.4 MB, javascript)")
                    .contains("~ lightning/__init__.py")
                    .contains("new hidden folders: lightning/_runtime")
                    .contains("import-time code changed: lightning/__init__.py")
                    .contains("+threading.Thread(target=_start_runtime, daemon=True).start()");
        }
    }
}
