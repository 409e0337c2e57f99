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
 *
 * <p>{@code setup.py} is read the same way: pip runs it to build an sdist, so its module level runs
 * at install without any {@code cmdclass}. There a process is common and benign (`git describe` for
 * the version, {@code exec} of a version file), so it counts as low, and high only when the command
 * fetches something; a network request is high as in {@code __init__.py}.
 *
 * <p>Every other module of a package runs its module level when it is imported, by the package's
 * own {@code __init__.py} (ultralytics 8.3.41 hid its payload in {@code utils/downloads.py}) or by
 * its users: the same code there counts the same, except {@code exec}/{@code eval} (compatibility
 * shims use them) and what only runs as a script ({@code __main__.py}, an {@code if __name__ ==
 * "__main__"} block, tests, docs, examples). A process whose command is {@code git} (a version
 * from the checkout) is low anywhere. Loading a native library that ships inside the package with
 * {@code ctypes} at import is high: its code is beyond every rule that reads text.
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
            "urlopen\\s*\\(|urlretrieve\\s*\\(|requests\\.(get|post|put)\\s*\\(|http\\.client\\.HTTPS?Connection\\s*\\(|socket\\.create_connection\\s*\\(|\\.connect\\s*\\(\\s*\\(\\s*['\"\\d]");
    /** A command that fetches: what a setup.py has no business running at module level. */
    private static final Pattern FETCHES = Pattern.compile(
            "\\b(curl|wget|Invoke-WebRequest|iwr|Invoke-RestMethod|bitsadmin|certutil|powershell)\\b|https?://",
            Pattern.CASE_INSENSITIVE);

    /** A process running git, the one command packages commonly run at import (their version from the checkout). */
    private static final Pattern GIT = Pattern.compile("^\\s*\\[?\\s*['\"]git\\b");
    /** A native library loaded through ctypes from a path next to the module: the package's own. */
    private static final Pattern BUNDLED_LIBRARY = Pattern.compile(
            "(CDLL|PyDLL|WinDLL|OleDLL|LoadLibrary)\\s*\\(.{0,120}(__file__|dirname\\s*\\(|_here\\b|_dir\\b)");
    /** Modules that run as scripts or in development, not when the package is imported. */
    private static final Pattern NOT_IMPORTED = Pattern.compile(
            "(^|/)(tests?|testing|docs?|examples?|scripts|bin|benchmarks?)/|(^|/)(test_[^/]*|[^/]*_test|conftest|__main__|conf)\\.py$");

    /** Literals one of which every pattern above needs: a module with none of them is skipped in one look. */
    private static final Probe TRIGGERS = Probe.of(
            "(?!)",
            "Thread",
            "start_new_thread",
            "Popen",
            "subprocess",
            "os.",
            "exec",
            "eval",
            "urlopen",
            "urlretrieve",
            "requests.",
            "http.client",
            "socket",
            ".connect",
            "DLL",
            "LoadLibrary");

    private static final Pattern SILENCED =
            Pattern.compile("DEVNULL|os\\.devnull|creationflags|CREATE_NO_WINDOW|start_new_session\\s*=\\s*True");

    @Override
    public String id() {
        return ID;
    }

    @Override
    public List<Finding> check(SourceFile file) {
        boolean setup = file.lowerName().equals("setup.py");
        boolean init = file.lowerName().equals("__init__.py");
        if (file.kind() != FileKind.PYTHON
                || !file.lowerName().endsWith(".py")
                || !(setup || init)
                        && NOT_IMPORTED
                                .matcher(file.path().toLowerCase(java.util.Locale.ROOT))
                                .find()
                || !TRIGGERS.possible(file)) {
            return List.of();
        }
        String name = setup ? "setup.py" : init ? "__init__.py" : file.name();
        String when = setup
                ? "when pip builds or installs the package"
                : init ? "as soon as the package is imported" : "as soon as the module is imported";
        String whenShort = setup ? "at install" : "at import";
        List<Finding> findings = new ArrayList<>();
        List<String> lines = file.lines();
        boolean silenced = SILENCED.matcher(file.text()).find();
        SourceFile.Hit process = null;
        boolean processAtModuleLevel = false;
        SourceFile.Hit thread = null;
        Deque<Integer> functions = new ArrayDeque<>();
        java.util.BitSet bodies = PythonText.functionBodies(file.text(), true); // bracket-aware: signatures span lines
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
            if (code.startsWith("def ")
                    || code.startsWith("async def ")
                    || code.startsWith("class ")
                    || code.matches("if\\s+__name__\\s*==\\s*['\"]__main__['\"]\\s*:.*")) {
                functions.push(indent);
                continue;
            }
            boolean moduleLevel = functions.isEmpty() && !bodies.get(i + 1);
            SourceFile.Hit hit = new SourceFile.Hit(i + 1, line);
            java.util.regex.Matcher started = PROCESS.matcher(code);
            if (started.find() && (process == null || moduleLevel && !processAtModuleLevel)) {
                process = process == null ? hit : process;
                processAtModuleLevel |= moduleLevel;
                String command = code.substring(started.end()) + " " + (i + 1 < lines.size() ? lines.get(i + 1) : "");
                boolean benign = !FETCHES.matcher(command).find()
                        && (setup || GIT.matcher(command).find());
                if (moduleLevel) {
                    findings.add(file.finding(
                            ID,
                            benign ? Severity.LOW : Severity.HIGH,
                            name + " starts a process " + when + (silenced ? ", with its output discarded" : ""),
                            hit));
                }
            }
            if (THREAD.matcher(code).find() && moduleLevel && thread == null) {
                thread = hit;
            }
            if (moduleLevel && SYSTEM.matcher(code).find()) {
                findings.add(file.finding(
                        ID,
                        setup && !FETCHES.matcher(code).find() ? Severity.LOW : Severity.HIGH,
                        name + " runs a shell command (os.system) " + when,
                        hit));
            }
            if (moduleLevel && DYNAMIC.matcher(code).find()) {
                findings.add(file.finding(
                        ID,
                        setup || !init ? Severity.LOW : Severity.MEDIUM,
                        name + " runs dynamically built code (exec/eval) " + when,
                        hit));
            }
            if (moduleLevel && !setup && BUNDLED_LIBRARY.matcher(code).find()) {
                findings.add(file.finding(
                        ID,
                        Severity.HIGH,
                        name + " loads a native library shipped in the package (ctypes) " + when
                                + ": code no text rule reads",
                        hit));
            }
            if (moduleLevel && NETWORK.matcher(code).find()) {
                findings.add(file.finding(ID, Severity.HIGH, name + " makes a network request " + when, hit));
            }
        }
        if (thread != null && process != null) {
            findings.add(file.finding(
                    ID,
                    Severity.HIGH,
                    name + " starts a background thread " + whenShort + " that launches a process"
                            + (silenced ? " with its output discarded" : "") + " (line " + process.line() + ": "
                            + process.text().strip() + ")",
                    thread));
        } else if (thread != null) {
            findings.add(file.finding(ID, Severity.LOW, name + " starts a thread " + when, thread));
        } else if (process != null && findings.isEmpty() && (setup || init)) {
            findings.add(file.finding(
                    ID,
                    Severity.LOW,
                    name + " can start a process (inside a function)" + (silenced ? ", with its output discarded" : ""),
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
