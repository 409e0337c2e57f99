package dev.portcullis.registry.pypi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * PyPI for the upstream feature: a project's files from the JSON API ({@code /pypi/<project>/json},
 * with ETags), and promotion with the legacy upload protocol, exactly the approved bytes with the
 * digests and Python attributes the gate recorded ({@code pypi_files}). A retry after a crash
 * mid-upload is recognised by PyPI's "File already exists … blake2_256 hash" answer.
 */
final class PypiUpstream implements UpstreamProtocol {

    static final long MAX_LISTING_BYTES = 64L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PypiFormat format;
    private final PypiCatalog catalog;

    PypiUpstream(PypiFormat format, PypiCatalog catalog) {
        this.format = format;
        this.catalog = catalog;
    }

    @Override
    public String ecosystem() {
        return PypiEcosystem.ID;
    }

    @Override
    public Map<String, String> wellKnownIndexes() {
        return Map.of("pypi", "https://pypi.org", "testpypi", "https://test.pypi.org");
    }

    @Override
    public String defaultUploadUrl() {
        return "https://upload.pypi.org/legacy/";
    }

    @Override
    public PypiFormat format() {
        return format;
    }

    @Override
    public Answer list(GuardedHttp http, String indexUrl, String project, String etag) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Accept", "application/json");
        if (etag != null) {
            headers.put("If-None-Match", etag);
        }
        URI uri = URI.create(indexUrl + "/pypi/" + project + "/json");
        GuardedHttp.Response response = http.get(uri, headers, Duration.ofSeconds(30), MAX_LISTING_BYTES);
        return switch (response.status()) {
            case 304 -> new NotModified();
            case 404 -> new Missing();
            case 200 ->
                new Listing(files(response.body(), uri), response.header("ETag").orElse(null));
            default -> throw new IOException(uri.getHost() + " answered HTTP " + response.status() + " for " + project);
        };
    }

    private static List<File> files(byte[] body, URI from) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw new IOException("the answer of " + from.getHost() + " is not a JSON project listing");
        }
        List<File> files = new ArrayList<>();
        root.path("releases")
                .properties()
                .forEach(release -> release.getValue()
                        .forEach(f -> files.add(new File(
                                release.getKey(),
                                f.path("filename").asText(),
                                digest(f.path("digests").path("sha256").asText()),
                                f.path("size").asLong(),
                                f.path("upload_time_iso_8601")
                                        .asText(f.path("upload_time").asText()),
                                f.path("url").asText()))));
        return files;
    }

    @Override
    public String digestOf(Artifact local) {
        return digest(local.sha256());
    }

    private static String digest(String sha256Hex) {
        return "sha256:" + sha256Hex.toLowerCase(Locale.ROOT);
    }

    @Override
    public Pushed push(GuardedHttp http, String uploadUrl, String credential, Approved file, Path blob)
            throws IOException {
        PypiFiles.Attributes attributes = catalog.attributes(file.fileId())
                .orElseThrow(() -> new IllegalStateException("the gate has no PyPI attributes for " + file.filename()));
        String boundary = "portcullis-" + UUID.randomUUID();
        boolean wheel = "wheel".equals(file.kind());
        Map<String, String> form = new LinkedHashMap<>();
        form.put(":action", "file_upload");
        form.put("protocol_version", "1");
        form.put("metadata_version", "2.1");
        form.put("name", file.project());
        form.put("version", file.version());
        form.put("filetype", wheel ? PackageType.WHEEL.wireName() : PackageType.SDIST.wireName());
        form.put("pyversion", wheel ? attributes.pythonVersion() : "source");
        form.put("sha256_digest", file.sha256());
        if (attributes.blake2b256() != null) {
            form.put("blake2_256_digest", attributes.blake2b256());
        }
        if (attributes.requiresPython() != null) {
            form.put("requires_python", attributes.requiresPython());
        }
        StringBuilder fields = new StringBuilder();
        form.forEach((k, v) -> fields.append("--")
                .append(boundary)
                .append("\r\nContent-Disposition: form-data; name=\"")
                .append(k)
                .append("\"\r\n\r\n")
                .append(v)
                .append("\r\n"));
        fields.append("--")
                .append(boundary)
                .append("\r\nContent-Disposition: form-data; name=\"content\"; filename=\"")
                .append(file.filename())
                .append("\"\r\nContent-Type: application/octet-stream\r\n\r\n");
        byte[] head = fields.toString().getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        long length = head.length + Files.size(blob) + tail.length;
        Map<String, String> headers = Map.of(
                "Content-Type", "multipart/form-data; boundary=" + boundary,
                "Authorization",
                        "Basic "
                                + Base64.getEncoder()
                                        .encodeToString(("__token__:" + credential).getBytes(StandardCharsets.UTF_8)));
        GuardedHttp.Response response;
        try (InputStream body = new SequenceInputStream(Collections.enumeration(List.<InputStream>of(
                new ByteArrayInputStream(head), Files.newInputStream(blob), new ByteArrayInputStream(tail))))) {
            response = http.post(
                    URI.create(uploadUrl),
                    headers,
                    new GuardedHttp.Stream(body, length, "multipart/form-data; boundary=" + boundary),
                    Duration.ofMinutes(30),
                    64 * 1024);
        }
        if (response.status() / 100 == 2) {
            return new Uploaded();
        }
        String answer = new String(response.body(), StandardCharsets.UTF_8);
        if (response.status() == 400
                && answer.contains("File already exists")
                && attributes.blake2b256() != null
                && answer.contains(attributes.blake2b256())) {
            return new AlreadyThere();
        }
        return new Refused(response.status());
    }
}
