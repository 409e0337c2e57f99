package dev.portcullis.testing;

import dev.portcullis.core.Refusal;
import dev.portcullis.http.ErrorStyle;
import dev.portcullis.http.Routes;
import dev.portcullis.identity.ApiAuthenticator;
import dev.portcullis.identity.Principal;
import dev.portcullis.publish.Artifact;
import dev.portcullis.publish.Ecosystem;
import dev.portcullis.publish.Registry;
import dev.portcullis.publish.Submission;
import dev.portcullis.publish.UploadResult;
import dev.portcullis.store.StagedBlob;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A second ecosystem that exists only in tests: the smallest registry plug-in there is, to prove
 * that the core is neutral (a project of its own can have a PyPI project's name) and to run the
 * registry contract against something that is not PyPI. Protocol: {@code PUT /fake/P/V/FILE} (the
 * body is the file, Bearer token), {@code GET /fake/P} (released files), {@code GET /fake/P/FILE}.
 * Names: lower-case letters, digits and '-'; versions: dotted numbers, trailing {@code .0}s ignored.
 */
public final class FakeRegistry implements Registry {

  public static final String ID = "fake";

  private final Ecosystem ecosystem = new Ecosystem() {
    @Override
    public String id() {
      return ID;
    }

    @Override
    public Named name(String written) {
      if (written == null || !written.toLowerCase(Locale.ROOT).matches("[a-z0-9][a-z0-9-]{0,50}")) {
        throw new Refusal.Invalid("'" + written + "' is not a fake project name");
      }
      return new Named(written, written.toLowerCase(Locale.ROOT));
    }

    @Override
    public Versioned version(String written) {
      if (written == null || !written.matches("[0-9]+(\\.[0-9]+)*")) {
        throw new Refusal.Invalid("'" + written + "' is not a fake version");
      }
      return new Versioned(written, written.replaceAll("(\\.0)+$", ""));
    }
  };

  @Override
  public Ecosystem ecosystem() {
    return ecosystem;
  }

  @Override
  public Routes routes(Services s) {
    ApiAuthenticator auth = new ApiAuthenticator(s.identity());
    return router -> router
        .put("/fake/{project}/{version}/{filename}", ErrorStyle.JSON, exchange -> {
          Principal principal = auth.require(exchange);
          StagedBlob content = s.publish().receive(exchange.body(s.publish().settings().maxFileBytes()));
          Submission.Rules rules = new Submission.Rules() {
            @Override
            public Optional<String> check(dev.portcullis.publish.Ecosystems.ProjectRef project, Ecosystem.Versioned version) {
              return Optional.empty();
            }

            @Override
            public Optional<String> conflict(List<Artifact> releaseFiles) {
              return Optional.empty();
            }

            @Override
            public String fileExists(org.jdbi.v3.core.Handle h, Artifact existing) {
              return "taken: " + existing.filename();
            }

            @Override
            public void record(org.jdbi.v3.core.Handle h, long fileId) {}
          };
          UploadResult result = s.publish().upload(principal, new Submission(ecosystem, exchange.pathParam("project"),
              exchange.pathParam("version"), exchange.pathParam("filename"), "blob", content, null, rules), exchange.origin());
          switch (result) {
            case UploadResult.Staged staged -> exchange.status(201).json(Map.of("staged", staged.filename()));
            case UploadResult.Unchanged unchanged -> exchange.json(Map.of("unchanged", unchanged.filename()));
            case UploadResult.Refused refused -> throw switch (refused.why()) {
              case NOT_AUTHENTICATED, FORBIDDEN -> new Refusal.Forbidden(refused.message());
              case FILE_EXISTS, RELEASE_DECIDED -> new Refusal.Conflict(refused.message());
              case INVALID, TOO_LARGE -> new Refusal.Invalid(refused.message());
            };
          }
        })
        .get("/fake/{project}", ErrorStyle.JSON, exchange -> {
          String key = s.catalog().ecosystems().project(ecosystem, exchange.pathParam("project")).key();
          exchange.json(Map.of("files", s.catalog().releasedArtifacts(key).stream()
              .map(a -> Map.of("filename", a.filename(), "sha256", a.sha256(), "version", a.version())).toList()));
        })
        .get("/fake/{project}/{filename}", ErrorStyle.JSON, exchange -> {
          String key = s.catalog().ecosystems().project(ecosystem, exchange.pathParam("project")).key();
          Artifact file = s.catalog().findReleasedArtifact(key, exchange.pathParam("filename"))
              .orElseThrow(() -> new Refusal.NotFound("Not Found"));
          exchange.text("application/octet-stream", new String(java.nio.file.Files.readAllBytes(s.blobs().find(file.sha256()).orElseThrow()),
              java.nio.charset.StandardCharsets.ISO_8859_1));
        });
  }
}
