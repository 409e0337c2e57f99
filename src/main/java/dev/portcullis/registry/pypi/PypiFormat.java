package dev.portcullis.registry.pypi;

import dev.portcullis.inspect.ArchiveFormat;
import dev.portcullis.inspect.FileKind;
import dev.portcullis.inspect.Finding;
import dev.portcullis.inspect.ManifestEntry;
import dev.portcullis.inspect.PackageFormat;
import dev.portcullis.inspect.PackageMetadata;
import dev.portcullis.inspect.Severity;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Wheels and sdists for the inspector: core metadata ({@code *.dist-info/METADATA}, {@code
 * PKG-INFO}) with entry points, top-level names and wheel tags; the checks only PyPI's files allow —
 * the metadata names the file's project and version, one {@code .dist-info} directory, {@code RECORD}
 * lists every file with its real hash (a mismatch means the wheel was edited after it was built),
 * and foreign payloads in a wheel that declares itself pure Python.
 */
public final class PypiFormat implements PackageFormat {

    static final String METADATA = "metadata";
    static final String RECORD = "record";
    static final String FOREIGN = "foreign-payload";
    static final long LARGE_SCRIPT = 1 << 20;

    private static final Pattern METADATA_ENTRY = Pattern.compile(
            "[^/]+\\.dist-info/(METADATA|entry_points\\.txt|top_level\\.txt|WHEEL|RECORD)|[^/]+/PKG-INFO"
                    + "|[^/]+/[^/]+\\.egg-info/(entry_points\\.txt|top_level\\.txt)");

    private final PypiEcosystem ecosystem;

    PypiFormat(PypiEcosystem ecosystem) {
        this.ecosystem = ecosystem;
    }

    /** For tests and tools outside the server. */
    public PypiFormat() {
        this(new PypiEcosystem());
    }

    @Override
    public PypiEcosystem ecosystem() {
        return ecosystem;
    }

    @Override
    public boolean reads(String filename) {
        String n = filename.toLowerCase(Locale.ROOT);
        return n.endsWith(".whl") || n.endsWith(".tar.gz") || n.endsWith(".zip");
    }

