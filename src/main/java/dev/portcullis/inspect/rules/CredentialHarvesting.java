package dev.portcullis.inspect.rules;

import dev.portcullis.inspect.Finding;
import dev.portcullis.inspect.Severity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reading other people's secrets: SSH keys, cloud and registry credentials ({@code ~/.aws},
 * {@code .npmrc}, {@code .pypirc}, {@code .git-credentials}, Docker and Kubernetes configs),
 * {@code .env} files, cloud metadata endpoints (IMDS), another process's memory ({@code
 * /proc/<pid>/mem}, how the Shai-Hulud family reads GitHub Actions secrets), {@code gh auth token},
 * and dumps of token-like environment variables. Some tools legitimately read one of these (twine
 * reads {@code .pypirc}); several in one file, or one next to network code, is what stealers do.
 */
public final class CredentialHarvesting implements ContentRule {

    public static final String ID = "credentials";

    private static final Map<String, Probe> INDICATORS = new LinkedHashMap<>();

    static {
        INDICATORS.put("SSH keys", Probe.of("\\.ssh/(id_|authorized_keys|known_hosts)|\\.ssh['\"]", ".ssh"));
        INDICATORS.put(
                "AWS credentials",
                Probe.of(
                        "\\.aws/credentials|\\.aws['\"]\\s*,\\s*['\"]credentials|AWS_SECRET_ACCESS_KEY",
                        ".aws",
                        "AWS_SECRET"));
        INDICATORS.put("npm tokens", Probe.of("\\.npmrc|NPM_TOKEN|npm_[A-Za-z0-9]{36}", ".npmrc", "NPM_TOKEN", "npm_"));
        INDICATORS.put("PyPI credentials", Probe.of("\\.pypirc", ".pypirc"));
        INDICATORS.put("git credentials", Probe.of("\\.git-credentials", ".git-credentials"));
        INDICATORS.put(
                "Docker or Kubernetes credentials",
                Probe.of(
                        "\\.docker/config\\.json|\\.kube/config|serviceaccount/token",
                        ".docker/",
                        ".kube/",
                        "serviceaccount"));
        INDICATORS.put(
                ".env files",
                Probe.of(
                        "open\\s*\\(\\s*['\"][^'\"]*\\.env['\"]|readFileSync\\s*\\(\\s*['\"][^'\"]*\\.env['\"]|['\"]\\.env['\"]",
                        ".env"));
        INDICATORS.put(
                "cloud metadata endpoint",
                Probe.of(
                        "169\\.254\\.169\\.254|metadata\\.google\\.internal|fd00:ec2::254",
                        "169.254.169.254",
                        "metadata.google",
                        "fd00:ec2"));
        INDICATORS.put(
                "another process's memory",
                Probe.of("/proc/[^'\"\\s]*/mem\\b|Runner\\.Worker", "/proc/", "Runner.Worker"));
        INDICATORS.put(
                "GitHub CLI token",
                Probe.of("gh\\s+auth\\s+token|ghp_[A-Za-z0-9]{36}|GITHUB_TOKEN", "auth", "ghp_", "GITHUB_TOKEN"));
        INDICATORS.put(
                "crypto wallets",
                Probe.ignoringCase(
                        "wallet\\.dat|Exodus/|\\.config/solana|Ethereum/keystore|MetaMask",
                        "wallet.dat",
                        "exodus/",
                        ".config/solana",
                        "ethereum/keystore",
                        "metamask"));
        INDICATORS.put(
                "environment dump",
                Probe.of(
                        "JSON\\.stringify\\s*\\(\\s*process\\.env\\s*\\)|json\\.dumps\\s*\\(\\s*(dict\\s*\\(\\s*)?os\\.environ|os\\.environ\\.items\\s*\\(\\s*\\)[^\\n]{0,80}(TOKEN|SECRET|KEY|PASS)"
                                + "|Object\\.(keys|entries)\\s*\\(\\s*process\\.env\\s*\\)[^\\n]{0,80}(TOKEN|SECRET|KEY)",
                        "process.env",
                        "os.environ"));
    }

    /** Read by legitimate packaging tools (twine, distutils' upload): alone, never more than low. */
    private static final java.util.Set<String> WEAK = java.util.Set.of("PyPI credentials");

    static final Probe NETWORK = Probe.of(
            "urlopen|urllib\\.request|requests\\.(post|put|get)|http\\.client|socket\\.|\\bfetch\\s*\\(|https?\\.request|XMLHttpRequest|axios|curl\\s",
            "urlopen",
            "urllib",
            "requests.",
            "http.client",
            "socket.",
            "fetch",
            ".request",
            "XMLHttpRequest",
            "axios",
            "curl");

    @Override
    public String id() {
        return ID;
    }

    @Override
    public List<Finding> check(SourceFile file) {
        if (!file.kind().isScript()) {
            return List.of();
        }
        List<String> found = new ArrayList<>();
        SourceFile.Hit first = null;
        for (Map.Entry<String, Probe> indicator : INDICATORS.entrySet()) {
            var hit = indicator.getValue().find(file);
            if (hit.isPresent()) {
                found.add(indicator.getKey());
                first = first == null ? hit.get() : first;
            }
        }
        if (found.isEmpty()) {
            return List.of();
        }
        boolean network = NETWORK.find(file).isPresent();
        boolean onlyOwnConfig = found.stream().allMatch(WEAK::contains);
        Severity severity = found.size() >= 3 || (network && found.size() >= 2)
                ? Severity.HIGH
                : found.size() == 2 || (network && !onlyOwnConfig) ? Severity.MEDIUM : Severity.LOW;
        return List.of(file.finding(
                ID,
                severity,
                "reads " + String.join(", ", found) + (network ? ", in a file that also uses the network" : ""),
                first));
    }
}
