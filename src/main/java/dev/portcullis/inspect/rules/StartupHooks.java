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
                findings.add(file.finding(
                        ID,
                        downloads ? Severity.HIGH : Severity.LOW,
                        downloads
                                ? "setup.py overrides install commands (cmdclass) and downloads something: code that runs on install"
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
            boolean dangerous = DANGEROUS.matcher(line).find() || line.length() > 400;
            findings.add(file.finding(
                    ID,
                    dangerous ? Severity.HIGH : Severity.LOW,
                    dangerous
                            ? file.name()
                                    + " runs code at every Python start-up, and that code executes, decodes, spawns or downloads"
                            : file.name() + " runs an import line at every Python start-up",
                    new SourceFile.Hit(i + 1, line)));
        }
    }
}