    /** Wheels and eggs are zips. */
    @Override
    public Optional<ArchiveFormat> container(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".whl") || n.endsWith(".egg") ? Optional.of(ArchiveFormat.ZIP) : ArchiveFormat.forName(name);
    }

    @Override
    public boolean isMetadata(String path) {
        return METADATA_ENTRY.matcher(path).matches();
    }

    static boolean wheel(String filename) {
        return filename.toLowerCase(Locale.ROOT).endsWith(".whl");
    }

    /** {@code name-version} of a wheel's or sdist's file name (no checks: the upload checked the name). */
    static String stem(String filename) {
        if (wheel(filename)) {
            String[] parts = filename.substring(0, filename.length() - 4).split("-");
            return parts.length >= 2 ? parts[0] + "-" + parts[1] : filename;
        }
        String n = filename.toLowerCase(Locale.ROOT);
        int cut = n.endsWith(".tar.gz") ? 7 : n.endsWith(".zip") ? 4 : 0;
        return filename.substring(0, filename.length() - cut);
    }

    /** Where the core metadata must be: {@code {stem}.dist-info/METADATA} or {@code {stem}/PKG-INFO}. */
    static String coreMetadataPath(String filename) {
        return wheel(filename) ? stem(filename) + ".dist-info/METADATA" : stem(filename) + "/PKG-INFO";
    }

    /** The core metadata's path: the one the file name says, else the first one there is (for files nobody checked, such as upstream's). */
    private static Optional<String> coreMetadata(String filename, Map<String, byte[]> files) {
        String expected = coreMetadataPath(filename);
        if (files.containsKey(expected)) {
            return Optional.of(expected);
        }
        String suffix = wheel(filename) ? ".dist-info/METADATA" : "/PKG-INFO";
        return files.keySet().stream().filter(p -> p.endsWith(suffix)).findFirst();
    }

    @Override
    public PackageMetadata metadata(String filename, Map<String, byte[]> files) {
        Optional<String> core = coreMetadata(filename, files);
        if (core.isEmpty()) {
            return PackageMetadata.NONE;
        }
        String dir = core.get().substring(0, core.get().lastIndexOf('/') + 1);
        boolean wheel = wheel(filename);
        Map<String, List<String>> h = CoreMetadata.headers(text(files.get(core.get())));
        String entryPointsText;
        String topLevelText;
        if (wheel) {
            entryPointsText = text(files.get(dir + "entry_points.txt"));
            topLevelText = text(files.get(dir + "top_level.txt"));
        } else {
            entryPointsText = files.entrySet().stream()
                    .filter(e -> e.getKey().startsWith(dir) && e.getKey().endsWith(".egg-info/entry_points.txt"))
                    .map(e -> text(e.getValue()))
                    .findFirst()
                    .orElse(null);
            topLevelText = files.entrySet().stream()
                    .filter(e -> e.getKey().startsWith(dir) && e.getKey().endsWith(".egg-info/top_level.txt"))
                    .map(e -> text(e.getValue()))
                    .findFirst()
                    .orElse(null);
        }
        Map<String, List<String>> wheelFile = wheel ? CoreMetadata.headers(text(files.get(dir + "WHEEL"))) : Map.of();
        List<String> tags = wheelFile.getOrDefault("tag", List.of());
        String purelib = first(wheelFile, "root-is-purelib");
        Boolean pure = wheel
                ? Boolean.valueOf("true".equalsIgnoreCase(purelib)
                        || !tags.isEmpty() && tags.stream().allMatch(t -> t.endsWith("-none-any")))
                : Boolean.TRUE; // an sdist is source: a built binary in it is foreign
        Map<String, String> facts = new LinkedHashMap<>();
        put(facts, "metadata-version", first(h, "metadata-version"));
        put(facts, "requires-python", first(h, "requires-python"));
        put(facts, "extras", String.join(", ", h.getOrDefault("provides-extra", List.of())));
        put(facts, "tags", String.join(" ", tags));
        put(
                facts,
                "top-level",
                topLevelText == null
                        ? null
                        : String.join(
                                ", ",
                                topLevelText
                                        .lines()
                                        .map(String::strip)
                                        .filter(s -> !s.isEmpty())
                                        .toList()));
        put(facts, "author", first(h, "author"));
        put(facts, "author-email", first(h, "author-email"));
        return new PackageMetadata(
                first(h, "name"),
                first(h, "version"),
                first(h, "summary"),
                h.getOrDefault("requires-dist", List.of()),
                entryPointsText == null ? Map.of() : entryPoints(entryPointsText),
                pure,
                facts);
    }

    private static void put(Map<String, String> facts, String key, String value) {
        if (value != null && !value.isBlank()) {
            facts.put(key, value);
        }
    }

    private static String first(Map<String, List<String>> h, String key) {
        List<String> values = h.get(key);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    private static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    /** {@code entry_points.txt}: INI sections of {@code name = object reference}. */
    static Map<String, Map<String, String>> entryPoints(String text) {
        Map<String, Map<String, String>> sections = new TreeMap<>();
        String section = null;
        for (String raw : text.split("\r?\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                section = line.substring(1, line.length() - 1).strip();
                sections.computeIfAbsent(section, s -> new TreeMap<>());
                continue;
            }
            int eq = line.indexOf('=');
            if (section != null && eq > 0) {
                sections.get(section)
                        .put(
                                line.substring(0, eq).strip(),
                                line.substring(eq + 1).strip());
            }
        }
        return sections;
    }

    // ------------------------------------------------------------------ checks

    @Override
    public List<Finding> check(
            String filename, PackageMetadata metadata, Map<String, byte[]> files, List<ManifestEntry> manifest) {
        List<Finding> findings = new ArrayList<>();
        boolean wheel = wheel(filename);
        if (reads(filename)) {
            crossCheck(filename, wheel, coreMetadata(filename, files).isPresent(), metadata, findings);
        }
        if (wheel) {
            TreeSet<String> distInfo = new TreeSet<>();
            manifest.stream()
                    .map(ManifestEntry::path)
                    .filter(p -> !p.contains("!/") && p.indexOf('/') > 0)
                    .map(p -> p.substring(0, p.indexOf('/')))
                    .filter(d -> d.endsWith(".dist-info"))
                    .forEach(distInfo::add);
            if (distInfo.size() > 1) {
                findings.add(Finding.at(
                        METADATA,
                        Severity.MEDIUM,
                        "the wheel has more than one .dist-info directory; installers pick one",
                        distInfo.higher(distInfo.first())));
            }
            String recordPath = stem(filename) + ".dist-info/RECORD";
            byte[] record = files.get(recordPath);
            if (record == null && distInfo.size() == 1) {
                record = files.get(distInfo.first() + "/RECORD");
            }
            record(record == null ? null : text(record), manifest, findings);
            if (metadata.declaresPure()) {
                foreign(manifest, findings);
            }
        }
        return findings;
    }

    private static void crossCheck(
            String filename, boolean wheel, boolean hasCoreMetadata, PackageMetadata metadata, List<Finding> findings) {
        if (!hasCoreMetadata || metadata.name() == null || metadata.version() == null) {
            findings.add(Finding.of(
                    METADATA,
                    Severity.HIGH,
                    "the file has no readable core metadata (" + (wheel ? "*.dist-info/METADATA" : "PKG-INFO")
                            + " with Name and Version)"));
            return;
        }
        String stem = stem(filename);
        int dash = wheel ? stem.indexOf('-') : stem.lastIndexOf('-');
        if (wheel && filename.substring(0, filename.length() - 4).split("-").length < 5) {
            findings.add(Finding.of(METADATA, Severity.MEDIUM, "the file name is not a valid wheel name"));
            return;
        }
        String namePart = dash > 0 ? stem.substring(0, dash) : stem;
        String versionPart = dash > 0 ? stem.substring(dash + 1) : "";
        if (!ProjectName.normalize(metadata.name()).equals(ProjectName.normalize(namePart))) {
            findings.add(Finding.of(
                    METADATA,
                    Severity.HIGH,
                    "the metadata names project '" + metadata.name() + "', the file name '" + namePart + "'"));
        }
        if (!sameVersion(metadata.version(), versionPart)) {
            findings.add(Finding.of(
                    METADATA,
                    Severity.HIGH,
                    "the metadata has version '" + metadata.version() + "', the file name '" + versionPart + "'"));
        }
    }

    private static boolean sameVersion(String a, String b) {
        try {
            return Pep440Version.parse(a)
                    .canonical()
                    .equals(Pep440Version.parse(b).canonical());
        } catch (IllegalArgumentException e) {
            return a.equals(b);
        }
    }

    /** RECORD: {@code path,sha256=<urlsafe base64, no padding>,size}; RECORD itself and its signatures carry no hash. */
    private static void record(String record, List<ManifestEntry> manifest, List<Finding> findings) {
        if (record == null) {
            findings.add(Finding.of(
                    RECORD,
                    Severity.MEDIUM,
                    "the wheel has no RECORD, so nothing says which files its build produced"));
            return;
        }
        Map<String, String> listed = new HashMap<>();
        for (String line : record.split("\r?\n")) {
            List<String> fields = csv(line);
            if (fields.size() >= 2 && !fields.getFirst().isEmpty()) {
                listed.put(fields.getFirst(), fields.get(1));
            }
        }
        List<String> unlisted = new ArrayList<>();
        int mismatched = 0;
        Finding firstMismatch = null;
        for (ManifestEntry e : manifest) {
            if (e.path().contains("!/")) {
                continue;
            }
            String hash = listed.remove(e.path());
            if (hash == null) {
                if (!e.path().matches("[^/]+\\.dist-info/RECORD(\\.jws|\\.p7s)?")) {
                    unlisted.add(e.path());
                }
                continue;
            }
            if (hash.isEmpty()) {
                continue;
            }
            if (!hash.equals("sha256=" + urlsafe(e.sha256()))) {
                mismatched++;
                if (firstMismatch == null) {
                    firstMismatch = Finding.at(
                            RECORD,
                            Severity.HIGH,
                            "a file's hash differs from the one RECORD lists: it was changed after the wheel was built",
                            e.path());
                }
            }
        }
        if (firstMismatch != null) {
            findings.add(
                    mismatched == 1
                            ? firstMismatch
                            : new Finding(
                                    RECORD,
                                    Severity.HIGH,
                                    firstMismatch.message() + " (" + mismatched + " files)",
                                    firstMismatch.path(),
                                    null,
                                    null));
        }
        if (!unlisted.isEmpty()) {
            findings.add(Finding.at(
                    RECORD,
                    Severity.MEDIUM,
                    unlisted.size() + " file(s) are not listed in RECORD: added after the build?",
                    unlisted.getFirst()));
        }
        listed.keySet().stream()
                .filter(p -> !p.endsWith("/"))
                .sorted()
                .findFirst()
                .ifPresent(p -> findings.add(Finding.at(
                        RECORD,
                        Severity.LOW,
                        "RECORD lists " + listed.size() + " file(s) the wheel does not contain",
                        p)));
    }

    private static void foreign(List<ManifestEntry> manifest, List<Finding> findings) {
        for (ManifestEntry e : manifest) {
            FileKind kind = e.kind();
            if (kind == FileKind.NATIVE) {
                findings.add(Finding.at(
                        FOREIGN,
                        Severity.LOW,
                        "native code (" + e.size() + " bytes) in a wheel that declares itself pure Python",
                        e.path()));
            } else if (kind == FileKind.JAVASCRIPT || kind == FileKind.SHELL) {
                boolean large = e.size() >= LARGE_SCRIPT;
                findings.add(Finding.at(
                        FOREIGN,
                        large ? Severity.MEDIUM : Severity.LOW,
                        (kind == FileKind.JAVASCRIPT ? "JavaScript" : "a shell script") + " (" + e.size()
                                + " bytes) in a pure-Python wheel",
                        e.path()));
            }
        }
    }

    static String urlsafe(String hex) {
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(HexFormat.of().parseHex(hex));
    }

    /** One CSV line (RFC 4180 quoting), as Python's csv module writes RECORD. */
    static List<String> csv(String line) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        fields.add(field.toString());
        return fields;
    }

    // ------------------------------------------------------------------ pairing releases

    /** Wheels: {@code name-1.0.dist-info/} and {@code name-1.0.data/} lose their version; sdists: their top folder. */
    @Override
    public String stablePath(String filename, String path) {
        if (!wheel(filename)) {
            int slash = path.indexOf('/');
            return slash < 0 ? path : path.substring(slash + 1);
        }
        return path.replaceFirst("^[^/]+\\.dist-info/", "{dist-info}/").replaceFirst("^[^/]+\\.data/", "{data}/");
    }

    /** A wheel's tags ({@code py3-none-any}), or {@code sdist}. */
    @Override
    public String variant(String filename) {
        if (!wheel(filename)) {
            return "sdist";
        }
        String[] parts = filename.substring(0, filename.length() - 4).split("-");
        return parts.length >= 5
                ? String.join("-", java.util.Arrays.copyOfRange(parts, parts.length - 3, parts.length))
                : "";
    }
}
