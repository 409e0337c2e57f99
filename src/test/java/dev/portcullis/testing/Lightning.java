package dev.portcullis.testing;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * A harmless reconstruction of the lightning 2.6.1 → 2.6.2 change (docs/INSPECTION.md), built with
 * the real build front-end. 2.6.1 is a small pure-Python package. 2.6.2 adds {@code _runtime/start.py},
 * a loader that would download a Bun release and run a script with it, and an 11.4 MB one-line
 * obfuscated-looking {@code router_runtime.js}; its {@code __init__.py} starts the loader in a daemon
 * thread with output discarded. Nothing here is executed, imported or fetched by the tests: the
 * script is random identifiers and strings, the URL is never requested.
 */
public final class Lightning {

    public static final String NAME = "lightning";
    public static final String LOADER = dev.portcullis.audit.drill.StandIn.LOADER;

    /** The compromised {@code __init__.py}: a daemon thread that starts the loader with output discarded. */
    public static final String COMPROMISED_INIT = dev.portcullis.audit.drill.StandIn.COMPROMISED_INIT;

    private Lightning() {}

    /** The clean release's dist directory (one wheel, one sdist). */
    public static Path clean(String version) {
        return PythonClients.buildProject(NAME, version, cleanFiles(version), "");
    }

    /** The compromised release's dist directory. */
    public static Path compromised(String version) {
        Map<String, String> files = cleanFiles(version);
        files.put("lightning/__init__.py", "from lightning.core import Trainer\n" + COMPROMISED_INIT);
        files.put("lightning/_runtime/start.py", LOADER);
        files.put("lightning/_runtime/router_runtime.js", obfuscatedScript(11_400_000));
        return PythonClients.buildProject(NAME, version, files, """

        [tool.setuptools.package-data]
        "*" = ["*.js"]
        """);
    }

    /** The drill's clean stand-in package under the name lightning, and a small utility module. */
    private static Map<String, String> cleanFiles(String version) {
        Map<String, String> files = new LinkedHashMap<>();
        dev.portcullis.audit.drill.StandIn.clean(NAME, version)
                .forEach((path, bytes) -> files.put(path, new String(bytes, java.nio.charset.StandardCharsets.UTF_8)));
        files.put("lightning/utils.py", "def seed_everything(seed):\n    return int(seed)\n");
        return files;
    }

    /** One line of {@code size} characters in the style of javascript-obfuscator output: a hex-named string table. */
    public static String obfuscatedScript(int size) {
        Random random = new Random(2_6_2);
        StringBuilder js = new StringBuilder(size + 64);
        js.append("var _0x5a1f=[");
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        while (js.length() < size - 200) {
            js.append('\'');
            for (int i = 0; i < 24; i++) {
                js.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            js.append("',");
            if (random.nextInt(8) == 0) {
                js.append(String.format(java.util.Locale.ROOT, "_0x%04x,", random.nextInt(0x10000)));
            }
        }
        js.append(
                "''];(function(_0x2d8f05,_0x4b81bb){var _0x3c1e=function(_0x1a2b){return _0x5a1f[_0x1a2b];};})(_0x5a1f,0x1b3);\n");
        return js.toString();
    }
}
