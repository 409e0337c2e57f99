package dev.portcullis.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.testing.TestData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 8785 against the reference implementation's vectors (src/test/resources/testdata/jcs), and the edges we rely on. */
class CanonicalJsonTest {

    @ParameterizedTest
    @ValueSource(strings = {"arrays", "french", "structures", "unicode", "values", "weird"})
    void theReferenceVectorsCanonicalizeExactly(String name) throws IOException {
        String input =
                Files.readString(TestData.path("jcs").resolve("input").resolve(name + ".json"), StandardCharsets.UTF_8);
        String output = Files.readString(
                TestData.path("jcs").resolve("output").resolve(name + ".json"), StandardCharsets.UTF_8);
        assertThat(CanonicalJson.canonicalize(input)).isEqualTo(output.strip());
    }

    @Test
    void numbersAreWrittenAsEcmaScriptWritesThem() {
        assertThat(CanonicalJson.es6(1e21)).isEqualTo("1e+21");
        assertThat(CanonicalJson.es6(1e20)).isEqualTo("100000000000000000000");
        assertThat(CanonicalJson.es6(0.000001)).isEqualTo("0.000001");
        assertThat(CanonicalJson.es6(0.0000001)).isEqualTo("1e-7");
        assertThat(CanonicalJson.es6(-0.0)).isEqualTo("0");
        assertThat(CanonicalJson.es6(-1.5)).isEqualTo("-1.5");
        assertThat(CanonicalJson.es6(5e-324)).isEqualTo("5e-324");
        assertThat(CanonicalJson.es6(1.7976931348623157e308)).isEqualTo("1.7976931348623157e+308");
        assertThat(CanonicalJson.of(java.util.List.of(1_700_000_000_000L, "x"))).isEqualTo("[1700000000000,\"x\"]");
        assertThatThrownBy(() -> CanonicalJson.es6(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void controlCharactersAreLowerCaseEscapesAndTheRestIsLiteral() {
        assertThat(CanonicalJson.of("\u001f\u000b\u007f\u2028/é")).isEqualTo("\"\\u001f\\u000b\u007f\u2028/é\"");
    }
}
