package dev.portcullis.web;

import dev.portcullis.http.Html;
import java.util.Locale;
import java.util.Set;

/**
 * Marks keywords, strings and comments in one line of code, for the diffs on the release page:
 * enough for an approver to see at a glance that a line is an {@code exec} of a string, or that
 * the change is a comment. A line at a time (a string or comment that spans lines is shown as
 * code on its later lines); text only ever goes through {@link Html#text}.
 */
final class Highlight {

    enum Language {
        PYTHON(
                "#",
                Set.of(
                        "and",
                        "as",
                        "assert",
                        "async",
                        "await",
                        "class",
                        "def",
                        "del",
                        "elif",
                        "else",
                        "except",
                        "exec",
                        "finally",
                        "for",
                        "from",
                        "global",
                        "if",
                        "import",
                        "in",
                        "is",
                        "lambda",
                        "nonlocal",
                        "not",
                        "or",
                        "pass",
                        "raise",
                        "return",
                        "try",
                        "while",
                        "with",
                        "yield",
                        "eval",
                        "compile",
                        "__import__",
                        "None",
                        "True",
                        "False")),
        JAVASCRIPT(
                "//",
                Set.of(
                        "async",
                        "await",
                        "break",
                        "case",
                        "catch",
                        "class",
                        "const",
                        "continue",
                        "default",
                        "delete",
                        "do",
                        "else",
                        "eval",
                        "export",
                        "extends",
                        "finally",
                        "for",
                        "function",
                        "if",
                        "import",
                        "in",
                        "instanceof",
                        "let",
                        "new",
                        "require",
                        "return",
                        "switch",
                        "this",
                        "throw",
                        "try",
                        "typeof",
                        "var",
                        "void",
                        "while",
                        "with",
                        "yield",
                        "null",
                        "true",
                        "false",
                        "undefined")),
        JAVA(
                "//",
                Set.of(
                        "abstract",
                        "catch",
                        "class",
                        "else",
                        "extends",
                        "final",
                        "finally",
                        "for",
                        "if",
                        "implements",
                        "import",
                        "interface",
                        "new",
                        "package",
                        "private",
                        "protected",
                        "public",
                        "return",
                        "static",
                        "super",
                        "switch",
                        "synchronized",
                        "this",
                        "throw",
                        "throws",
                        "try",
                        "void",
                        "while",
                        "null",
                        "true",
                        "false",
                        "var",
                        "record")),
        SHELL(
                "#",
                Set.of(
                        "if",
                        "then",
                        "else",
                        "elif",
                        "fi",
                        "for",
                        "do",
                        "done",
                        "while",
                        "case",
                        "esac",
                        "function",
                        "export",
                        "eval",
                        "exec",
                        "source",
                        "curl",
                        "wget",
                        "sh",
                        "bash",
                        "chmod",
                        "base64"));

        final String comment;

        @SuppressWarnings("ImmutableEnumChecker") // unmodifiable: Set.of
        final Set<String> keywords;

        Language(String comment, Set<String> keywords) {
            this.comment = comment;
            this.keywords = keywords;
        }
    }

    private Highlight() {}

    /** The language of a file by its name, or null (shown as plain text). */
    static Language of(String path) {
        String name = path.toLowerCase(Locale.ROOT);
        if (name.endsWith(".py") || name.endsWith(".pyw") || name.endsWith(".pth")) {
            return Language.PYTHON;
        }
        if (name.endsWith(".js")
                || name.endsWith(".mjs")
                || name.endsWith(".cjs")
                || name.endsWith(".ts")
                || name.endsWith(".jsx")
                || name.endsWith(".tsx")) {
            return Language.JAVASCRIPT;
        }
        if (name.endsWith(".java") || name.endsWith(".kt")) {
            return Language.JAVA;
        }
        if (name.endsWith(".sh") || name.endsWith(".bash")) {
            return Language.SHELL;
        }
        return null;
    }

    /** Appends {@code code} to {@code html}, keywords, strings and comments in their own spans. */
    static void line(Html html, String code, Language language) {
        int i = 0;
        int plain = 0;
        while (i < code.length()) {
            char c = code.charAt(i);
            if (code.startsWith(language.comment, i)) {
                html.text(code.substring(plain, i)).element("span", code.substring(i), "class", "tok-com");
                return;
            }
            if (c == '"' || c == '\'' || (c == '`' && language == Language.JAVASCRIPT)) {
                int end = i + 1;
                while (end < code.length() && code.charAt(end) != c) {
                    end += code.charAt(end) == '\\' ? 2 : 1;
                }
                end = Math.min(code.length(), end + 1);
                html.text(code.substring(plain, i)).element("span", code.substring(i, end), "class", "tok-str");
                i = end;
                plain = i;
                continue;
            }
            if (Character.isJavaIdentifierStart(c) && (i == 0 || !Character.isJavaIdentifierPart(code.charAt(i - 1)))) {
                int end = i + 1;
                while (end < code.length() && Character.isJavaIdentifierPart(code.charAt(end))) {
                    end++;
                }
                String word = code.substring(i, end);
                if (language.keywords.contains(word)) {
                    html.text(code.substring(plain, i)).element("span", word, "class", "tok-kw");
                    plain = end;
                }
                i = end;
                continue;
            }
            i++;
        }
        html.text(code.substring(plain));
    }
}
