package dev.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.drill.Corpus;
import dev.portcullis.store.PrivateFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The detection corpus (docs/INSPECTION.md, "The corpus"): every malicious case raises a high
 * finding of its rule on the malicious file itself, every benign look-alike raises nothing high,
 * and every family issue 18 names has its case.
 */
class DetectionCorpusTest {

    private static Path scratch;

    @BeforeAll
    static void scratch() throws Exception {
        scratch = Files.createTempDirectory("detection-corpus-");
    }

    @AfterAll
    static void clean() throws Exception {
        PrivateFiles.deleteTree(scratch);
    }

    static Stream<Corpus.Case> cases() {
        return Corpus.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void eachCaseIsJudgedRight(Corpus.Case c) throws Exception {
        BenchDetection.Verdict verdict = BenchDetection.judge(c, scratch);
        if (c.malicious()) {
            assertThat(verdict.caught())
                    .as("%s: high %s on %s; the high findings were %s", c.id(), c.rule(), c.file(), verdict.high())
                    .isTrue();
        } else {
            assertThat(verdict.high()).as("%s is benign", c.id()).isEmpty();
        }
    }

    @Test
    void everyFamilyTheIssueNamesHasACase() {
        List<String> ids = Corpus.all().stream().map(Corpus.Case::id).toList();
        assertThat(ids)
                .contains(
                        // missed before: secrets to the network without the literal strings
                        "ctx-environment-in-url",
                        "cloud-sdk-credentials",
                        "solana-key-in-library-fetch",
                        "patched-wallet-signer",
                        "reverse-shell-dup2",
                        "reverse-shell-subprocess",
                        "fernet-exec",
                        "marshal-through-import",
                        "steganography-exec",
                        "powershell-encoded",
                        "dns-exfiltration",
                        "ctypes-bundled-library",
                        "import-chain-side-effect",
                        "setup-py-top-level",
                        "look-alike-dependency",
                        "miner-wrapper",
                        // flagged before though benign
                        "comment-mentions-runtime-download",
                        "namespace-package-pth",
                        "coverage-startup-pth",
                        "language-server-node-bootstrap",
                        "github-client-create-repository",
                        "sdist-build-ext-downloads-library",
                        "jupyter-extension-minified-js",
                        "base64-test-fixture",
                        "size-jump-alone",
                        "vendored-launchers");
        assertThat(Corpus.malicious()).hasSizeGreaterThanOrEqualTo(25);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void eachCaseNamesThePublicWriteUpItModels(Corpus.Case c) {
        String source = Corpus.source(c.id());
        assertThat(source).as(c.id()).startsWith("# ");
        if (c.malicious()) { // the write-ups, one per line, and why the payload cannot run
            assertThat(source).as(c.id()).containsPattern("(?m)^- .+").containsIgnoringCase("inert");
        } else { // the real packages that do this
            assertThat(source).as(c.id()).contains("Benign look-alike");
        }
    }
}
