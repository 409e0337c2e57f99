package dev.portcullis.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Role;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What every registry plug-in must do through the one gate, over its own wire protocol: an upload
 * is staged in a held release that installers cannot see; the gate's approval makes exactly those
 * bytes installable; the same bytes again change nothing; other bytes under a taken name, a file
 * that says it is something else, and the uploader's own approval are refused, storing nothing.
 * PyPI runs it now ({@code PypiContractTest}), the fake second ecosystem proves it is not PyPI's
 * ({@code FakeContractTest}); npm and Maven run it next. Each case runs on SQLite and PostgreSQL.
 */
public abstract class RegistryContract {

    /** How an upload ended, in the protocol's own answer translated to the contract's words. */
    protected enum Outcome {
        STAGED,
        UNCHANGED,
        REFUSED
    }

    @TempDir
    protected Path dir;

    /** A server speaking this registry. */
    protected abstract TestServer start(String database, Path dataDir);

    /** The project as the Portcullis API and roles name it ({@code demo}, {@code fake:demo}). */
    protected abstract String reference(String project);

    /** A valid package file of {@code project} {@code version}; {@code variant} changes its bytes, not its name. */
    protected abstract byte[] packageFile(String project, String version, String variant);

    /** A package file named as {@code version} of {@code project} whose own metadata says another version. */
    protected abstract byte[] lyingFile(String project, String version);

    /** Uploads {@code file} as {@code project} {@code version} with {@code token}, as the ecosystem's client would. */
    protected abstract Outcome upload(TestServer server, String token, String project, String version, byte[] file);

    /** The versions of {@code project} an installer sees. */
    protected abstract List<String> installable(TestServer server, String project);

    /** The file of {@code project} {@code version} as an installer downloads it; empty when it does not exist for installers. */
    protected abstract Optional<byte[]> download(TestServer server, String project, String version);

    private String uploadToken(TestServer server, String project) {
        return server.token("ci", Role.MAINTAINER, reference(project), Permission.UPLOAD);
    }

    @ParameterizedTest
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void anUploadIsHeldUntilApprovedThenExactlyItsBytesInstall(String database) {
        try (TestServer server = start(database, dir.resolve("data"))) {
            byte[] file = packageFile("demo", "1.0.0", "a");
            assertThat(upload(server, uploadToken(server, "demo"), "demo", "1.0.0", file))
                    .isEqualTo(Outcome.STAGED);

            assertThat(installable(server, "demo")).isEmpty();
            assertThat(download(server, "demo", "1.0.0")).isEmpty();

            RawHttp.Response approved = server.approve(reference("demo"), "1.0.0");
            assertThat(approved.status()).as(approved.body()).isEqualTo(200);
            assertThat(installable(server, "demo")).containsExactly("1.0.0");
            assertThat(download(server, "demo", "1.0.0"))
                    .hasValueSatisfying(bytes -> assertThat(bytes).isEqualTo(file));
        }
    }

    @ParameterizedTest
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void theSameBytesAgainChangeNothingAndOtherBytesUnderATakenNameAreRefused(String database) {
        try (TestServer server = start(database, dir.resolve("data"))) {
            String token = uploadToken(server, "demo");
            byte[] file = packageFile("demo", "1.0.0", "a");
            assertThat(upload(server, token, "demo", "1.0.0", file)).isEqualTo(Outcome.STAGED);
            TestServer.Snapshot before = server.snapshot();

            assertThat(upload(server, token, "demo", "1.0.0", file)).isEqualTo(Outcome.UNCHANGED);
            assertThat(upload(server, token, "demo", "1.0.0", packageFile("demo", "1.0.0", "b")))
                    .isEqualTo(Outcome.REFUSED);

            assertThat(server.snapshot()).isEqualTo(before);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void aFileThatSaysItIsSomethingElseIsRefusedAndNothingIsStored(String database) {
        try (TestServer server = start(database, dir.resolve("data"))) {
            String token = uploadToken(server, "demo");
            TestServer.Snapshot before = server.snapshot();

            assertThat(upload(server, token, "demo", "1.0.0", lyingFile("demo", "1.0.0")))
                    .isEqualTo(Outcome.REFUSED);
            assertThat(upload(
                            server,
                            token,
                            "demo",
                            "1.0.0",
                            "not a package at all".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                    .isEqualTo(Outcome.REFUSED);

            assertThat(server.snapshot()).isEqualTo(before);
            assertThat(server.events("UploadRejected")).isEqualTo(2);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.portcullis.testing.TestDatabases#both")
    void anUploadTokenCannotApproveAndTheUploaderIsNoApprover(String database) {
        try (TestServer server = start(database, dir.resolve("data"))) {
            var uploader = server.user(
                    "maintainer",
                    new dev.portcullis.identity.RoleGrant(reference("demo"), Role.OWNER),
                    Permission.UPLOAD,
                    Permission.APPROVE);
            assertThat(upload(server, uploader.token(), "demo", "1.0.0", packageFile("demo", "1.0.0", "a")))
                    .isEqualTo(Outcome.STAGED);

            String uploadOnly = uploadToken(server, "demo");
            assertThat(server.decideWith(uploadOnly, reference("demo"), "1.0.0", "approve", "000000")
                            .status())
                    .isIn(403, 404);
            RawHttp.Response own = server.decide(uploader, reference("demo"), "1.0.0", "approve");
            assertThat(own.status()).as(own.body()).isIn(403, 409);

            assertThat(installable(server, "demo")).isEmpty();
        }
    }
}
