package dev.portcullis.inspect.rules;

import dev.portcullis.inspect.Finding;
import java.util.List;

/** One content rule. Implementations are stateless and cheap to call once per file. */
public interface ContentRule {

    /** The rule's id, used in findings and signals (e.g. {@code startup-hook}). */
    String id();

    List<Finding> check(SourceFile file);

    /** Every built-in rule, in the order their findings are reported. */
    static List<ContentRule> all() {
        return List.of(
                new StartupHooks(),
                new ImportTimeSideEffects(),
                new DownloadAndExecute(),
                new Obfuscation(),
                new CredentialHarvesting(),
                new Exfiltration(),
                new WalletDrainer(),
                new RemoteShell(),
                new DnsExfiltration(),
                new SecretFlow());
    }
}
