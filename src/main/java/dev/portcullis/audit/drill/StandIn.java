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
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/**
 * Harmless stand-ins for what drills upload (docs/DRILLS.md): a small pure-Python wheel, and the
 * lightning 2.6.2 payload of the detection corpus ({@link Corpus}) — a loader that would fetch the
 * Bun runtime and run a script, and a script that would read credentials from the environment and
 * from files.
 * Nothing here is ever executed, imported or fetched, by Portcullis or by a drill: the files only
 * have to look to the inspection like the real thing. Wheels are built in memory (they are small)
 * with a RECORD that lists every entry's real hash, as a build back-end writes it.
 */
public final class StandIn {

    /** The lightning 2.6.2 case of the detection corpus, whose files the constants below are. */
    private static final Corpus.Case LIGHTNING = Corpus.byId("lightning-import-hook");

    /** A loader that would download a Bun release and run the bundled script with it. */
    public static final String LOADER = lightning("_runtime/start.py");

    /** An {@code __init__.py} that starts the loader in a daemon thread, output discarded. */
    public static final String COMPROMISED_INIT = lightning("__init__.py");

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

    /** The lightning 2.6.2 shape (the corpus's case): the payload, and an {@code __init__.py} that starts it on import. */
    public static Map<String, byte[]> compromised(String project, String version) {
        Map<String, byte[]> files = clean(project, version);
        files.putAll(LIGHTNING.filesAs(module(project)));
        return files;
    }

    private static String lightning(String path) {
        return new String(LIGHTNING.files().get(module(LIGHTNING.name()) + "/" + path), StandardCharsets.UTF_8);
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

    /** A gzipped tar of {@code files} under {@code top} ({@code package/} as npm pack writes it). */
    public static byte[] tarball(String top, Map<String, byte[]> files) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(out))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                TarArchiveEntry entry = new TarArchiveEntry(top + e.getKey());
                entry.setSize(e.getValue().length);
                tar.putArchiveEntry(entry);
                tar.write(e.getValue());
                tar.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
