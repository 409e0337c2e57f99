package dev.portcullis.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.http.Html;
import org.junit.jupiter.api.Test;

class HighlightTest {

    private static String python(String code) {
        Html html = Html.fragment();
        Highlight.line(html, code, Highlight.Language.PYTHON);
        return html.toString();
    }

    @Test
    void marksKeywordsStringsAndCommentsAndEscapesEverything() {
        assertThat(python("exec(base64.b64decode('cHJp<b>'))  # run it"))
                .isEqualTo("<span class=\"tok-kw\">exec</span>(base64.b64decode("
                        + "<span class=\"tok-str\">&#39;cHJp&lt;b&gt;&#39;</span>))  "
                        + "<span class=\"tok-com\"># run it</span>");
        // A '#' inside a string is not a comment; an escaped quote does not end the string.
        assertThat(python("x = \"a#b\\\"c\" # c"))
                .isEqualTo(
                        "x = <span class=\"tok-str\">&quot;a#b\\&quot;c&quot;</span> <span class=\"tok-com\"># c</span>");
        // Keywords only as whole words; an unterminated string runs to the end of the line.
        assertThat(python("defined = 'open")).isEqualTo("defined = <span class=\"tok-str\">&#39;open</span>");
        assertThat(Highlight.of("pkg/_runtime/start.py")).isEqualTo(Highlight.Language.PYTHON);
        assertThat(Highlight.of("dist/index.mjs")).isEqualTo(Highlight.Language.JAVASCRIPT);
        assertThat(Highlight.of("data.bin")).isNull();
    }
}
