package dev.portcullis.registry.pypi;

import dev.portcullis.http.Routes;
import dev.portcullis.registry.Registry;
import dev.portcullis.store.Database;
import dev.portcullis.upstream.UpstreamProtocol;
import java.util.List;
import java.util.Optional;

/**
 * The PyPI registry as a plug-in: PEP 440/503/508 for the core ({@link PypiEcosystem}), wheels and
 * sdists for the inspector ({@link PypiFormat}), pypi.org's JSON API and legacy upload for the
 * upstream watcher and promotion ({@link PypiUpstream}), and its protocols' routes — the legacy
 * upload, the Simple API (PEP 503/691/700/714), files and their PEP 658 metadata, the PEP 740
 * Integrity API and the JSON API. The composition root wires it in one line.
 */
public final class PypiRegistry implements Registry {

    private final PypiEcosystem ecosystem = new PypiEcosystem();
    private final PypiFormat format = new PypiFormat(ecosystem);

    @Override
    public PypiEcosystem ecosystem() {
        return ecosystem;
    }

    @Override
    public PypiFormat format() {
        return format;
    }

    @Override
    public Optional<UpstreamProtocol> upstream(Database database) {
        return Optional.of(new PypiUpstream(format, new PypiCatalog(database)));
    }

    @Override
    public Routes routes(Services s) {
        PypiCatalog pypi = new PypiCatalog(s.database());
        List<Routes> adapters = List.of(
                new LegacyUploadRoute(s.identity(), s.publish(), ecosystem, s.blobs()),
                new SimpleIndexRoutes(s.catalog(), pypi),
                new FileRoutes(s.catalog(), s.blobs(), pypi),
                new IntegrityRoutes(s.catalog(), s.provenance()),
                new JsonApiRoutes(s.catalog(), pypi, s.baseUrl()));
        return router -> adapters.forEach(adapter -> adapter.register(router));
    }
}
