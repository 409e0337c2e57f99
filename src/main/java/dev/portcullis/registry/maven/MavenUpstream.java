package dev.portcullis.registry.maven;

import dev.portcullis.net.GuardedHttp;
import dev.portcullis.publish.Artifact;
import dev.portcullis.upstream.UpstreamProtocol;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Maven repository for the upstream feature (Maven Central by default). An artifact's versions
 * come from its {@code maven-metadata.xml} (with ETags); each version is represented by its pom,
 * the one file every deployed version has, with the repository's SHA-1 of it ({@code .pom.sha1}).
 * Released versions never change on Central, so each version's SHA-1 is fetched once per process
 * (for the newest {@value #MAX_VERSIONS} versions listed).
 * Promotion PUTs each approved file and its {@code .sha1} and {@code .md5} to a repository that
 * accepts deployments (Nexus, Artifactory, Reposilite, another Portcullis), then, once a release's
 * files are all there, the artifact's {@code maven-metadata.xml}; Maven Central itself
 * takes deployments only through its Publisher Portal, which this does not speak yet.
 */
final class MavenUpstream implements UpstreamProtocol {

    static final long MAX_METADATA_BYTES = 8L << 20;
    private static final Pattern VERSION = Pattern.compile("<version>\\s*([^<\\s]+)\\s*</version>");
    private static final Pattern VERSIONS = Pattern.compile("<versions>(.*?)</versions>", Pattern.DOTALL);
    private static final Pattern SHA1 = Pattern.compile("[0-9a-fA-F]{40}");
    private static final int KEPT_DIGESTS = 100_000;
    static final int MAX_VERSIONS = 2_000;

    private final MavenFormat format;
    private final MavenFiles files;
    private final MavenEcosystem ecosystem;
    private final Map<String, String> digests = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > KEPT_DIGESTS;
        }
    };

    MavenUpstream(MavenFormat format, MavenFiles files) {
        this.format = format;
        this.files = files;
        this.ecosystem = format.ecosystem();
    }

    @Override
    public String ecosystem() {
        return MavenEcosystem.ID;
    }

    @Override
    public Map<String, String> wellKnownIndexes() {
        return Map.of("maven", "https://repo1.maven.org/maven2");
    }

    @Override
    public String defaultUploadUrl() {
        return "https://repo1.maven.org/maven2";
    }

    @Override
    public MavenFormat format() {
        return format;
    }

    /** {@code groupId:artifactId} as a path under a repository: {@code org/example/demo}. */
    private String artifactPath(String project) {
        String[] parts = ecosystem.name(project).normalized().split(":");
        return parts[0].replace('.', '/') + "/" + parts[1];
    }

    private static String artifactId(String project) {
        return project.substring(project.indexOf(':') + 1);
    }

    @Override
    public Answer list(GuardedHttp http, String indexUrl, String project, String etag) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        if (etag != null) {
            headers.put("If-None-Match", etag);
        }
        String base = indexUrl + "/" + artifactPath(project);
        URI uri = URI.create(base + "/maven-metadata.xml");
        GuardedHttp.Response response = http.get(uri, headers, Duration.ofSeconds(60), MAX_METADATA_BYTES);
        return switch (response.status()) {
            case 304 -> new NotModified();
            case 404 -> new Missing();
            case 200 ->
                new Listing(
                        files(http, base, artifactId(project), new String(response.body(), StandardCharsets.UTF_8)),
                        response.header("ETag").orElse(null));
            default -> throw new IOException(uri.getHost() + " answered HTTP " + response.status() + " for " + project);
        };
    }

    /** Each listed version's pom with its SHA-1; a version without a readable pom is not listed (nothing to compare). */
    private List<File> files(GuardedHttp http, String base, String artifactId, String metadata) throws IOException {
        Matcher versions = VERSIONS.matcher(metadata);
        if (!versions.find()) {
            throw new IOException("the answer is not a Maven maven-metadata.xml");
        }
        List<String> listed = new ArrayList<>();
        Matcher m = VERSION.matcher(versions.group(1));
        while (m.find()) {
            listed.add(m.group(1));
        }
        // Each version costs one request the first time: a repository listing more than this (a
        // hostile or broken one) gets its newest versions looked at, not a request storm.
        List<File> out = new ArrayList<>();
        for (String version : listed.subList(Math.max(0, listed.size() - MAX_VERSIONS), listed.size())) {
            if (!version.matches("[A-Za-z0-9][A-Za-z0-9_.+-]{0,99}") || version.contains("..")) {
                continue; // not a version a path may carry
            }
            String pom = artifactId + "-" + version + ".pom";
            String url = base + "/" + version + "/" + pom;
            String digest = sha1(http, url);
            if (digest != null) {
                out.add(new File(version, pom, "sha1:" + digest, -1, null, url));
            }
        }
        return out;
    }

    private String sha1(GuardedHttp http, String url) throws IOException {
        synchronized (digests) {
            String known = digests.get(url);
            if (known != null) {
                return known;
            }
        }
        GuardedHttp.Response response = http.get(URI.create(url + ".sha1"), Map.of(), Duration.ofSeconds(60), 1024);
        if (response.status() != 200) {
            return null;
        }
        Matcher hex = SHA1.matcher(new String(response.body(), StandardCharsets.US_ASCII));
        if (!hex.lookingAt() && !hex.find()) {
            return null;
        }
        String digest = hex.group().toLowerCase(Locale.ROOT);
        synchronized (digests) {
            digests.put(url, digest);
        }
        return digest;
    }

    /** The SHA-1 of an approved file, as the gate computed it when the file arrived. */
    @Override
    public String digestOf(Artifact local) {
        return files.find(local.id(), local.sha256())
                .map(d -> "sha1:" + d.sha1())
                .orElseThrow(() -> new IllegalStateException("the gate has no Maven digests for " + local.filename()));
    }

    /**
     * Writes the artifact's {@code maven-metadata.xml} as Maven's deploy does after a deployment's
     * files: the repository's own (if any) with {@code version} added and made the latest and the
     * release, then its {@code .sha1} and {@code .md5}. A repository that derives its metadata
     * itself (Portcullis) takes it as the end of the deployment.
     */
    @Override
    public Pushed finish(GuardedHttp http, String uploadUrl, String credential, String project, String version)
            throws IOException {
        String base = (uploadUrl.endsWith("/") ? uploadUrl.substring(0, uploadUrl.length() - 1) : uploadUrl) + "/"
                + artifactPath(project) + "/maven-metadata.xml";
        Map<String, String> auth = basic(credential);
        GuardedHttp.Response existing = http.get(URI.create(base), auth, Duration.ofSeconds(60), MAX_METADATA_BYTES);
        List<String> versions = new ArrayList<>();
        if (existing.status() == 200) {
            Matcher listed = VERSIONS.matcher(new String(existing.body(), StandardCharsets.UTF_8));
            if (listed.find()) {
                Matcher m = VERSION.matcher(listed.group(1));
                while (m.find()) {
                    if (m.group(1).matches("[A-Za-z0-9][A-Za-z0-9_.+-]{0,99}")) {
                        versions.add(m.group(1));
                    }
                }
            }
        } else if (existing.status() != 404) {
            return new Refused(existing.status());
        }
        versions.remove(version);
        versions.add(version);
        String[] coordinates = ecosystem.name(project).normalized().split(":");
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<metadata>\n")
                .append("  <groupId>")
                .append(coordinates[0])
                .append("</groupId>\n")
                .append("  <artifactId>")
                .append(coordinates[1])
                .append("</artifactId>\n")
                .append("  <versioning>\n")
                .append("    <latest>")
                .append(version)
                .append("</latest>\n")
                .append("    <release>")
                .append(version)
                .append("</release>\n")
                .append("    <versions>\n");
        for (String v : versions.subList(Math.max(0, versions.size() - MAX_VERSIONS), versions.size())) {
            xml.append("      <version>").append(v).append("</version>\n");
        }
        xml.append("    </versions>\n    <lastUpdated>")
                .append(java.time.format.DateTimeFormatter.ofPattern("yyyyMMddHHmmss", Locale.ROOT)
                        .withZone(java.time.ZoneOffset.UTC)
                        .format(java.time.Instant.now()))
                .append("</lastUpdated>\n  </versioning>\n</metadata>\n");
        byte[] body = xml.toString().getBytes(StandardCharsets.UTF_8);
        MavenFiles.Digests d = MavenFiles.Digests.of(body);
        for (String[] put : new String[][] {{"", null}, {".sha1", d.sha1()}, {".md5", d.md5()}}) {
            byte[] bytes = put[1] == null ? body : put[1].getBytes(StandardCharsets.US_ASCII);
            GuardedHttp.Response answer = http.put(
                    URI.create(base + put[0]),
                    auth,
                    new GuardedHttp.Bytes(bytes, put[1] == null ? "application/xml" : "text/plain"),
                    Duration.ofSeconds(60),
                    64 * 1024);
            if (answer.status() / 100 != 2) {
                return new Refused(answer.status());
            }
        }
        return new Uploaded();
    }

    /** HTTP Basic for {@code credential}: {@code user:password}, or a token sent as {@code __token__}'s password. */
    private static Map<String, String> basic(String credential) {
        String user = credential.contains(":") ? credential : "__token__:" + credential;
        return Map.of(
                "Authorization", "Basic " + Base64.getEncoder().encodeToString(user.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * PUTs the file, then its {@code .sha1} and {@code .md5}, with HTTP Basic ({@code credential} is
     * {@code user:password}, or a token sent as {@code __token__}'s password). A refusal of a file
     * already there with these bytes (its {@code .sha1} matches) is a retry's: already there.
     */
    @Override
    public Pushed push(GuardedHttp http, String uploadUrl, String credential, Approved file, Path blob)
            throws IOException {
        MavenFiles.Digests d = files.find(file.fileId(), file.sha256())
                .orElseThrow(() -> new IllegalStateException("the gate has no Maven digests for " + file.filename()));
        String base = (uploadUrl.endsWith("/") ? uploadUrl.substring(0, uploadUrl.length() - 1) : uploadUrl) + "/"
                + artifactPath(file.project()) + "/" + file.version() + "/" + file.filename();
        Map<String, String> auth = basic(credential);
        GuardedHttp.Response response;
        try (var in = Files.newInputStream(blob)) {
            response = http.put(
                    URI.create(base),
                    auth,
                    new GuardedHttp.Stream(in, Files.size(blob), "application/octet-stream"),
                    Duration.ofMinutes(30),
                    64 * 1024);
        }
        if (response.status() / 100 != 2) {
            GuardedHttp.Response there = http.get(URI.create(base + ".sha1"), Map.of(), Duration.ofSeconds(60), 1024);
            boolean same = there.status() == 200
                    && new String(there.body(), StandardCharsets.US_ASCII)
                            .strip()
                            .startsWith(d.sha1());
            return same ? new AlreadyThere() : new Refused(response.status());
        }
        for (String[] sum : new String[][] {{"sha1", d.sha1()}, {"md5", d.md5()}}) {
            GuardedHttp.Response put = http.put(
                    URI.create(base + "." + sum[0]),
                    auth,
                    new GuardedHttp.Bytes(sum[1].getBytes(StandardCharsets.US_ASCII), "text/plain"),
                    Duration.ofSeconds(60),
                    64 * 1024);
            if (put.status() / 100 != 2) {
                return new Refused(put.status());
            }
        }
        return new Uploaded();
    }
}
