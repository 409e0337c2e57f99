package dev.portcullis.inspect.rules;

import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.Deque;

/**
 * Python source read the way the tokenizer reads it, as far as the rules need: which characters
 * are comments, which string literals are docstrings (a triple-quoted string standing alone as a
 * statement), and which lines are inside a function or class body. It is a tokenizer, not a
 * parser (docs/INSPECTION.md, "Reading code"): it knows string prefixes, escapes, triple quotes and
 * bracket depth, so a {@code #} or {@code """} inside a string is never taken for a comment or a
 * docstring, and code is never blanked.
 */
final class PythonText {

    private static final java.util.regex.Pattern MAIN =
            java.util.regex.Pattern.compile("if\\s+__name__\\s*==\\s*['\"]__main__['\"]\\s*:.*");
    private static final java.util.regex.Pattern STATEMENT =
            java.util.regex.Pattern.compile("(def|async def|class|import|from|if|for|while|try|with)\\b");

    private PythonText() {}

    /**
     * {@code text} with comments and docstrings turned into spaces (line breaks kept, so line
     * numbers and offsets do not move). A file that mentions {@code __doc__} keeps its docstrings:
     * {@code exec(__doc__)} would run one.
     */
    static String code(String text) {
        char[] out = text.toCharArray();
        boolean keepDocstrings = text.contains("__doc__");
        int n = out.length;
        int depth = 0; // open brackets: inside them a line break does not end the statement
        boolean statementStart = true; // nothing but white space since the statement began
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            if (c == '#') {
                int end = text.indexOf('\n', i);
                end = end < 0 ? n : end;
                if (!(i == 0 && text.startsWith("#!"))) {
                    blank(out, i, end);
                }
                i = end;
                continue;
            }
            int quoteAt = stringStart(text, i);
            if (quoteAt >= 0) {
                char quote = text.charAt(quoteAt);
                boolean triple = text.startsWith(String.valueOf(quote).repeat(3), quoteAt);
                int end = stringEnd(text, quoteAt, quote, triple);
                if (triple && statementStart && depth == 0 && !keepDocstrings && standsAlone(text, end)) {
                    blank(out, i, end);
                }
                statementStart = false;
                i = end;
                continue;
            }
            if (c == '\n') {
                if (depth == 0 && (i == 0 || text.charAt(i - 1) != '\\')) {
                    statementStart = true;
                }
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
                statementStart = false;
            } else if (c == ')' || c == ']' || c == '}') {
                depth = Math.max(0, depth - 1);
            } else if (c == ';') {
                statementStart = depth == 0;
            } else if (c != ' ' && c != '\t' && c != '\r' && c != '\f') {
                statementStart = false;
            }
            i++;
        }
        return new String(out);
    }

    /** Where a string literal starting at {@code i} has its first quote (after a prefix such as {@code rb}), or -1. */
    private static int stringStart(String text, int i) {
        char c = text.charAt(i);
        if (c == '"' || c == '\'') {
            return i;
        }
        if (i > 0 && (Character.isLetterOrDigit(text.charAt(i - 1)) || text.charAt(i - 1) == '_')) {
            return -1; // a name that ends in r, b, f or u
        }
        int j = i;
        while (j < text.length() && j - i < 2 && "rRbBuUfF".indexOf(text.charAt(j)) >= 0) {
            j++;
        }
        return j > i && j < text.length() && (text.charAt(j) == '"' || text.charAt(j) == '\'') ? j : -1;
    }

    /** The index just past the literal whose opening quote is at {@code at}. */
    private static int stringEnd(String text, int at, char quote, boolean triple) {
        int n = text.length();
        int i = at + (triple ? 3 : 1);
        while (i < n) {
            char c = text.charAt(i);
            if (c == '\\') {
                i += 2;
                continue;
            }
            if (c == quote) {
                if (!triple) {
                    return i + 1;
                }
                if (text.startsWith(String.valueOf(quote).repeat(3), i)) {
                    return i + 3;
                }
            } else if (c == '\n' && !triple) {
                return i; // unterminated: the line ends it
            }
            i++;
        }
        return n;
    }

    /** Whether only white space, a comment, {@code ;} or the end follows on the literal's last line. */
    private static boolean standsAlone(String text, int end) {
        for (int i = end; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '#' || c == ';') {
                return true;
            }
            if (c != ' ' && c != '\t' && c != '\r') {
                return false;
            }
        }
        return true;
    }

    private static void blank(char[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            if (out[i] != '\n') {
                out[i] = ' ';
            }
        }
    }

    /**
     * The 1-based lines inside {@code def}/{@code class} bodies of {@code code} (comments and
     * docstrings already blanked), found by indentation; an {@code if __name__ == "__main__":} block
     * is not a body.
     */
    static BitSet functionBodies(String code) {
        return functionBodies(code, false);
    }

    /** As above; with {@code mainBlock}, an {@code if __name__ == "__main__":} block counts as a body too. */
    static BitSet functionBodies(String code, boolean mainBlock) {
        BitSet inside = new BitSet();
        Deque<Integer> blocks = new ArrayDeque<>();
        int lineNo = 0;
        int depth = 0;
        for (String line : code.split("\n", -1)) {
            lineNo++;
            String stripped = line.strip();
            if (stripped.isEmpty()) {
                if (!blocks.isEmpty()) {
                    inside.set(lineNo);
                }
                continue;
            }
            int indent = line.length() - line.stripLeading().length();
            if (indent == 0 && depth > 0 && STATEMENT.matcher(stripped).lookingAt()) {
                depth = 0; // an unbalanced bracket (in a string spanning lines) must not hide what follows
            }
            if (depth == 0) {
                while (!blocks.isEmpty() && indent <= blocks.peek()) {
                    blocks.pop();
                }
            }
            if (!blocks.isEmpty()) {
                inside.set(lineNo);
            }
            if (depth == 0
                    && (stripped.startsWith("def ")
                            || stripped.startsWith("async def ")
                            || stripped.startsWith("class ")
                            || mainBlock && MAIN.matcher(stripped).matches())) {
                blocks.push(indent);
            }
            char quote = 0;
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (quote != 0) {
                    if (c == '\\') {
                        i++;
                    } else if (c == quote) {
                        quote = 0;
                    }
                } else if (c == '"' || c == '\'') {
                    quote = c; // brackets inside a string on this line do not count
                } else if (c == '(' || c == '[' || c == '{') {
                    depth++;
                } else if (c == ')' || c == ']' || c == '}') {
                    depth = Math.max(0, depth - 1);
                }
            }
        }
        return inside;
    }
}
