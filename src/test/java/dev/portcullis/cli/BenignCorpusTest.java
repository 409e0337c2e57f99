package dev.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The real benign corpus (docs/INSPECTION.md, "Measured"): {@code scripts/benign-corpus fetch}
 * downloads the pinned npm tarballs and Debian python3-* packages (rebuilt as wheels) into
 * target/, kept between runs; every package is inspected alone and as an upgrade from its
 * previous version, and none may raise a high finding. The per-rule figures are printed, as
 * {@code portcullis bench detection --benign} prints them.
 */
class BenignCorpusTest {

    private static final Path CACHE = Path.of("target", "test-cache", "benign-corpus");

    @Test
    void realPackagesAndTheirUpgradesRaiseNoHighFinding() throws Exception {
        Process fetch = new ProcessBuilder("scripts/benign-corpus", "fetch", CACHE.toString())
                .inheritIO()
                .start();
        assertThat(fetch.waitFor(20, TimeUnit.MINUTES)).as("fetch finished").isTrue();
        assertThat(fetch.exitValue()).as("scripts/benign-corpus fetch").isZero();

        BenchDetection.RealCorpus real = BenchDetection.measureReal(CACHE);
        StringWriter printed = new StringWriter();
        BenchDetection.printReal(new PrintWriter(printed, true), real);
        System.out.print(printed);

        assertThat(real.packages().packages()).as("packages").isGreaterThanOrEqualTo(500);
        assertThat(real.python()).as("Python packages").isGreaterThanOrEqualTo(250);
        assertThat(real.npm()).as("npm packages").isGreaterThanOrEqualTo(200);
        assertThat(real.pairs().packages()).as("upgrade pairs").isGreaterThanOrEqualTo(450);
        assertThat(real.packages().highs()).as("high findings on real packages").isEmpty();
        assertThat(real.pairs().highs()).as("high findings on real upgrades").isEmpty();
    }
}
