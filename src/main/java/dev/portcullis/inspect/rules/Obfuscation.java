package dev.portcullis.inspect.rules;

import dev.portcullis.inspect.Finding;
import dev.portcullis.inspect.Severity;
import java.util.ArrayList;
import java.util.List;

/**
 * Code written not to be read: extremely long single lines (lightning's 11.4 MB one-line
 * {@code router_runtime.js}), identifiers mangled as {@code _0x1a2b} (javascript-obfuscator; the
 * chalk/debug drainer), decode-then-execute ({@code exec(base64.b64decode(…))}, {@code
 * eval(atob(…))}, {@code exec(Fernet(k).decrypt(t))}, {@code marshal.loads}, also reached through
 * {@code __import__('marshal')} or {@code getattr(__import__('builtins'), 'exec')}), {@code chr()} chains, and long high-entropy string blobs.
 */
public final class Obfuscation implements ContentRule {

    public static final String ID = "obfuscation";

    static final long LONG_LINE = 20_000;
    /** Generated code (schema validators, parser tables) reaches tens of thousands; packed payloads, megabytes. */
    static final long VERY_LONG_LINE = 100_000;

    static final int MANGLED_MIN = 20;
    static final int BLOB_MIN = 1_024;
    static final double BLOB_ENTROPY = 5.2;

    private static final Probe MANGLED = Probe.of("\\b_0x[0-9a-f]{4,6}\\b", "_0x");
    private static final Probe DECODE_EXEC = Probe.of(
            "(?<![\\w$.])(exec|eval|compile)\\s*\\(.{0,80}(b64decode|b32decode|a85decode|decompress|marshal\\.loads|fromhex|codecs\\.decode|rot13|\\[::-1\\]|decrypt\\s*\\("
                    + "|__import__\\s*\\(\\s*['\"](?:marshal|base64|zlib|lzma|bz2|codecs)['\"])"
                    + "|(?<![\\w$.])(eval|Function)\\s*\\(.{0,80}(atob\\s*\\(|Buffer\\.from\\s*\\([^)]*base64)"
                    + "|__import__\\s*\\(\\s*['\"]marshal['\"]\\s*\\)"
                    + "|__import__\\s*\\(\\s*['\"]builtins['\"]\\s*\\)\\s*\\.\\s*(?:exec|eval|compile)\\s*\\("
                    + "|getattr\\s*\\(\\s*__import__\\s*\\(\\s*['\"](?:builtins|marshal)['\"]\\s*\\)\\s*,\\s*['\"](?:exec|eval|loads)['\"]",
            "exec",
            "eval",
            "compile",
            "Function",
            "marshal",
            "__import__");
    private static final Probe CHR_CHAIN = Probe.of(
            "(chr\\s*\\(\\s*\\d+\\s*\\)\\s*\\+\\s*){6,}|String\\.fromCharCode\\s*\\((\\s*\\d+\\s*,){12,}",
            "chr",
            "fromCharCode");

    @Override
    public String id() {
        return ID;
    }

    @Override
    public List<Finding> check(SourceFile file) {
        if (!file.kind().isScript()) {
            return List.of();
        }
        List<Finding> findings = new ArrayList<>();
        int mangled = MANGLED.count(file, 1_000);
        if (mangled >= MANGLED_MIN) {
            findings.add(file.finding(
                    ID,
                    Severity.HIGH,
                    "identifiers are mangled like obfuscator output (" + (mangled >= 1_000 ? "1000+" : mangled)
                            + " names of the form _0x…)",
                    MANGLED.find(file).orElse(null)));
        }
        if (file.longestLine() >= LONG_LINE) {
            findings.add(file.finding(
                    ID,
                    mangled >= MANGLED_MIN
                            ? Severity.HIGH
                            : file.longestLine() >= VERY_LONG_LINE ? Severity.MEDIUM : Severity.LOW,
                    "a single line of " + file.longestLine() + " characters in a "
                            + file.kind().wireName() + " file of " + file.size()
                            + " bytes: code packed so no person can review it",
                    null));
        }
        DECODE_EXEC
                .find(file)
                .ifPresent(hit ->
                        findings.add(file.finding(ID, Severity.HIGH, "decodes hidden code and executes it", hit)));
        CHR_CHAIN
                .find(file)
                .ifPresent(hit -> findings.add(file.finding(
                        ID,
                        Severity.MEDIUM,
                        "builds a string character by character from numbers, hiding what it says",
                        hit)));
        blob(file, findings);
        return findings;
    }

    /** The first long run of base64/hex-like characters whose entropy says it is encoded data. */
    private static void blob(SourceFile file, List<Finding> findings) {
        String text = file.text();
        int start = -1;
        for (int i = 0; i <= text.length(); i++) {
            boolean encoded = i < text.length() && isEncodingChar(text.charAt(i));
            if (encoded && start < 0) {
                start = i;
            } else if (!encoded && start >= 0) {
                if (i - start >= BLOB_MIN) {
                    double entropy = entropy(text, start, i);
                    if (entropy >= BLOB_ENTROPY) {
                        findings.add(file.finding(
                                ID,
                                Severity.MEDIUM,
                                String.format(
                                        java.util.Locale.ROOT,
                                        "an encoded blob of %d characters (entropy %.1f bits per character)",
                                        i - start,
                                        entropy),
                                file.hitAt(start)));
                        return;
                    }
                }
                start = -1;
            }
        }
    }

    private static boolean isEncodingChar(char c) {
        return (c >= 'A' && c <= 'Z')
                || (c >= 'a' && c <= 'z')
                || (c >= '0' && c <= '9')
                || c == '+'
                || c == '/'
                || c == '='
                || c == '-'
                || c == '_';
    }

    static double entropy(String text, int from, int to) {
        int[] counts = new int[128];
        for (int i = from; i < to; i++) {
            counts[text.charAt(i) & 0x7f]++;
        }
        double n = to - from;
        double h = 0;
        for (int c : counts) {
            if (c > 0) {
                double p = c / n;
                h -= p * Math.log(p) / Math.log(2);
            }
        }
        return h;
    }
}
