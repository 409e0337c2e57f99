package dev.portcullis.inspect.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.BitSet;
import org.junit.jupiter.api.Test;

/** The Python tokenizer: what is a comment, a docstring, code, and which lines are function bodies. */
class PythonTextTest {

    @Test
    void commentsAndDocstringsAreBlankedAndCodeIsNot() {
        String text = """
        \"\"\"Downloads https://nodejs.org/dist/node.tar.gz when asked.\"\"\"
        URL = "https://example.org/#anchor"  # a comment with urlopen(
        TEMPLATE = \"\"\"not a docstring: exec(x)\"\"\"
        def f():
            '''Call requests.get('https://x') here.'''
            return "#" + 'it''s'
        """;
        String code = PythonText.code(text);
        assertThat(code).hasSameSizeAs(text);
        assertThat(code.lines().toList()).hasSameSizeAs(text.lines().toList());
        assertThat(code)
                .doesNotContain("nodejs.org")
                .doesNotContain("a comment")
                .doesNotContain("requests.get");
        assertThat(code)
                .contains("URL = \"https://example.org/#anchor\"") // '#' inside a string is not a comment
                .contains("exec(x)") // an assigned triple-quoted string is a value
                .contains("return \"#\" + 'it''s'");
    }

    @Test
    void aFileThatReadsItsDocstringsKeepsThem() {
        String text = "\"\"\"import os; os.system('id')\"\"\"\nexec(__doc__)\n";
        assertThat(PythonText.code(text)).isEqualTo(text);
    }

    @Test
    void stringPrefixesAndEscapesDoNotEndAStringEarly() {
        String text = "a = rb'\\'#' + f\"{x}#\"\nb = 1 # gone\n";
        String code = PythonText.code(text);
        assertThat(code).startsWith("a = rb'\\'#' + f\"{x}#\"\nb = 1 ").doesNotContain("gone");
    }

    @Test
    void functionBodiesByIndentationNotBrackets() {
        String code = """
        import os
        def run(cmd):
            x = call(
        \"\"\"
        )\"\"\")
            return x
        os.system("id")
        class Client:
            def get(self):
                pass
        if __name__ == "__main__":
            run("ls")
        """;
        BitSet inside = PythonText.functionBodies(code);
        assertThat(inside.get(1)).isFalse();
        assertThat(inside.get(3)).isTrue();
        assertThat(inside.get(7)).isFalse(); // module level after the body
        assertThat(inside.get(10)).isTrue();
        assertThat(inside.get(12)).isFalse(); // the main block runs when the file is run
        assertThat(PythonText.functionBodies(code, true).get(12)).isTrue();
    }
}
