package dev.portcullis.inspect.rules;

import dev.portcullis.inspect.Finding;
import dev.portcullis.inspect.Severity;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A crypto drainer in library code: it replaces the page's {@code fetch} or {@code
 * XMLHttpRequest} (or wraps the wallet's {@code ethereum.request}) so that every cryptocurrency
 * address passing through is swapped for one of its own — the chalk/debug compromise of September
 * 2025 appended exactly that, obfuscated, to index.js of eighteen core packages, with no install
 * script and no new dependency. Web3 libraries name wallets and carry contract addresses; they do
 * not overwrite the network functions. Both together, with a list of addresses, is the drainer.
 */
public final class WalletDrainer implements ContentRule {

    public static final String ID = "wallet-drainer";

    /** The drainer's own list: this many distinct addresses, or more. */
    static final int ADDRESS_LIST = 5;

    /** Assigning over fetch or XMLHttpRequest's open/send, written plainly or as obfuscators write it. */
    private static final Probe OVERRIDES = Probe.of(
            "(?:(?<![\\w$.])(?:window|globalThis|self|global)\\s*\\.\\s*fetch|\\[\\s*['\"]fetch['\"]\\s*\\])\\s*=(?![=>])"
                    + "|XMLHttpRequest[\\s\\S]{0,60}?(?:\\.\\s*(?:open|send)|\\[\\s*['\"](?:open|send)['\"]\\s*\\])\\s*=(?![=>])",
            "fetch",
            "XMLHttpRequest");
    /** A wallet's interface: the injected Ethereum or Solana provider, TronWeb, a transaction request. */
    private static final Probe WALLET = Probe.of(
            "\\bethereum\\b|eth_sendTransaction|eth_signTransaction|\\bsolana\\b|\\btronWeb\\b|signTransaction",
            "ethereum",
            "eth_s",
            "solana",
            "tronWeb",
            "signTransaction");
    /** Ethereum (0x + 40 hex), Bitcoin bech32 and legacy, Tron, Litecoin addresses written as string literals. */
    private static final Pattern ADDRESS = Pattern.compile("['\"`](0x[0-9a-fA-F]{40}|bc1[02-9ac-hj-np-z]{38,58}"
            + "|[13][1-9A-HJ-NP-Za-km-z]{25,34}|T[1-9A-HJ-NP-Za-km-z]{33}|ltc1[02-9ac-hj-np-z]{38,58})['\"`]");

    @Override
    public String id() {
        return ID;
    }

    @Override
    public List<Finding> check(SourceFile file) {
        if (file.kind() != dev.portcullis.inspect.FileKind.JAVASCRIPT) {
            return List.of();
        }
        Optional<SourceFile.Hit> override = OVERRIDES.find(file);
        if (override.isEmpty()) {
            return List.of();
        }
        int addresses = addresses(file.text());
        if (addresses >= ADDRESS_LIST) {
            return List.of(file.finding(
                    ID,
                    Severity.CRITICAL,
                    "replaces the page's network functions (fetch, XMLHttpRequest) and carries " + addresses
                            + " cryptocurrency addresses: a wallet drainer swaps the addresses users send to for these"
                            + " (the chalk/debug compromise, 2025)",
                    override.get()));
        }
        Optional<SourceFile.Hit> wallet = WALLET.find(file);
        if (wallet.isPresent()) {
            return List.of(file.finding(
                    ID,
                    Severity.HIGH,
                    "replaces the page's network functions (fetch, XMLHttpRequest) in code that handles wallet"
                            + " transactions (line " + wallet.get().line() + ")",
                    override.get()));
        }
        return List.of();
    }

    private static int addresses(String text) {
        Set<String> distinct = new HashSet<>();
        Matcher m = ADDRESS.matcher(text);
        while (m.find() && distinct.size() < 1_000) {
            distinct.add(m.group(1));
        }
        return distinct.size();
    }
}
