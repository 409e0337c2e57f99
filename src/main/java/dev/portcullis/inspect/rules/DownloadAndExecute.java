package dev.portcullis.inspect.rules;

import dev.portcullis.inspect.Finding;
import dev.portcullis.inspect.Severity;
import java.util.List;
import java.util.Optional;

/**
 * Fetching a runtime or a binary and running it: the Shai-Hulud family downloads Bun from
 * {@code github.com/oven-sh/bun/releases} and runs a 10 MB script with it; ultralytics 8.3.46 and
 * ua-parser-js fetched XMRig. A reference to such a download alone is worth a look; together with
 * code that executes, it is the loader pattern.
 *
 * <p>In Python, where the download and the execution both sit inside functions (a language
 * server fetching Node.js the first time its command runs), it is medium: it runs when a user
 * calls it, not on import or install. A dropper is high wherever it is: a file fetched to disk,
 * made executable and started (ultralytics' {@code safe_run}, ua-parser-js' {@code jsextension}),
 * whatever the address.
 */
public final class DownloadAndExecute implements ContentRule {

    public static final String ID = "download-execute";

    /** Runtimes and tools that have no business being fetched by a library at run time. */
    private static final Probe RUNTIME = Probe.ignoringCase(
            "oven-sh/bun|bun\\.sh/install|bun-v\\d|nodejs\\.org/dist|denoland/deno/releases|deno\\.land/install|dl\\.deno\\.land"
                    + "|trufflehog/releases",
            "bun",
            "nodejs.org",
            "deno",
            "trufflehog");
    /** Any URL to an executable, archive of one, or a GitHub release asset. */
    private static final Probe BINARY_URL = Probe.ignoringCase(
            "https?://[^\\s'\"]+(?:/releases/download/[^\\s'\"]+|\\.(?:exe|msi|dll|so|dylib|bin|elf|appimage|sh|ps1))(?=[\\s'\"?#)]|$)",
            "http");

    private static final Probe EXECUTES = Probe.of(
            "subprocess\\.\\w+\\s*\\(|Popen\\s*\\(|os\\.system\\s*\\(|os\\.exec\\w*\\s*\\(|os\\.spawn\\w*\\s*\\(|os\\.chmod\\s*\\(|chmod\\s+\\+x"
                    + "|require\\(\\s*['\"]child_process|execSync\\s*\\(|spawnSync\\s*\\(|\\bspawn\\s*\\(|Bun\\.spawn"
                    + "|\\|\\s*(ba)?sh\\b|Start-Process|Invoke-Expression|\\biex\\b",
            "subprocess",
            "Popen",
            "os.",
            "chmod",
            "child_process",
            "Sync(",
            "spawn",
            "sh",
            "Start-Process",
            "Invoke-Expression",
            "iex");
    /** Fetching into a file: the first step of a dropper. */
    private static final Probe FETCH_TO_FILE = Probe.ignoringCase(
            "urlretrieve\\s*\\(|\\bwget\\s|\\bcurl\\s[^\\n]*\\s-[a-z]*o\\s|Invoke-WebRequest[^\\n]*-OutFile|createWriteStream|bitsadmin\\s+/transfer",
            "urlretrieve",
            "wget",
            "curl",
            "invoke-webrequest",
            "createwritestream",
            "bitsadmin");
    /** Making a file executable. */
    private static final Probe MAKE_EXECUTABLE = Probe.of(
            "os\\.chmod\\s*\\([^\\n]*(S_IEXEC|S_IXUSR|0o7|0o5|0o7\\d\\d|493|0755)|chmod\\s+(\\+x|[0-7]?7[0-7][0-7])|chmodSync\\s*\\([^\\n]*(0o?7|755|493)",
            "chmod");

    /** Starting a program (not chmod, which EXECUTES also counts). */
    private static final Probe EXECUTES_PROCESS = Probe.of(
            "subprocess\\.\\w+\\s*\\(|Popen\\s*\\(|os\\.system\\s*\\(|os\\.exec\\w*\\s*\\(|os\\.spawn\\w*\\s*\\(|execSync\\s*\\(|spawnSync\\s*\\("
                    + "|\\bspawn\\s*\\(|execFile\\w*\\s*\\(|Start-Process|(&&|;|\\n)\\s*(\\./|/tmp/)[\\w.-]+",
            "subprocess",
            "Popen",
            "os.",
            "Sync(",
            "spawn",
            "execFile",
            "Start-Process",
            "./",
            "/tmp/");

    private static final Probe MINER = Probe.ignoringCase(
            "xmrig|stratum\\+tcp://|supportxmr|minexmr|nanopool\\.org",
            "xmrig",
            "stratum+tcp",
            "supportxmr",
            "minexmr",
            "nanopool");

    @Override
    public String id() {
        return ID;
    }

    @Override
    public List<Finding> check(SourceFile file) {
        if (!file.kind().isScript()) {
            return List.of();
        }
        Optional<SourceFile.Hit> miner = MINER.find(file);
        if (miner.isPresent()) {
            return List.of(
                    file.finding(ID, Severity.HIGH, "references a cryptocurrency miner or mining pool", miner.get()));
        }
        Optional<SourceFile.Hit> fetched = FETCH_TO_FILE.find(file);
        Optional<SourceFile.Hit> executable = fetched.isPresent() ? MAKE_EXECUTABLE.find(file) : Optional.empty();
        Optional<SourceFile.Hit> started = executable.isPresent() ? EXECUTES_PROCESS.find(file) : Optional.empty();
        if (started.isPresent()) {
            return List.of(file.finding(
                    ID,
                    Severity.HIGH,
                    "fetches a file, makes it executable (line "
                            + executable.get().line() + ") and starts a program" + " (line "
                            + started.get().line() + ": " + started.get().text().strip() + "): a dropper",
                    fetched.get()));
        }
        Optional<SourceFile.Hit> runtime = RUNTIME.find(file);
        Optional<SourceFile.Hit> download = runtime.isPresent() ? runtime : BINARY_URL.find(file);
        if (download.isEmpty()) {
            return List.of();
        }
        Optional<SourceFile.Hit> executes = EXECUTES.find(file);
        String what = runtime.isPresent() ? "a JavaScript runtime or tool release" : "an executable";
        boolean onDemand = executes.isPresent()
                && file.kind() == dev.portcullis.inspect.FileKind.PYTHON
                && file.insideFunction(download.get().line())
                && file.insideFunction(executes.get().line());
        if (executes.isPresent()) {
            return List.of(file.finding(
                    ID,
                    onDemand ? Severity.MEDIUM : Severity.HIGH,
                    "downloads " + what + " and executes code" + (onDemand ? " when a function of it is called" : "")
                            + " (line "
                            + executes.get().line() + ": "
                            + executes.get().text().strip() + ")",
                    download.get()));
        }
        return List.of(file.finding(
                ID,
                runtime.isPresent() ? Severity.MEDIUM : Severity.LOW,
                "refers to a download of " + what,
                download.get()));
    }
}
