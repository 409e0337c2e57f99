package dev.portcullis.inspect.rules;

import dev.portcullis.inspect.FileKind;
import dev.portcullis.inspect.Finding;
import dev.portcullis.inspect.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Code that runs without anyone importing the package: executable lines in {@code .pth} files
 * (Python runs them at every interpreter start; the 2026 "Hades" wave shipped one {@code exec()}
 * line), {@code sitecustomize}/{@code usercustomize} modules, and {@code setup.py} command
 * overrides that run at install. npm's install scripts are its format's to judge (they live in
 * package.json, which the registry plug-in reads).
 */
public final class StartupHooks implements ContentRule {

    public static final String ID = "startup-hook";

    /** A start-up line that executes, decodes, spawns or downloads is the attack shape, not a path tweak. */
    private static final Pattern DANGEROUS = Pattern.compile(
            "exec\\s*\\(|eval\\s*\\(|compile\\s*\\(|subprocess|os\\.system|popen|urllib|urlopen|requests\\.|socket|http[s]?://"
                    + "|b64decode|base64|zlib|marshal|codecs\\.decode|bytes\\.fromhex");

    /** {@code exec("...")} of one constant string: judged by what the string says. */
    private static final Pattern CONSTANT_EXEC =
            Pattern.compile("(?<![\\w.])(?:exec|eval)\\s*\\(\\s*(['\"])([^'\"\\\\]*)\\1\\s*\\)");
    /** setuptools' namespace-package template (*-nspkg.pth): registers a package path, nothing else. */
    private static final Pattern NAMESPACE_TEMPLATE =
            Pattern.compile("^import sys, types, os;.*sys\\._getframe\\(1\\)\\.f_locals\\['sitedir'\\].*__path__");
    /** What makes a setup.py's download a payload rather than a source archive: running or loading something. */
    private static final Pattern RUNS = Pattern.compile(
            "(?<![\\w.])(exec|eval)\\s*\\(|subprocess|os\\.system|Popen|os\\.chmod|chmod\\s+\\+x|ctypes");

    private static final Pattern CMDCLASS = Pattern.compile("cmdclass\\s*=|cmdclass\\s*\\[|['\"]cmdclass['\"]");
    private static final Pattern NETWORK = Pattern.compile(
            "urlopen|urlretrieve|requests\\.(get|post)|http\\.client|https?://\\S+\\.(exe|sh|bin|zip|gz)");

    @Override
    public String id() {
        return ID;
    }

    @Override
    public List<Finding> check(SourceFile file) {
        List<Finding> findings = new ArrayList<>();
        String name = file.lowerName();
        if (name.endsWith(".pth")) {
            pth(file, findings);
        } else if (name.equals("sitecustomize.py") || name.equals("usercustomize.py")) {
            findings.add(file.finding(
                    ID,
                    Severity.MEDIUM,
                    name + " is a module Python runs at every interpreter start, for every program",
                    null));
        } else if (name.equals("setup.py") && file.kind() == FileKind.PYTHON) {
            file.find(CMDCLASS).ifPresent(hit -> {
                boolean downloads = file.find(NETWORK).isPresent();
                boolean runs = downloads && file.find(RUNS).isPresent();
                findings.add(file.finding(
                        ID,
                        runs ? Severity.HIGH : downloads ? Severity.MEDIUM : Severity.LOW,
                        runs
                                ? "setup.py overrides install commands (cmdclass), downloads something and runs code: a loader that runs on install"
                                : downloads
                                        ? "setup.py overrides install commands (cmdclass) and downloads something at install (a source archive to build, or a payload)"
                                        : "setup.py overrides build or install commands (cmdclass), which run when the package is installed from source",
                        hit));
            });
        }
        return findings;
    }

    private static void pth(SourceFile file, List<Finding> findings) {
        List<String> lines = file.lines();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (!(line.startsWith("import ") || line.startsWith("import\t"))) {
                continue; // site.py only executes lines that start with "import"
            }
            SourceFile.Hit hit = new SourceFile.Hit(i + 1, line);
            if (NAMESPACE_TEMPLATE.matcher(line).find()) {
                findings.add(file.finding(
                        ID,
                        Severity.LOW,
                        file.name() + " registers a namespace package's path (setuptools' template)",
                        hit));
                continue;
            }
            // exec of a constant string (coverage's start-up line) is judged by the string's own text
            String judged = CONSTANT_EXEC
                    .matcher(line)
                    .replaceAll(m -> java.util.regex.Matcher.quoteReplacement(
                            m.group(2).replace("exec", "").replace("eval", "") + " "));
            boolean dangerous = DANGEROUS.matcher(judged).find();
            boolean long_ = line.length() > 400;
            findings.add(file.finding(
                    ID,
                    dangerous ? Severity.HIGH : long_ ? Severity.MEDIUM : Severity.LOW,
                    dangerous
                            ? file.name()
                                    + " runs code at every Python start-up, and that code executes, decodes, spawns or downloads"
                            : long_
                                    ? file.name() + " runs a " + line.length()
                                            + "-character line at every Python start-up"
                                    : file.name() + " runs an import line at every Python start-up",
                    hit));
        }
    }
}
