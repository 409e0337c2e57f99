package dev.portcullis.registry.npm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.net.GuardedHttp;
import dev.portcullis.publish.Artifact;
import dev.portcullis.upstream.UpstreamProtocol;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An npm registry for the upstream feature. A package's files come from its full packument ({@code
 * GET <registry>/<name>}, with ETags): each version's tarball, its SRI {@code integrity} (the
 * digest compared with the gate's), and its publish time from {@code time}. A packument does not
 * list tarball sizes, so sizes are unknown ({@code -1}) until a file is downloaded. Promotion is
 * {@code npm publish}'s own request: a PUT of the document with the tarball's own package.json (as
 * the gate stored it, never a manifest sent beside it) and the approved bytes base64-encoded as
 * they stream from the blob store. A retry after a crash mid-publish is recognised by reading the
 * packument back: the version there with the same integrity is already there.
 */
final class NpmUpstream implements UpstreamProtocol {

    /** npm's packuments of packages with thousands of versions run to tens of MiB. */
    static final long MAX_LISTING_BYTES = 128L << 20;

    private final NpmFormat format;
    private final NpmFiles files;

    NpmUpstream(NpmFormat format, NpmFiles files) {
        this.format = format;
        this.files = files;
    }

    @Override
    public String ecosystem() {
        return NpmEcosystem.ID;
    }

    @Override
    public Map<String, String> wellKnownIndexes() {
        return Map.of("npm", "https://registry.npmjs.org");
    }

    @Override
    public String defaultUploadUrl() {
        return "https://registry.npmjs.org";
    }

    @Override
    public NpmFormat format() {
        return format;
    }

    /** A package name as npm puts it in a registry path: the scope's slash escaped. */
    static String escaped(String name) {
        return name.replace("/", "%2F");
    }

