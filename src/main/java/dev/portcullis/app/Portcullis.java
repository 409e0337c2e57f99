package dev.portcullis.app;

import dev.portcullis.app.http.ErrorStyle;
import dev.portcullis.app.http.HttpServer;
import dev.portcullis.gate.ReleaseGate;
import dev.portcullis.gate.http.ReleaseRoutes;
import dev.portcullis.identity.Identity;
import dev.portcullis.identity.TokenFormat;
import dev.portcullis.identity.http.ApiAuthenticator;
import dev.portcullis.publish.Catalog;
import dev.portcullis.publish.PublishService;
import dev.portcullis.registry.pypi.FileRoutes;
import dev.portcullis.registry.pypi.JsonApiRoutes;
import dev.portcullis.registry.pypi.LegacyUploadRoute;
import dev.portcullis.registry.pypi.SimpleIndexRoutes;
import dev.portcullis.store.BlobStore;
import dev.portcullis.store.Database;
import dev.portcullis.watch.EventLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Map;

/**
 * The composition root. Builds every component with plain constructors, in dependency order;
 * {@link #serve()} adds the HTTP routes. The clock and the random source are parameters so tests
 * can control time and tokens.
 */
public final class Portcullis implements AutoCloseable {

  private final Settings settings;
  private final Database database;
  private final BlobStore blobs;
  private final EventLog events;
  private final Identity identity;
  private final Catalog catalog;
  private final PublishService publish;
  private final ReleaseGate gate;
  private HttpServer server;

  private Portcullis(Settings settings, Clock clock, SecureRandom random) {
    this.settings = settings;
    try {
      Files.createDirectories(settings.dataDir());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create data directory " + settings.dataDir(), e);
    }
    this.database = Database.open(settings.database());
    this.blobs = new BlobStore(settings.dataDir().resolve("blobs"));
    this.events = new EventLog(database, clock);
    this.identity = new Identity(database, events, clock, new TokenFormat(random), settings.tokens());
    this.catalog = new Catalog(database);
    this.publish = new PublishService(database, blobs, events, clock, settings.publish());
    this.gate = new ReleaseGate(database, catalog, events, clock);
  }

  /** Opens storage and builds the features, without serving HTTP (CLI admin commands). */
  public static Portcullis open(Settings settings, Clock clock, SecureRandom random) {
    return new Portcullis(settings, clock, random);
  }

  /** Starts the HTTP server; returns the bound port. */
  public int serve() {
    blobs.removeAbandonedTemporaryFiles();
    HttpServer http = new HttpServer(settings.host(), settings.port());
    LegacyUploadRoute upload = new LegacyUploadRoute(identity, publish);
    SimpleIndexRoutes simple = new SimpleIndexRoutes(catalog);
    FileRoutes files = new FileRoutes(catalog, blobs);
    JsonApiRoutes json = new JsonApiRoutes(catalog, () -> baseUrl(http));
    ReleaseRoutes releases = new ReleaseRoutes(new ApiAuthenticator(identity), catalog, gate);
    // Undertow matches a parameterised template with or without a trailing slash (and "/simple/"
    // as an empty project); literal paths need both forms. The PyPI handlers redirect or refuse
    // the slash-less form, as PyPI does.
    http.post("/legacy/", ErrorStyle.PYPI, upload::handle)
        .post("/legacy", ErrorStyle.PYPI, upload::handle)
        .get("/simple", ErrorStyle.PYPI, simple::index)
        .get("/simple/{project}", ErrorStyle.PYPI, simple::project)
        .get("/files/{project}/{filename}", ErrorStyle.PYPI, files::download)
        .get("/pypi/{project}/json", ErrorStyle.JSON, json::project)
        .get("/pypi/{project}/{version}/json", ErrorStyle.JSON, json::version)
        .get("/api/v1/releases", ErrorStyle.JSON, releases::list)
        .get("/api/v1/projects/{project}/releases/{version}", ErrorStyle.JSON, releases::show)
        .post("/api/v1/projects/{project}/releases/{version}/approve", ErrorStyle.JSON, releases::approve)
        .post("/api/v1/projects/{project}/releases/{version}/reject", ErrorStyle.JSON, releases::reject)
        .post("/api/v1/projects/{project}/releases/{version}/yank", ErrorStyle.JSON, releases::yank)
        .get("/health", ErrorStyle.JSON, ex -> ex.json(Map.of("status", "ok")));
    http.start();
    server = http;
    return http.port();
  }

  private String baseUrl(HttpServer http) {
    return settings.baseUrl() != null
        ? settings.baseUrl()
        : "http://" + settings.host() + ":" + http.port();
  }

  public Settings settings() {
    return settings;
  }

  public Identity identity() {
    return identity;
  }

  public Catalog catalog() {
    return catalog;
  }

  public PublishService publish() {
    return publish;
  }

  public ReleaseGate gate() {
    return gate;
  }

  public EventLog events() {
    return events;
  }

  public Database database() {
    return database;
  }

  /** Stops serving gracefully, then closes storage. */
  @Override
  public void close() {
    if (server != null) {
      server.close();
      server = null;
    }
    database.close();
  }
}
