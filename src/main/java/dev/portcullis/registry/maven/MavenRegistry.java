package dev.portcullis.registry.maven;

import dev.portcullis.http.Routes;
import dev.portcullis.identity.ApiAuthenticator;
import dev.portcullis.registry.Registry;
import dev.portcullis.store.Database;
import dev.portcullis.upstream.UpstreamProtocol;
import java.util.Optional;

/**
 * Maven repositories as a plug-in: coordinates and versions for the core ({@link MavenEcosystem}),
 * jars and poms for the inspector ({@link MavenFormat}), and the repository layout under {@code
 * /maven2/} ({@link MavenRoutes}), and Maven repositories upstream ({@link MavenUpstream}).
 */
public final class MavenRegistry implements Registry {

    private final MavenEcosystem ecosystem = new MavenEcosystem();
    private final MavenFormat format = new MavenFormat(ecosystem);

    @Override
    public MavenEcosystem ecosystem() {
        return ecosystem;
    }

    @Override
    public MavenFormat format() {
        return format;
    }

    @Override
    public Optional<UpstreamProtocol> upstream(Database database) {
        return Optional.of(new MavenUpstream(format, new MavenFiles(database)));
    }

    @Override
    public Routes routes(Services s) {
        MavenRoutes repository = new MavenRoutes(
                new ApiAuthenticator(s.identity(), "Basic realm=\"portcullis\""),
                s.publish(),
                s.catalog(),
                s.blobs(),
                new MavenFiles(s.database()),
                ecosystem);
        PortalRoutes portal = new PortalRoutes(
                new ApiAuthenticator(s.identity(), "Bearer realm=\"portcullis\""),
                s.publish(),
                s.catalog(),
                s.gate(),
                ecosystem,
                new Deployments(s.database()),
                s.clock());
        return router -> {
            repository.register(router);
            portal.register(router);
        };
    }
}