    @Override
    public Answer list(GuardedHttp http, String indexUrl, String project, String etag) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Accept", "application/json");
        if (etag != null) {
            headers.put("If-None-Match", etag);
        }
        URI uri = URI.create(indexUrl + "/" + escaped(project));
        GuardedHttp.Response response = http.get(uri, headers, Duration.ofSeconds(60), MAX_LISTING_BYTES);
        return switch (response.status()) {
            case 304 -> new NotModified();
            case 404 -> new Missing();
            case 200 ->
                new Listing(
                        files(project, response.body(), uri),
                        response.header("ETag").orElse(null));
            default -> throw new IOException(uri.getHost() + " answered HTTP " + response.status() + " for " + project);
        };
    }

    private static List<File> files(String project, byte[] body, URI from) throws IOException {
        JsonNode root;
        try {
            root = NpmFormat.JSON.readTree(body);
        } catch (IOException e) {
            throw new IOException("the answer of " + from.getHost() + " is not an npm packument");
        }
        if (root == null || !root.path("versions").isObject()) {
            throw new IOException("the answer of " + from.getHost() + " is not an npm packument");
        }
        List<File> out = new ArrayList<>();
        JsonNode time = root.path("time");
        root.path("versions").properties().forEach(entry -> {
            String version = entry.getKey();
            JsonNode dist = entry.getValue().path("dist");
            String integrity = dist.path("integrity").asText("");
            String digest = integrity.startsWith("sha512-")
                    ? integrity
                    : "sha1:" + dist.path("shasum").asText("").toLowerCase(java.util.Locale.ROOT);
            out.add(new File(
                    version,
                    NpmEcosystem.tarballName(project, version),
                    digest,
                    -1,
                    time.path(version).isTextual() ? time.path(version).asText() : null,
                    dist.path("tarball").asText("")));
        });
        return out;
    }

    /** The approved tarball's SRI integrity as the gate recorded it when the tarball was uploaded. */
    @Override
    public String digestOf(Artifact local) {
        return files.find(local.id())
                .map(NpmFiles.Attributes::integrity)
                .orElseThrow(() -> new IllegalStateException("the gate has no npm attributes for " + local.filename()));
    }

    @Override
    public Pushed push(GuardedHttp http, String uploadUrl, String credential, Approved file, Path blob)
            throws IOException {
        NpmFiles.Attributes attributes = files.find(file.fileId())
                .orElseThrow(() -> new IllegalStateException("the gate has no npm attributes for " + file.filename()));
        String registry = uploadUrl.endsWith("/") ? uploadUrl.substring(0, uploadUrl.length() - 1) : uploadUrl;
        long size = Files.size(blob);
        ObjectNode manifest = (ObjectNode) NpmFormat.JSON.readTree(attributes.manifest());
        manifest.put("_id", file.project() + "@" + file.version());
        ObjectNode dist = manifest.putObject("dist");
        dist.put("integrity", attributes.integrity());
        dist.put("shasum", attributes.shasum());
        dist.put("tarball", registry + "/" + file.project() + "/-/" + file.filename());
        ObjectNode document = NpmFormat.JSON.createObjectNode();
        document.put("_id", file.project());
        document.put("name", file.project());
        document.putObject("dist-tags").put(attributes.tag() == null ? "latest" : attributes.tag(), file.version());
        document.putObject("versions").set(file.version(), manifest);
        document.putNull("access");
        String json = NpmFormat.JSON.writeValueAsString(document);
        // The attachment is named as npm names it: the full name, scope included.
        byte[] head = (json.substring(0, json.length() - 1)
                        + ",\"_attachments\":{"
                        + NpmFormat.JSON.writeValueAsString(file.project() + "-" + file.version() + ".tgz")
                        + ":{\"content_type\":\"application/octet-stream\",\"length\":"
                        + size
                        + ",\"data\":\"")
                .getBytes(StandardCharsets.UTF_8);
        byte[] tail = "\"}}}".getBytes(StandardCharsets.UTF_8);
        long length = head.length + (size + 2) / 3 * 4 + tail.length;
        GuardedHttp.Response response;
        URI uri = URI.create(registry + "/" + escaped(file.project()));
        try (InputStream body = new SequenceInputStream(Collections.enumeration(List.<InputStream>of(
                new ByteArrayInputStream(head),
                new Base64Stream(Files.newInputStream(blob)),
                new ByteArrayInputStream(tail))))) {
            response = http.put(
                    uri,
                    Map.of("Authorization", "Bearer " + credential, "npm-command", "publish"),
                    new GuardedHttp.Stream(body, length, "application/json"),
                    Duration.ofMinutes(30),
                    64 * 1024);
        }
        if (response.status() / 100 == 2) {
            return new Uploaded();
        }
        // npm refuses a version twice (403 "cannot publish over"); whether it holds these bytes is
        // read from the packument, never from the wording of an answer.
        if (response.status() == 403 || response.status() == 409) {
            Answer listed = list(http, registry, file.project(), null);
            if (listed instanceof Listing listing
                    && listing.files().stream()
                            .anyMatch(f -> f.version().equals(file.version())
                                    && f.digest().equals(attributes.integrity()))) {
                return new AlreadyThere();
            }
        }
        return new Refused(response.status());
    }

    /** The base64 text of a stream, produced as it is read (the whole of it is never in memory). */
    static final class Base64Stream extends InputStream {

        private static final int CHUNK = 3 * 16 * 1024;

        private final InputStream raw;
        private byte[] encoded = new byte[0];
        private int position;
        private boolean done;

        Base64Stream(InputStream raw) {
            this.raw = raw;
        }

        private boolean fill() throws IOException {
            while (position >= encoded.length) {
                if (done) {
                    return false;
                }
                byte[] chunk = raw.readNBytes(CHUNK); // whole chunks: padding only ever at the very end
                done = chunk.length < CHUNK;
                encoded = Base64.getEncoder().encode(chunk);
                position = 0;
            }
            return true;
        }

        @Override
        public int read() throws IOException {
            return fill() ? encoded[position++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!fill()) {
                return -1;
            }
            int n = Math.min(len, encoded.length - position);
            System.arraycopy(encoded, position, b, off, n);
            position += n;
            return n;
        }

        @Override
        public void close() throws IOException {
            raw.close();
        }
    }
}
