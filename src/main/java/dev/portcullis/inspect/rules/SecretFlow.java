package dev.portcullis.inspect.rules;

import dev.portcullis.inspect.FileKind;
import dev.portcullis.inspect.Finding;
import dev.portcullis.inspect.Severity;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Secrets flowing to the network inside one file (docs/INSPECTION.md): a <em>source</em> — the
 * whole environment ({@code dict(os.environ)}, {@code JSON.stringify(process.env)}), a credential
 * store (SSH keys, cloud and registry credential files, browser stores, {@code gh auth token}),
 * a cloud SDK's credential API ({@code get_credentials()}), a wallet's secret key — reaching the
 * arguments of a network call, directly or through the names it is assigned to (followed through
 * assignments, loop variables and the parameters of the file's own functions). ctx 0.2.2 sent
 * every environment value in a URL path; @solana/web3.js 1.95.6 sent secret keys in a header of
 * an innocent-looking {@code fetch}: neither names a secret the way {@code credentials} looks for.
 * A credential that only travels in an {@code Authorization} header is being used, not stolen (a
 * GitHub client sending the user's token) and one variable of the environment is configuration.
 * Also high: a signing function replaced by one that can reach the network (a patched wallet).
 */
public final class SecretFlow implements ContentRule {

    public static final String ID = "secret-flow";

    private static final Probe SOURCES = Probe.of(
            "dict\\(\\s*os\\.environ\\s*\\)|os\\.environ\\.(?:items|values)\\s*\\("
                    + "|(?:dumps|str|repr)\\s*\\(\\s*os\\.environ\\s*\\)"
                    + "|(?:stringify|Object\\.(?:keys|entries|values))\\s*\\(\\s*process\\.env\\s*\\)"
                    + "|\\.ssh/(?!authorized_keys|known_hosts|config\\b)|\\bid_(?:rsa|ed25519|ecdsa|dsa)\\b|\\.aws/credentials|\\.npmrc|\\.pypirc|\\.git-credentials"
                    + "|\\.docker/config\\.json|\\.kube/config|\\.netrc\\b|Local Storage|\\bleveldb\\b|Login Data|wallet\\.dat"
                    + "|\\.config/gh/hosts|\\.config/gcloud|gh\\s+auth\\s+token|[Ss]ession(?:\\(\\s*\\))?\\.get_credentials\\s*\\(|get_frozen_credentials"
                    + "|google\\.auth\\.default\\s*\\(|DefaultAzureCredential|fromIni\\s*\\(|\\.secretKey\\b|\\bmnemonic\\b",
            "environ",
            "process.env",
            ".ssh/",
            "id_",
            ".aws/",
            ".npmrc",
            ".pypirc",
            ".git-credentials",
            ".docker/",
            ".kube/",
            ".netrc",
            "Local Storage",
            "leveldb",
            "Login Data",
            "wallet.dat",
            ".config/",
            "auth token",
            "credentials",
            "google.auth",
            "DefaultAzureCredential",
            "fromIni",
            "secretKey",
            "mnemonic");

    private static final Pattern SINK = Pattern.compile(
            "(?:requests|httpx|session|client)\\.(?:get|post|put|patch|request)\\s*\\(|\\burlopen\\s*\\(|\\bRequest\\s*\\("
                    + "|\\.sendall\\s*\\(|\\.sendto\\s*\\(|\\bfetch\\s*\\(|\\bhttps?\\.(?:request|get)\\s*\\("
                    + "|\\baxios(?:\\.\\w+)?\\s*\\(|\\bgot(?:\\.\\w+)?\\s*\\(|new\\s+WebSocket\\s*\\(|\\bxhr\\.send\\s*\\(",
            Pattern.CASE_INSENSITIVE);
    /** Literals every sink contains (in any case), and every key-material name. */
    private static final Probe SINKS = Probe.ignoringCase(
            "(?!)",
            "requests",
            "httpx",
            "session",
            "client",
            "urlopen",
            "request",
            "sendall",
            "sendto",
            "fetch",
            "http",
            "axios",
            "got",
            "websocket",
            "xhr");

    private static final Probe KEYS = Probe.of("(?!)", "privateKey", "secretKey", "mnemonic", "seedPhrase");
    private static final Pattern CALL = Pattern.compile("([A-Za-z_$][\\w$]*)\\s*\\(");
    private static final Pattern REQUEST_OBJECT =
            Pattern.compile("(?:const|let|var)?\\s*(\\w+)\\s*=\\s*https?\\.request\\s*\\(");
    private static final Pattern ASSIGNMENT = Pattern.compile(
            "^\\s*(?:(?:const|let|var)\\s+)?([A-Za-z_$][\\w$]*)\\s*(?:\\+|\\|)?=(?!=)\\s*(.*)$", Pattern.MULTILINE);
    private static final Pattern LOOP = Pattern.compile(
            "^\\s*for\\s+\\(?\\s*(?:(?:const|let|var)\\s+)?([\\w$,\\s\\[\\]]+?)\\s+(?:in|of)\\s+(.*)$",
            Pattern.MULTILINE);
    private static final Pattern WITH_AS = Pattern.compile("^\\s*with\\s+(.*)\\s+as\\s+(\\w+)\\s*:", Pattern.MULTILINE);
    private static final Pattern FUNCTION = Pattern.compile(
            "(?:def|function)\\s+([A-Za-z_$][\\w$]*)\\s*\\(([^)]*)\\)|([A-Za-z_$][\\w$]*)\\s*=\\s*(?:async\\s*)?\\(([^)]*)\\)\\s*=>"
                    + "|([A-Za-z_$][\\w$]*)\\s*=\\s*(?:async\\s+)?([A-Za-z_$][\\w$]*)\\s*=>");
    private static final Pattern SIGNER_PATCHED = Pattern.compile(
            "\\.(?:signTransaction|signMessage|signTypedData|_signTypedData|signAllTransactions|sign|fromSecretKey|fromMnemonic)"
                    + "\\s*=\\s*(?:async\\s+)?(?:function\\b|\\()");
    private static final Pattern KEY_MATERIAL = Pattern.compile("privateKey|secretKey|mnemonic|seedPhrase");
    private static final Pattern USED_AS_AUTH =
            Pattern.compile("Authorization|Bearer|\\bauth\\s*=|['\"]token ", Pattern.CASE_INSENSITIVE);

    @Override
    public String id() {
        return ID;
    }

    /** Names are followed in files up to this size; beyond it only a source written inside a call's arguments counts. */
    private static final int FOLLOW_LIMIT = 1 << 20;
    /** A function called from more places than this is a helper: its parameters are not followed. */
    private static final int UTILITY_CALLS = 20;
    /** Steps of following names (each pass goes one assignment, loop or call further), to a fixed point. */
    private static final int PASSES = 8;
    /** More names than this hold secrets only when following names has lost its meaning. */
    private static final int TAINT_LIMIT = 200;
    /** A name reaches a call only from an assignment this close before it (no scopes are known: a name is reused). */
    private static final int REACH = 4000;

    @Override
    public List<Finding> check(SourceFile file) {
        if (file.kind() != FileKind.PYTHON && file.kind() != FileKind.JAVASCRIPT) {
            return List.of();
        }
        boolean sourced = SOURCES.possible(file);
        if (!sourced && !KEYS.possible(file) || !SINKS.possible(file)) {
            return List.of(); // the literal pass over the file already says so: no regular expression runs
        }
        String text = file.text();
        List<Finding> findings = new ArrayList<>();
        Matcher patched = SIGNER_PATCHED.matcher(text);
        boolean anySink = SINK.matcher(text).find();
        if (anySink && patched.find() && KEY_MATERIAL.matcher(text).find()) {
            findings.add(file.finding(
                    ID,
                    Severity.HIGH,
                    "replaces a signing function of a wallet library in a file that holds keys and makes network calls",
                    file.hitAt(patched.start())));
        }
        if (!anySink || !sourced || !SOURCES.pattern().matcher(text).find()) {
            return findings;
        }
        Pattern sources = SOURCES.pattern();
        Map<String, Integer> tainted = text.length() <= FOLLOW_LIMIT ? taint(text, sources) : Map.of();
        Pattern names = names(tainted.keySet());
        for (Sink sink : sinks(text)) {
            String reached = reaches(sink, sources, tainted, names);
            if (reached != null) {
                findings.add(
                        file.finding(ID, Severity.HIGH, "sends " + reached + " to the network", file.hitAt(sink.at())));
                break;
            }
        }
        return findings;
    }

    private record Sink(int at, String args) {}

    /** Every network call with its argument text (to the matching parenthesis, at most 3,000 characters). */
    private static List<Sink> sinks(String text) {
        List<Sink> sinks = new ArrayList<>();
        Matcher m = SINK.matcher(text);
        while (m.find() && sinks.size() < 200) {
            sinks.add(new Sink(m.start(), arguments(text, m.end())));
        }
        Matcher r = REQUEST_OBJECT.matcher(text);
        while (r.find() && sinks.size() < 200) { // req = https.request(...); req.write(body); req.end(body)
            Matcher use = Pattern.compile("\\b" + Pattern.quote(r.group(1)) + "\\.(?:write|end)\\s*\\(")
                    .matcher(text)
                    .region(r.end(), Math.min(text.length(), r.end() + REACH));
            while (use.find() && sinks.size() < 200) {
                sinks.add(new Sink(use.start(), arguments(text, use.end())));
            }
        }
        return sinks;
    }

    private static String arguments(String text, int open) {
        int depth = 1;
        int i = open;
        int limit = Math.min(text.length(), open + 3000);
        while (i < limit && depth > 0) {
            char c = text.charAt(i++);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            }
        }
        return text.substring(open, i);
    }

    /** What of the secrets the call's arguments carry, or null. */
    private static String reaches(Sink sink, Pattern sources, Map<String, Integer> tainted, Pattern names) {
        String direct = source(sink.args(), sources);
        if (direct != null) {
            return "data read from " + direct;
        }
        if (names == null) {
            return null;
        }
        for (String line : sink.args().split("\n")) {
            if (USED_AS_AUTH.matcher(line).find()) {
                continue; // a credential in an Authorization header is being used
            }
            Matcher m = names.matcher(line);
            while (m.find()) {
                int at = tainted.get(m.group(1));
                if (!insideString(line, m.start()) && at < sink.at() && sink.at() - at <= REACH) {
                    return "'" + m.group(1) + "', which holds secrets or the environment";
                }
            }
        }
        return null;
    }

    /** One pattern for all {@code names} as whole identifiers, or null for none. */
    private static Pattern names(Set<String> names) {
        if (names.isEmpty()) {
            return null;
        }
        return Pattern.compile("(?<![\\w$.])("
                + String.join("|", names.stream().map(Pattern::quote).toList()) + ")(?![\\w$])");
    }

    /**
     * Names that hold a source's value, each with where it first got it: assignments, loop variables,
     * with-targets and the parameters of the file's functions called with them, to a fixed point.
     * One-letter names are not followed (too often reused).
     */
    private static Map<String, Integer> taint(String text, Pattern sources) {
        Map<String, Integer> tainted = new HashMap<>();
        Map<String, List<Integer>> calls = new HashMap<>();
        Matcher call = CALL.matcher(text);
        while (call.find()) {
            calls.computeIfAbsent(call.group(1), k -> new ArrayList<>()).add(call.end());
        }
        for (int pass = 0; pass < PASSES; pass++) {
            int before = tainted.size();
            Pattern names = names(tainted.keySet());
            Matcher a = ASSIGNMENT.matcher(text);
            while (a.find()) {
                if (carries(statement(text, a.start(2)), sources, names)) {
                    mark(tainted, a.group(1), a.start());
                }
            }
            Matcher loop = LOOP.matcher(text);
            while (loop.find()) {
                if (carries(loop.group(2), sources, names)) {
                    for (String name : loop.group(1).split("[,\\s\\[\\]]+")) {
                        if (!name.equals("const") && !name.equals("let") && !name.equals("var")) {
                            mark(tainted, name.strip(), loop.start());
                        }
                    }
                }
            }
            Matcher with = WITH_AS.matcher(text);
            while (with.find()) {
                if (carries(with.group(1), sources, names)) {
                    mark(tainted, with.group(2), with.start());
                }
            }
            Matcher f = FUNCTION.matcher(text);
            while (f.find()) {
                String name = f.group(1) != null ? f.group(1) : f.group(3) != null ? f.group(3) : f.group(5);
                String params = f.group(1) != null ? f.group(2) : f.group(3) != null ? f.group(4) : f.group(6);
                List<Integer> sites = calls.getOrDefault(name, List.of());
                if (sites.size() > UTILITY_CALLS) {
                    continue; // assert(), defineProperties(): a helper called everywhere carries everything
                }
                for (int open : sites) {
                    if (open > f.end() || open < f.start()) {
                        for (String param : receiving(params, arguments(text, open), sources, names)) {
                            tainted.putIfAbsent(param, f.start()); // k in addToQueue(k): short is fine here
                        }
                    }
                }
            }
            if (tainted.size() > TAINT_LIMIT) {
                return Map.of(); // spread everywhere: names say nothing here, only direct sources count
            }
            if (tainted.size() == before) {
                break;
            }
        }
        return tainted;
    }

    /**
     * The parameters that receive a source in one call: the argument at the same position, a keyword
     * argument of the same name, or what gathers the rest ({@code *args}, {@code **kwargs}, {@code ...rest}).
     */
    private static List<String> receiving(String params, String call, Pattern sources, Pattern names) {
        List<String> declared = topLevel(params);
        List<String> args = topLevel(call.endsWith(")") ? call.substring(0, call.length() - 1) : call);
        List<String> receiving = new ArrayList<>();
        int positional = 0;
        for (String arg : args) {
            Matcher keyword = KEYWORD_ARGUMENT.matcher(arg);
            boolean named = keyword.lookingAt();
            boolean carried = carries(named ? arg.substring(keyword.end()) : arg, sources, names);
            String target = null;
            if (named) {
                for (String p : declared) {
                    if (parameterName(p).equals(keyword.group(1))) {
                        target = p;
                    }
                }
                if (target == null) {
                    target = declared.stream()
                            .filter(p -> p.startsWith("**"))
                            .findFirst()
                            .orElse(null);
                }
            } else {
                int index = positional++;
                List<String> plain = declared.stream()
                        .filter(p -> !p.startsWith("**") && !parameterName(p).equals("self"))
                        .toList();
                if (index < plain.size()
                        && !plain.get(index).startsWith("*")
                        && !plain.get(index).startsWith("...")) {
                    target = plain.get(index);
                } else {
                    target = plain.stream()
                            .filter(p -> p.startsWith("*") || p.startsWith("..."))
                            .findFirst()
                            .orElse(null);
                }
            }
            if (carried && target != null) {
                String name = parameterName(target);
                if (name.matches("[A-Za-z_$][\\w$]*")) {
                    receiving.add(name);
                }
            }
        }
        return receiving;
    }

    private static final Pattern KEYWORD_ARGUMENT = Pattern.compile("\\s*([A-Za-z_]\\w*)\\s*=(?!=)");

    private static String parameterName(String declared) {
        return declared.replaceFirst("^(?:\\*{1,2}|\\.\\.\\.)", "").split("[\\s=:]")[0];
    }

    /** A list's items split at the commas outside brackets, each stripped. */
    private static List<String> topLevel(String list) {
        List<String> items = new ArrayList<>();
        int depth = 0;
        int from = 0;
        for (int i = 0; i < list.length(); i++) {
            char c = list.charAt(i);
            if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            } else if (c == ',' && depth == 0) {
                items.add(list.substring(from, i).strip());
                from = i + 1;
            }
        }
        String last = list.substring(from).strip();
        if (!last.isEmpty()) {
            items.add(last);
        }
        return items;
    }

    private static void mark(Map<String, Integer> tainted, String name, int at) {
        if (name.length() > 1 && name.matches("[A-Za-z_$][\\w$]*")) {
            tainted.putIfAbsent(name, at);
        }
    }

    /** The right-hand side from {@code from}: to the end of its line, or of its brackets when they span lines. */
    private static String statement(String text, int from) {
        int depth = 0;
        int limit = Math.min(text.length(), from + 3000);
        for (int i = from; i < limit; i++) {
            char c = text.charAt(i);
            if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            } else if (c == '\n' && depth <= 0) {
                return text.substring(from, i);
            }
        }
        return text.substring(from, limit);
    }

    private static boolean carries(String expression, Pattern sources, Pattern names) {
        return source(expression, sources) != null
                        && !ALLOW_LISTED.matcher(expression).find()
                || names != null && named(expression, names);
    }

    /** Whether a followed name occurs in {@code expression} as code, not inside a string. */
    private static boolean named(String expression, Pattern names) {
        Matcher m = names.matcher(expression);
        while (m.find()) {
            if (!insideString(expression, m.start())) {
                return true;
            }
        }
        return false;
    }

    /**
     * The first source in {@code expression}, or null. A wallet's key named inside a string literal
     * ({@code "invalid mnemonic length"}) is a message, not the key; paths are sources in strings.
     */
    private static String source(String expression, Pattern sources) {
        Matcher m = sources.matcher(expression);
        while (m.find()) {
            if (!NAMED_KEY.matcher(m.group()).matches() || !insideString(expression, m.start())) {
                return m.group().strip();
            }
        }
        return null;
    }

    private static final Pattern NAMED_KEY = Pattern.compile("mnemonic|\\.secretKey");

    /** Whether {@code at} lies inside a quoted string of its line (quotes counted from the line's start). */
    private static boolean insideString(String text, int at) {
        int from = text.lastIndexOf('\n', at - 1) + 1;
        char open = 0;
        for (int i = from; i < at; i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                i++;
            } else if (open == 0 && (c == '"' || c == '\'' || c == '`')) {
                open = c;
            } else if (c == open) {
                open = 0;
            }
        }
        return open != 0;
    }

    /**
     * Variables picked from the environment by name or prefix ({@code KERNEL_*} passed to a remote
     * kernel, as Jupyter's gateway client does) are configuration, not the environment.
     */
    private static final Pattern ALLOW_LISTED =
            Pattern.compile("\\.(?:startswith|startsWith)\\s*\\(|\\bif\\s+\\w+\\s+in\\s+[\\w(\\[{]");
}
