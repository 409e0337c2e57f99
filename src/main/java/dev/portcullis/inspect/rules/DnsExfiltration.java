package dev.portcullis.inspect.rules;

import dev.portcullis.inspect.Finding;
import dev.portcullis.inspect.Severity;
import java.util.List;
import java.util.Optional;

/**
 * Data sent out as DNS names: a lookup ({@code gethostbyname}, {@code getaddrinfo}, {@code
 * dns.resolve}/{@code lookup}, a resolver query) of a name built from encoded data — hex, base32 or
 * base64 labels — which passes firewalls that stop HTTP (the pattern of several PyPI and npm
 * "dependency confusion" probes). High when the same file also reads who and where it runs
 * (environment, user, host name), which is what such lookups carry.
 */
public final class DnsExfiltration implements ContentRule {

    public static final String ID = "dns-exfiltration";

    /** A lookup whose argument is built on the spot: concatenated, formatted or joined. */
    private static final Probe LOOKUP_OF_BUILT_NAME = Probe.of(
            "(?:gethostbyname(?:_ex)?|getaddrinfo|\\bdns(?:\\.promises|Promises)?\\.(?:resolve\\w*|lookup)|\\bresolver\\.(?:resolve|query))"
                    + "\\s*\\(\\s*(?:f['\"]|`|[^\\n)]{0,160}(?:\\+|\\.format\\s*\\(|%\\s*\\(|\\.join\\s*\\(|\\$\\{))",
            "gethostbyname", "getaddrinfo", "dns", "resolver.");
    /** Data made fit for a DNS label. */
    private static final Probe ENCODES = Probe.of(
            "\\.hex\\s*\\(|hexlify\\s*\\(|b32encode\\s*\\(|b64encode\\s*\\(|urlsafe_b64encode\\s*\\(|toString\\s*\\(\\s*['\"](?:hex|base64)['\"]"
                    + "|\\.encode\\s*\\(\\s*['\"]hex['\"]",
            "hex",
            "b32encode",
            "b64encode",
            "toString",
            "encode");
    /** Who and where: the data such lookups carry. */
    private static final Probe READS_HOST = Probe.of(
            "os\\.environ|os\\.getenv|process\\.env|getpass\\.getuser|os\\.getlogin|socket\\.gethostname|platform\\.node|os\\.hostname\\s*\\("
                    + "|os\\.userInfo|os\\.getcwd|process\\.cwd",
            "environ",
            "getenv",
            "process.",
            "getuser",
            "getlogin",
            "gethostname",
            "platform.node",
            "hostname",
            "userInfo",
            "getcwd");

    @Override
    public String id() {
        return ID;
    }

    @Override
    public List<Finding> check(SourceFile file) {
        if (!file.kind().isScript()) {
            return List.of();
        }
        Optional<SourceFile.Hit> lookup = LOOKUP_OF_BUILT_NAME.find(file);
        if (lookup.isEmpty()) {
            return List.of();
        }
        Optional<SourceFile.Hit> encodes = ENCODES.find(file);
        if (encodes.isEmpty()) {
            return List.of();
        }
        Optional<SourceFile.Hit> host = READS_HOST.find(file);
        if (host.isPresent()) {
            return List.of(file.finding(
                    ID,
                    Severity.HIGH,
                    "looks up a DNS name built from encoded data (line "
                            + encodes.get().line() + ") and reads its environment (line "
                            + host.get().line() + "): data sent out as DNS queries",
                    lookup.get()));
        }
        return List.of(file.finding(ID, Severity.MEDIUM, "looks up a DNS name built from encoded data", lookup.get()));
    }
}
