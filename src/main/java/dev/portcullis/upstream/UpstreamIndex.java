package dev.portcullis.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** A PyPI-compatible index's JSON API ({@code /pypi/<project>/json}), polled with {@code If-None-Match}. */
final class UpstreamIndex {

  /** The well-known indexes a watch spec may name. */
  static String resolve(String indexName) {
    return switch (indexName.toLowerCase(Locale.ROOT)) {
      case "pypi" -> "https://pypi.org";
      case "testpypi" -> "https://test.pypi.org";
      default -> throw new dev.portcullis.identity.IdentityException("unknown index '" + indexName + "': use pypi, testpypi, or --index URL");
    };
  }

  /** One file as the index lists it. */
  record File(String version, String filename, String sha256, long size, String uploadTime, String url) {}

  /** What a poll found: nothing new (304), no such project (404), or the files and the new ETag. */
  sealed interface Answer {}

  record NotModified() implements Answer {}

  record Missing() implements Answer {}

  record Listing(List<File> files, String etag) implements Answer {}

  private static final ObjectMapper JSON = new ObjectMapper();
  static final long MAX_LISTING_BYTES = 64L << 20;

  private final HttpClient http;

  UpstreamIndex(HttpClient http) {
    this.http = http;
  }

  /** Fetches the project's listing; network errors and unexpected answers throw {@link IOException}. */
  Answer poll(String indexUrl, String project, String etag) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(indexUrl + "/pypi/" + project + "/json"))
        .timeout(Duration.ofSeconds(30)).header("Accept", "application/json").header("User-Agent", "portcullis-upstream-watcher");
    if (etag != null) {
      request.header("If-None-Match", etag);
    }
    HttpResponse<InputStream> response = http.send(request.GET().build(), HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream body = response.body()) {
      return switch (response.statusCode()) {
        case 304 -> new NotModified();
        case 404 -> new Missing();
        case 200 -> new Listing(files(JSON.readTree(body.readNBytes((int) MAX_LISTING_BYTES))), response.headers().firstValue("ETag").orElse(null));
        default -> throw new IOException(indexUrl + " answered HTTP " + response.statusCode() + " for " + project);
      };
    }
  }

  private static List<File> files(JsonNode root) {
    List<File> files = new ArrayList<>();
    root.path("releases").fields().forEachRemaining(release -> release.getValue().forEach(f -> files.add(new File(release.getKey(),
        f.path("filename").asText(), f.path("digests").path("sha256").asText(), f.path("size").asLong(),
        f.path("upload_time_iso_8601").asText(f.path("upload_time").asText()), f.path("url").asText()))));
    return files;
  }

  /** Downloads a file (at most {@code maxBytes}) to a temporary file; the caller deletes it. */
  Optional<Path> download(File file, long maxBytes) throws IOException, InterruptedException {
    HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create(file.url())).timeout(Duration.ofMinutes(5)).GET().build(),
        HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream body = response.body()) {
      if (response.statusCode() != 200) {
        return Optional.empty();
      }
      Path tmp = Files.createTempFile("portcullis-upstream-", ".part");
      try (InputStream bounded = new java.io.BufferedInputStream(body)) {
        long copied = Files.copy(new LimitedStream(bounded, maxBytes), tmp, StandardCopyOption.REPLACE_EXISTING);
        if (copied >= maxBytes) {
          Files.deleteIfExists(tmp);
          return Optional.empty();
        }
      }
      return Optional.of(tmp);
    }
  }

  /** Reads at most {@code max} bytes. */
  private static final class LimitedStream extends java.io.FilterInputStream {
    private long left;

    LimitedStream(InputStream in, long max) {
      super(in);
      this.left = max;
    }

    @Override
    public int read() throws IOException {
      if (left <= 0) {
        return -1;
      }
      int b = in.read();
      left -= b >= 0 ? 1 : 0;
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (left <= 0) {
        return -1;
      }
      int n = in.read(b, off, (int) Math.min(len, left));
      left -= Math.max(n, 0);
      return n;
    }
  }
}
