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
        Optional<SourceFile.Hit> runtime = RUNTIME.find(file);
        Optional<SourceFile.Hit> download = runtime.isPresent() ? runtime : BINARY_URL.find(file);
        if (download.isEmpty()) {
            return List.of();
        }
        Optional<SourceFile.Hit> executes = EXECUTES.find(file);
        String what = runtime.isPresent() ? "a JavaScript runtime or tool release" : "an executable";
        if (executes.isPresent()) {
            return List.of(file.finding(
                    ID,
                    Severity.HIGH,
                    "downloads " + what + " and executes code (line "
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
