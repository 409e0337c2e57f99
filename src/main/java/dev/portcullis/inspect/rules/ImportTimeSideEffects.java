package dev.portcullis.inspect.rules;

import dev.portcullis.inspect.FileKind;
import dev.portcullis.inspect.Finding;
import dev.portcullis.inspect.Severity;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What a package's {@code __init__.py} does merely by being imported. lightning 2.6.2 started a
 * daemon thread at import that ran {@code subprocess.Popen} with output sent to {@code DEVNULL};
 * ultralytics 8.3.46 put {@code os.system("wget … xmrig")} there. Code at module level runs on
 * import; code inside a {@code def} runs only when called — unless a module-level thread calls it.
 */
public final class ImportTimeSideEffects implements ContentRule {

    public static final String ID = "import-time";

    private static final Pattern THREAD =
            Pattern.compile("\\bThread\\s*\\(|_thread\\.start_new_thread|\\.start_new_thread\\(");
    private static final Pattern PROCESS = Pattern.compile(
            "\\bPopen\\s*\\(|subprocess\\.(run|call|check_call|check_output)\\s*\\(|os\\.(spawn\\w*|exec\\w*|popen)\\s*\\(");
    private static final Pattern SYSTEM = Pattern.compile("\\bos\\.system\\s*\\(");
    private static final Pattern DYNAMIC = Pattern.compile("(?<![\\w.])(exec|eval)\\s*\\(");
    private static final Pattern NETWORK = Pattern.compile(
            "urlopen\\s*\\(|urlretrieve\\s*\\(|requests\\.(get|post|put)\\s*\\(|http\\.client\\.|socket\\.(socket|create_connection)\\s*\\(");
    private static final Pattern SILENCED =
            Pattern.compile("DEVNULL|os\\.devnull|creationflags|CREATE_NO_WINDOW|start_new_session\\s*=\\s*True");

    @Override
    public String id() {
        return ID;
    }

    @Override
    public List<Finding> check(SourceFile file) {
        if (file.kind() != FileKind.PYTHON || !file.lowerName().equals("__init__.py")) {
            return List.of();
        }
        List<Finding> findings = new ArrayList<>();
        List<String> lines = file.lines();
        boolean silenced = SILENCED.matcher(file.text()).find();
        SourceFile.Hit process = null;
        SourceFile.Hit thread = null;
        Deque<Integer> functions = new ArrayDeque<>();
        String openQuote = null; // inside a triple-quoted string (docstrings hold examples, not code)
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String code = line.strip();
            if (openQuote != null) {
                if (code.contains(openQuote)) {
                    openQuote = null;
                }
                continue;
            }
            if (code.isEmpty() || code.startsWith("#")) {
                continue;
            }
            String quote = opensTripleQuote(code);
            if (quote != null && code.startsWith(quote)) {
                openQuote = quote;
                continue;
            }
            if (quote != null) {
                openQuote = quote; // code before the string is still scanned below
            }
            int indent = line.length() - line.stripLeading().length();
            while (!functions.isEmpty() && indent <= functions.peek()) {
                functions.pop();
            }
            if (code.startsWith("def ") || code.startsWith("async def ") || code.startsWith("class ")) {
                functions.push(indent);
                continue;
            }
            boolean moduleLevel = functions.isEmpty();
            SourceFile.Hit hit = new SourceFile.Hit(i + 1, line);
            if (PROCESS.matcher(code).find() && process == null) {
                process = hit;
                if (moduleLevel) {
                    findings.add(file.finding(
                            ID,
                            Severity.HIGH,
                            "__init__.py starts a process as soon as the package is imported"
                                    + (silenced ? ", with its output discarded" : ""),
                            hit));
                }
            }
            if (THREAD.matcher(code).find() && moduleLevel && thread == null) {
                thread = hit;
            }
            if (moduleLevel && SYSTEM.matcher(code).find()) {
                findings.add(file.finding(
                        ID,
                        Severity.HIGH,
                        "__init__.py runs a shell command (os.system) as soon as the package is imported",
                        hit));
            }
            if (moduleLevel && DYNAMIC.matcher(code).find()) {
                findings.add(file.finding(
                        ID, Severity.MEDIUM, "__init__.py runs dynamically built code (exec/eval) at import", hit));
            }
            if (moduleLevel && NETWORK.matcher(code).find()) {
                findings.add(file.finding(
                        ID,
                        Severity.HIGH,
                        "__init__.py makes a network request as soon as the package is imported",
                        hit));
            }
        }
        if (thread != null && process != null) {
            findings.add(file.finding(
                    ID,
                    Severity.HIGH,
                    "__init__.py starts a background thread at import that launches a process"
                            + (silenced ? " with its output discarded" : "") + " (line " + process.line() + ": "
                            + process.text().strip() + ")",
                    thread));
        } else if (thread != null) {
            findings.add(file.finding(
                    ID, Severity.LOW, "__init__.py starts a thread as soon as the package is imported", thread));
        } else if (process != null && findings.isEmpty()) {
            findings.add(file.finding(
                    ID,
                    Severity.LOW,
                    "__init__.py can start a process (inside a function)"
                            + (silenced ? ", with its output discarded" : ""),
                    process));
        }
        return findings;
    }

    /** The triple quote a line leaves open, or null (an even number of them closes what it opens). */
    private static String opensTripleQuote(String code) {
        for (String quote : new String[] {"\"\"\"", "'''"}) {
            int count = 0;
            for (int at = code.indexOf(quote); at >= 0; at = code.indexOf(quote, at + 3)) {
                count++;
            }
            if (count % 2 == 1) {
                return quote;
            }
        }
        return null;
    }
}
