package dev.portcullis.inspect.rules;

import dev.portcullis.inspect.Finding;
import dev.portcullis.inspect.Severity;
import java.util.List;
import java.util.Optional;

/**
 * A shell handed to someone on the network: the reverse shells of the PyPI typosquat waves (a
 * socket connected out, its descriptor duplicated onto stdin/stdout/stderr, then {@code
 * pty.spawn("/bin/sh")} or {@code subprocess} with the socket as its streams) and their Node form
 * ({@code net.Socket} piped into a spawned {@code /bin/sh}); and PowerShell run with an encoded
 * command ({@code -EncodedCommand <base64>}), the way droppers hide what they run on Windows.
 * Only a shell handed to the very socket the file opened counts (a daemon that points its streams
 * at /dev/null, or a build tool piping a shell's output to the console, does not).
 */
public final class RemoteShell implements ContentRule {

    public static final String ID = "remote-shell";

    /** A connection out: Python sockets, Node's net module. */
    private static final Probe CONNECTS = Probe.of(
            "socket\\.socket\\s*\\(|socket\\.create_connection\\s*\\(|\\.connect\\s*\\(\\s*\\(|\\bnet\\.(?:Socket|connect|createConnection)\\b"
                    + "|new\\s+Socket\\s*\\(",
            "socket",
            "connect",
            "net.",
            "Socket");
    /** A shell to hand over: Python's terminal or interactive shell, Node's spawned shell. */
    private static final Probe PYTHON_SHELL = Probe.of(
            "pty\\.spawn\\s*\\(\\s*['\"](?:/bin/)?(?:ba|z|da)?sh['\"]|['\"]/bin/(?:ba|z)?sh['\"]\\s*,\\s*['\"]-i['\"]"
                    + "|(?:subprocess\\.\\w+|os\\.exec\\w*|os\\.system)\\s*\\(\\s*\\[?\\s*['\"](?:/bin/)?(?:ba|z)?sh['\"]",
            "pty.spawn",
            "/bin/",
            "subprocess",
            "os.");

    private static final Probe SHELL_SPAWN = Probe.of(
            "(?:spawn|exec)\\s*\\(\\s*['\"](?:/bin/(?:ba|z)?sh|(?:ba|z)?sh|cmd(?:\\.exe)?|powershell(?:\\.exe)?)['\"]",
            "spawn",
            "exec");
    /** {@code powershell -EncodedCommand <base64>} (PowerShell accepts any prefix of the switch). */
    private static final Probe ENCODED_POWERSHELL = Probe.ignoringCase(
            "powershell(?:\\.exe)?(?=['\",\\s])[^\\n]{0,120}?[\\s'\"]-e(?:n(?:c(?:o(?:d(?:e(?:d(?:c(?:o(?:m(?:m(?:a(?:n(?:d)?)?)?)?)?)?)?)?)?)?)?)?)?"
                    + "['\",\\s]+[A-Za-z0-9+/]{40,}={0,2}",
            "powershell");

    /** A socket kept in a variable: {@code s = socket.socket(…)}, {@code const c = net.connect(…)}. */
    private static final java.util.regex.Pattern SOCKET_VARIABLE = java.util.regex.Pattern.compile(
            "\\b([A-Za-z_$][\\w$]*)\\s*=\\s*(?:socket\\.socket|socket\\.create_connection|new\\s+net\\.Socket|net\\.connect"
                    + "|net\\.createConnection|new\\s+Socket)\\s*\\(");

    @Override
    public String id() {
        return ID;
    }

    @Override
    public List<Finding> check(SourceFile file) {
        if (!file.kind().isScript()) {
            return List.of();
        }
        Optional<SourceFile.Hit> encoded = ENCODED_POWERSHELL.find(file);
        if (encoded.isPresent()) {
            return List.of(
                    file.finding(ID, Severity.HIGH, "runs PowerShell with an encoded (hidden) command", encoded.get()));
        }
        if (!CONNECTS.possible(file)) {
            return List.of();
        }
        java.util.regex.Matcher sockets = SOCKET_VARIABLE.matcher(file.text());
        while (sockets.find()) {
            String socket = java.util.regex.Pattern.quote(sockets.group(1));
            // Its descriptor made the process's standard streams, or its stream piped into a shell's.
            java.util.regex.Pattern handover = java.util.regex.Pattern.compile("os\\.dup2\\s*\\(\\s*" + socket
                    + "\\.fileno\\s*\\(\\s*\\)\\s*,\\s*[0-2]\\s*\\)|\\b" + socket
                    + "\\.pipe\\s*\\(\\s*[\\w$]+\\.stdin\\b"
                    + "|\\.std(?:out|err)\\.pipe\\s*\\(\\s*" + socket + "\\s*\\)|stdin\\s*=\\s*" + socket
                    + "(?:\\.fileno\\s*\\(\\s*\\))?\\s*[,)]");
            Optional<SourceFile.Hit> handsOver = file.find(handover);
            Optional<SourceFile.Hit> shell = PYTHON_SHELL.find(file).or(() -> SHELL_SPAWN.find(file));
            if (handsOver.isPresent() && shell.isPresent()) {
                return List.of(file.finding(
                        ID,
                        Severity.HIGH,
                        "connects out and hands the connection a shell (line "
                                + shell.get().line() + ": " + shell.get().text().strip() + "): a reverse shell",
                        handsOver.get()));
            }
        }
        return List.of();
    }
}
