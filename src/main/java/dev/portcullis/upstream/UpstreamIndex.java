package dev.portcullis.upstream;

import dev.portcullis.core.Refusal;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.net.GuardedHttp;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A PyPI-compatible index's JSON API ({@code /pypi/<project>/json}), polled with {@code
 * If-None-Match}, through the guarded client (the outbound policy applies to the index and to
 * every file URL it lists). Errors are in our words: nothing the index answers is echoed into a
 * watch's last error or an alert.
 */
final class UpstreamIndex {

  /** The well-known indexes a watch spec may name. */
  static String resolve(String indexName) {
    return switch (indexName.toLowerCase(Locale.ROOT)) {
      case "pypi" -> "https://pypi.org";
      case "testpypi" -> "https://test.pypi.org";
      default -> throw new Refusal.Invalid("unknown index '" + indexName + "': use pypi, testpypi, or --index URL");
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

  private final GuardedHttp http;

  UpstreamIndex(GuardedHttp http) {
    this.http = http;
  }

  /** Refuses (as an invalid request) an index URL the outbound policy would never fetch. */
  void check(String indexUrl) {
    try {
      http.policy().check(URI.create(indexUrl));
    } catch (IOException | IllegalArgumentException e) {
      throw new Refusal.Invalid("the index URL cannot be watched: " + e.getMessage());
    }
  }

  /** Fetches the project's listing; network errors and unexpected answers throw {@link IOException}. */
  Answer poll(String indexUrl, String project, String etag) throws IOException {
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
      case 200 -> new Listing(files(response.body(), uri), response.header("ETag").orElse(null));
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
    root.path("releases").properties().forEach(release -> release.getValue().forEach(f -> files.add(new File(release.getKey(),
        f.path("filename").asText(), f.path("digests").path("sha256").asText(), f.path("size").asLong(),
        f.path("upload_time_iso_8601").asText(f.path("upload_time").asText()), f.path("url").asText()))));
    return files;
  }

  /** Downloads a file (at most {@code maxBytes}) to a temporary file; the caller deletes it. Empty when not there or too large. */
  Optional<Path> download(File file, long maxBytes) throws IOException {
    Path tmp = Files.createTempFile("portcullis-upstream-", ".part");
    try {
      int status = http.download(URI.create(file.url()), Map.of(), Duration.ofMinutes(5), maxBytes, tmp);
      if (status == 200) {
        return Optional.of(tmp);
      }
    } catch (IOException e) {
      Files.deleteIfExists(tmp);
      if (e.getMessage() != null && e.getMessage().contains("is larger than")) {
        return Optional.empty();
      }
      throw e;
    } catch (IllegalArgumentException e) {
      Files.deleteIfExists(tmp);
      throw new IOException("the index lists a file URL that is not a URL");
    }
    Files.deleteIfExists(tmp);
    return Optional.empty();
  }
}
