package dev.portcullis.registry.pypi;

import dev.portcullis.http.Routes;
import dev.portcullis.publish.Registry;
import java.util.List;

/**
 * The PyPI registry as a plug-in: its {@link PypiEcosystem} for the core and its protocols'
 * routes — the legacy upload, the Simple API (PEP 503/691/700/714), files and their PEP 658
 * metadata, the PEP 740 Integrity API and the JSON API. The composition root wires it in one line.
 */
public final class PypiRegistry implements Registry {

  private final PypiEcosystem ecosystem = new PypiEcosystem();

  @Override
  public PypiEcosystem ecosystem() {
    return ecosystem;
  }

  @Override
  public Routes routes(Services s) {
    PypiCatalog pypi = new PypiCatalog(s.database());
    List<Routes> adapters = List.of(
        new LegacyUploadRoute(s.identity(), s.publish(), ecosystem, s.blobs()),
        new SimpleIndexRoutes(s.catalog(), pypi),
        new FileRoutes(s.catalog(), s.blobs(), pypi),
        new IntegrityRoutes(s.catalog()),
        new JsonApiRoutes(s.catalog(), pypi, s.baseUrl()));
    return router -> adapters.forEach(adapter -> adapter.register(router));
  }
}
