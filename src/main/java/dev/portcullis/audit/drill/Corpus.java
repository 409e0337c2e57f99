package dev.portcullis.audit.drill;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The detection corpus (docs/INSPECTION.md, "The corpus"): packages modelled on publicly documented
 * incidents, each family's code shape with an inert payload, and benign packages that look risky.
 * Each case is a directory under {@code corpus/} with {@code case.txt} (facts, then the package's
 * files) and {@code source.md} (the public write-ups it models); {@code corpus/cases.txt} lists them.
 * Drills upload the malicious cases marked {@code drill: yes}; {@code portcullis bench detection}
 * measures every case. Nothing here is ever run, imported or fetched.
 */
public final class Corpus {

    private static final String ROOT = "corpus/";

    /**
     * One case: a package ({@code files}, and the release before it when the case is about a change)
     * and what the inspection must say. A malicious case must raise {@code rule} at high or above on
     * {@code file} (the malicious code itself; {@code dependencies} when the malicious part is a
     * dependency's name); a benign case must raise nothing high.
     */
    public record Case(
            String id,
            boolean malicious,
            String ecosystem,
            boolean sdist,
            String name,
            String version,
            String family,
            String rule,
            String file,
            boolean drill,
            List<String> requires,
            Map<String, byte[]> files,
            String previousVersion,
            List<String> previousRequires,
            Map<String, byte[]> previousFiles) {

        public boolean hasPrevious() {
            return previousVersion != null;
        }

        public String filename() {
            return filename(version);
        }

        public String previousFilename() {
            return filename(previousVersion);
        }

        private String filename(String v) {
            if (ecosystem.equals("npm")) {
                return name.substring(name.lastIndexOf('/') + 1) + "-" + v + ".tgz";
            }
            return sdist ? StandIn.module(name) + "-" + v + ".tar.gz" : StandIn.wheelName(name, v);
        }

        /** The package file: a wheel (PyPI) or a tarball (npm, whose files include package.json). */
        public byte[] packageBytes() {
            return build(version, files, requires);
        }

        /**
         * The files as a release of another project would carry them: the case's top-level module
         * ({@code vision_utils/}, {@code vision_utils-setup.pth}) renamed to {@code module}, in paths
         * and in the text of code files (imports follow).
         */
        public Map<String, byte[]> filesAs(String module) {
            String own = StandIn.module(name);
            Map<String, byte[]> renamed = new LinkedHashMap<>();
            files.forEach((path, bytes) -> {
                boolean code = path.endsWith(".py") || path.endsWith(".pth") || path.endsWith(".js");
                byte[] content = code
                        ? new String(bytes, StandardCharsets.UTF_8)
                                .replace(own, module)
                                .getBytes(StandardCharsets.UTF_8)
                        : bytes;
                renamed.put(path.startsWith(own) ? module + path.substring(own.length()) : path, content);
            });
            return renamed;
        }

        /** {@link #file} in a release of the project whose module is {@code module}. */
        public String fileAs(String module) {
            String own = StandIn.module(name);
            return file.startsWith(own) ? module + file.substring(own.length()) : file;
        }

        public byte[] previousBytes() {
            return build(previousVersion, previousFiles, previousRequires);
        }

        private byte[] build(String v, Map<String, byte[]> content, List<String> deps) {
            if (ecosystem.equals("npm")) {
                return StandIn.tarball("package/", content);
            }
            if (!sdist) {
                return StandIn.wheel(name, v, content, deps);
            }
            String top = StandIn.module(name) + "-" + v + "/";
            Map<String, byte[]> all = new LinkedHashMap<>();
            StringBuilder pkgInfo =
                    new StringBuilder("Metadata-Version: 2.1\nName: " + name + "\nVersion: " + v + "\n");
            deps.forEach(d -> pkgInfo.append("Requires-Dist: ").append(d).append('\n'));
            all.put("PKG-INFO", pkgInfo.append('\n').toString().getBytes(StandardCharsets.UTF_8));
            all.putAll(content);
            return StandIn.tarball(top, all);
        }
    }

    private Corpus() {}

    /** Every case, in the order {@code cases.txt} lists them. */
    public static List<Case> all() {
        List<Case> cases = new ArrayList<>();
        for (String line : text(ROOT + "cases.txt").split("\n")) {
            String id = line.strip();
            if (!id.isEmpty() && !id.startsWith("#")) {
                cases.add(parse(id, text(ROOT + id + "/case.txt")));
            }
        }
        return List.copyOf(cases);
    }

