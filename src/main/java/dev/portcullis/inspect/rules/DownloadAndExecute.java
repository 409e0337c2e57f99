package dev.portcullis.inspect.rules;

import dev.portcullis.inspect.Finding;
import dev.portcullis.inspect.Severity;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Fetching a runtime or a binary and running it: the Shai-Hulud family downloads Bun from
 * {@code github.com/oven-sh/bun/releases} and runs a 10 MB script with it; ultralytics 8.3.46 and
 * ua-parser-js fetched XMRig. A reference to such a download alone is worth a look; together with
 * code that executes, it is the loader pattern.
 */
public final class DownloadAndExecute implements ContentRule {

  public static final String ID = "download-execute";

  /** Runtimes and tools that have no business being fetched by a library at run time. */
  private static final Pattern RUNTIME = Pattern.compile(
      "oven-sh/bun|bun\\.sh/install|bun-v\\d|nodejs\\.org/dist|denoland/deno/releases|deno\\.land/install|dl\\.deno\\.land"
          + "|xmrig|supportxmr|minexmr|nanopool\\.org|trufflehog/releases", Pattern.CASE_INSENSITIVE);
  /** Any URL to an executable, archive of one, or a GitHub release asset. */
  private static final Pattern BINARY_URL = Pattern.compile(
      "https?://[^\\s'\"]+(?:/releases/download/[^\\s'\"]+|\\.(?:exe|msi|dll|so|dylib|bin|elf|appimage|sh|ps1))(?=[\\s'\"?#)]|$)",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern EXECUTES = Pattern.compile(
      "subprocess\\.\\w+\\s*\\(|Popen\\s*\\(|os\\.system\\s*\\(|os\\.exec\\w*\\s*\\(|os\\.spawn\\w*\\s*\\(|os\\.chmod\\s*\\(|chmod\\s+\\+x"
          + "|require\\(\\s*['\"]child_process|execSync\\s*\\(|spawnSync\\s*\\(|\\bspawn\\s*\\(|Bun\\.spawn"
          + "|\\|\\s*(ba)?sh\\b|Start-Process|Invoke-Expression|\\biex\\b");
  private static final Pattern MINER = Pattern.compile("xmrig|stratum\\+tcp://|supportxmr|minexmr|nanopool\\.org", Pattern.CASE_INSENSITIVE);

  @Override
  public String id() {
    return ID;
  }

  @Override
  public List<Finding> check(SourceFile file) {
    if (!file.kind().isScript()) {
      return List.of();
    }
    Optional<SourceFile.Hit> miner = file.find(MINER);
    if (miner.isPresent()) {
      return List.of(file.finding(ID, Severity.HIGH, "references a cryptocurrency miner or mining pool", miner.get()));
    }
    Optional<SourceFile.Hit> runtime = file.find(RUNTIME);
    Optional<SourceFile.Hit> download = runtime.isPresent() ? runtime : file.find(BINARY_URL);
    if (download.isEmpty()) {
      return List.of();
    }
    Optional<SourceFile.Hit> executes = file.find(EXECUTES);
    String what = runtime.isPresent() ? "a JavaScript runtime or tool release" : "an executable";
    if (executes.isPresent()) {
      return List.of(file.finding(ID, Severity.HIGH, "downloads " + what + " and executes code (line " + executes.get().line()
          + ": " + executes.get().text().strip() + ")", download.get()));
    }
    return List.of(file.finding(ID, runtime.isPresent() ? Severity.MEDIUM : Severity.LOW, "refers to a download of " + what, download.get()));
  }
}
