package dev.portcullis.provenance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.CliRunner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every keyless bundle-verification case of the public Sigstore conformance suite
 * (src/test/resources/testdata/sigstore-conformance, vendored unchanged), run through {@code
 * portcullis provenance verify --bundle} exactly as the suite's harness runs a client's {@code
 * verify-bundle}: the case's trusted root or the production one, its identity and issuer or the
 * suite's defaults, its artifact or {@code a.txt}. A case whose name ends in {@code _fail} must
 * exit 1, every other case 0. The three cases that verify with a managed public key ({@code
 * key.pub}) are not keyless and are left out: Portcullis verifies CI identities, never bare keys.
 */
class SigstoreConformanceTest {

    private static final Path CASES = Path.of("src/test/resources/testdata/sigstore-conformance");
    private static final Path PRODUCTION =
            Path.of("src/test/resources/testdata/sigstore-trust-roots/trusted_root.json");
    private static final String IDENTITY =
            "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/"
                    + ".github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
    private static final String ISSUER = "https://token.actions.githubusercontent.com";

    static Stream<String> keylessCases() throws IOException {
        try (Stream<Path> dirs = Files.list(CASES)) {
            return dirs
                    .filter(Files::isDirectory)
                    .filter(d -> !Files.exists(d.resolve("key.pub")))
                    .map(d -> d.getFileName().toString())
                    .sorted()
                    .toList()
                    .stream();
        }
    }

    @Test
    void theSuiteIsThereInFull() throws IOException {
        // 70 cases at the vendored commit, 3 of them with a managed key.
        assertThat(keylessCases()).hasSize(67);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("keylessCases")
    void caseGivesTheSuitesAnswer(String name) throws IOException {
        Path dir = CASES.resolve(name);
        List<String> args = new ArrayList<>(List.of(
                "provenance",
                "verify",
                "--bundle",
                dir.resolve("bundle.sigstore.json").toString(),
                "--artifact",
                (Files.exists(dir.resolve("artifact")) ? dir.resolve("artifact") : CASES.resolve("a.txt")).toString(),
                "--identity",
                orDefault(dir.resolve("identity"), IDENTITY),
                "--issuer",
                orDefault(dir.resolve("issuer"), ISSUER),
                "--trusted-root",
                (Files.exists(dir.resolve("trusted_root.json")) ? dir.resolve("trusted_root.json") : PRODUCTION)
                        .toString()));
        CliRunner.Output result = CliRunner.run(args.toArray(String[]::new));
        boolean mustFail = name.endsWith("_fail");
        assertThat(result.code())
                .as("%s: %s%s", dir.resolve("README"), result.out(), result.err())
                .isEqualTo(mustFail ? 1 : 0);
        assertThat(result.out()).startsWith(mustFail ? "NOT VERIFIED" : "VERIFIED");
    }

    private static String orDefault(Path file, String fallback) throws IOException {
        return Files.exists(file)
                ? Files.readString(file, StandardCharsets.UTF_8).strip()
                : fallback;
    }
}