    /** One case, by its directory's name. */
    public static Case byId(String id) {
        return parse(id, text(ROOT + id + "/case.txt"));
    }

    public static List<Case> malicious() {
        return all().stream().filter(Case::malicious).toList();
    }

    /** The malicious wheels the {@code payload} drill uploads (cases marked {@code drill: yes}). */
    public static List<Case> drills() {
        return malicious().stream()
                .filter(c -> c.drill() && c.ecosystem().equals("pypi") && !c.sdist())
                .toList();
    }

    /** The public write-ups case {@code id} models (its source.md). */
    public static String source(String id) {
        return text(ROOT + id + "/source.md");
    }

    static Case parse(String id, String text) {
        Map<String, String> facts = new LinkedHashMap<>();
        Map<String, byte[]> files = new LinkedHashMap<>();
        Map<String, byte[]> previous = new LinkedHashMap<>();
        String[] parts = ("\n" + text).split("\n=== ");
        for (String line : parts[0].split("\n")) {
            int colon = line.indexOf(':');
            if (!line.isBlank() && !line.startsWith("#") && colon > 0) {
                facts.put(
                        line.substring(0, colon).strip(),
                        line.substring(colon + 1).strip());
            }
        }
        for (int i = 1; i < parts.length; i++) {
            int eol = parts[i].indexOf('\n');
            String[] head = parts[i].substring(0, eol < 0 ? parts[i].length() : eol)
                    .strip()
                    .split(" ");
            String body = eol < 0 ? "" : parts[i].substring(eol + 1);
            if (head.length < 2 || !(head[0].equals("file:") || head[0].equals("previous:"))) {
                throw new IllegalStateException(id + ": '=== " + String.join(" ", head) + "' is not a file header");
            }
            byte[] bytes = head.length > 2 && head[2].equals("base64")
                    ? Base64.getMimeDecoder().decode(body)
                    : body.getBytes(StandardCharsets.UTF_8);
            if (head.length > 3 && head[2].equals("words")) { // a large data file: a JSON list of made-up words
                bytes = words(Integer.parseInt(head[3]), id.hashCode());
            }
            (head[0].equals("file:") ? files : previous).put(head[1], bytes);
        }
        String expect = need(id, facts, "expect");
        boolean malicious = !expect.equals("nothing high");
        String[] words = expect.split(" ");
        if (malicious && (words.length != 4 || !words[0].equals("high") || !words[2].equals("in"))) {
            throw new IllegalStateException(id + ": expect is 'high RULE in FILE' or 'nothing high'");
        }
        String previousVersion = facts.get("previous");
        if (previousVersion == null != previous.isEmpty()) {
            throw new IllegalStateException(id + ": a previous version needs previous files, and the other way round");
        }
        return new Case(
                id,
                malicious,
                need(id, facts, "ecosystem"),
                "sdist".equals(facts.get("kind")),
                need(id, facts, "name"),
                need(id, facts, "version"),
                need(id, facts, "family"),
                malicious ? words[1] : null,
                malicious ? words[3] : null,
                "yes".equals(facts.get("drill")),
                list(facts.get("requires")),
                files,
                previousVersion,
                list(facts.get("previous-requires")),
                previous);
    }

    /** About {@code bytes} of a JSON list of pseudo-words (seeded, so the same every time; compresses like text). */
    static byte[] words(int bytes, long seed) {
        java.util.Random random = new java.util.Random(seed);
        StringBuilder json = new StringBuilder("[");
        while (json.length() < bytes) {
            json.append(json.length() > 1 ? ", \"" : "\"");
            int letters = 3 + random.nextInt(8);
            for (int i = 0; i < letters; i++) {
                json.append((char) ('a' + random.nextInt(26)));
            }
            json.append('"');
        }
        return json.append("]\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String need(String id, Map<String, String> facts, String key) {
        String value = facts.get(key);
        if (value == null || value.isEmpty()) {
            throw new IllegalStateException(id + ": case.txt has no '" + key + ":'");
        }
        return value;
    }

    private static List<String> list(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return java.util.Arrays.stream(value.split("\\|")).map(String::strip).toList();
    }

    private static String text(String resource) {
        try (InputStream in = Corpus.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no corpus resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
