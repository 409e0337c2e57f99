package dev.portcullis.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Text output stays readable: a finding with a minified line as its excerpt is wrapped and cut, not printed whole. */
class ReportTest {

    @Test
    void longFindingsAreWrappedToTheWidthAndCut() {
        String excerpt = "obfuscated code: " + "var _0x1a2b=[\"\\x68\\x74\\x74\\x70\"];".repeat(500);
        List<String> lines = Report.wrap(excerpt, 60, 4);
        assertThat(lines)
                .hasSize(4)
                .allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(60));
        assertThat(lines.getLast()).endsWith("…");
        assertThat(Report.wrap("a short finding", 60, 4)).containsExactly("a short finding");
        assertThat(Report.wrap("words that wrap at a space when the line is too long for the width", 30, 4))
                .containsExactly("words that wrap at a space", "when the line is too long for", "the width");
    }
}
