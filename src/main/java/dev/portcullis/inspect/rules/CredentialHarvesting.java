package dev.portcullis.inspect.rules;

import dev.portcullis.inspect.Finding;
import dev.portcullis.inspect.Severity;
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

    /**
     * Read by legitimate tools: twine and distutils read {@code .pypirc}; web frameworks and dev
     * servers read or guard {@code .env} files (dotenv, Vite's deny list). They add to a finding's
     * words and to medium, never to high.
     */
    private static final java.util.Set<String> WEAK = java.util.Set.of("PyPI credentials", ".env files");

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

    /** How close (in lines) the reads and the sending must be to be one piece of code. */
    static final int NEAR = 50;

    @Override
    public List<Finding> check(SourceFile file) {
        if (!file.kind().isScript()) {
            return List.of();
        }
        // Where each kind of secret is named: a stealer names several close together and sends them;
        // a large bundle that mentions .npmrc in one place and .env in another is not one.
        Map<String, List<Integer>> lines = new LinkedHashMap<>();
        SourceFile.Hit first = null;
        for (Map.Entry<String, Probe> indicator : INDICATORS.entrySet()) {
            List<SourceFile.Hit> hits = indicator.getValue().findAll(file, 200);
            if (!hits.isEmpty()) {
                lines.put(
                        indicator.getKey(),
                        hits.stream().map(SourceFile.Hit::line).toList());
                first = first == null ? hits.getFirst() : first;
            }
        }
        if (lines.isEmpty()) {
            return List.of();
        }
        List<Integer> network =
                NETWORK.findAll(file, 2_000).stream().map(SourceFile.Hit::line).toList();
        Cluster best = cluster(lines, network);
        List<String> found = List.copyOf(lines.keySet());
        boolean onlyOwnConfig = best.kinds().stream().allMatch(WEAK::contains);
        long strong = best.kinds().stream().filter(k -> !WEAK.contains(k)).count();
        Severity severity = strong >= 3 || (best.network() && strong >= 2)
                ? Severity.HIGH
                : best.kinds().size() == 2 || found.size() >= 3 || (best.network() && !onlyOwnConfig)
                        ? Severity.MEDIUM
                        : Severity.LOW;
        String near = best.kinds().size() < found.size()
                ? " (at most " + best.kinds().size() + " within " + NEAR + " lines)"
                : "";
        return List.of(file.finding(
                ID,
                severity,
                "reads " + String.join(", ", found) + near
                        + (best.network() ? ", next to code that uses the network" : ""),
                first));
    }

    /** The most kinds of secret named within {@link #NEAR} lines of each other, and whether network code is as near. */
    record Cluster(java.util.Set<String> kinds, boolean network) {}

    static Cluster cluster(Map<String, List<Integer>> lines, List<Integer> network) {
        Cluster best = new Cluster(java.util.Set.of(), false);
        for (List<Integer> anchors : lines.values()) {
            for (int anchor : anchors) {
                java.util.Set<String> kinds = new java.util.TreeSet<>();
                lines.forEach((kind, at) -> {
                    if (at.stream().anyMatch(l -> l >= anchor && l <= anchor + NEAR)) {
                        kinds.add(kind);
                    }
                });
                boolean near = network.stream().anyMatch(l -> Math.abs(l - anchor) <= NEAR);
                if (kinds.size() > best.kinds().size()
                        || (kinds.size() == best.kinds().size() && near && !best.network())) {
                    best = new Cluster(kinds, near);
                }
            }
        }
        return best;
    }
}
