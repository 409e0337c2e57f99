package dev.portcullis.registry.npm;

import dev.portcullis.http.Routes;
import dev.portcullis.identity.ApiAuthenticator;
import dev.portcullis.registry.Registry;
import dev.portcullis.store.Database;
import dev.portcullis.upstream.UpstreamProtocol;
import java.util.Optional;

/**
 * The npm registry as a plug-in: npm names, SemVer and dependency keys for the core ({@link
 * NpmEcosystem}), tarballs for the inspector ({@link NpmFormat}), and npm's publish, stage and
 * install protocol under {@code /npm/} ({@link NpmRoutes}), and npm registries upstream ({@link
 * NpmUpstream}).
 */
public final class NpmRegistry implements Registry {

    private final NpmEcosystem ecosystem = new NpmEcosystem();
    private final NpmFormat format = new NpmFormat(ecosystem);

    @Override
    public NpmEcosystem ecosystem() {
        return ecosystem;
    }

    @Override
    public NpmFormat format() {
        return format;
    }

    @Override
    public Optional<UpstreamProtocol> upstream(Database database) {
        return Optional.of(new NpmUpstream(format, new NpmFiles(database)));
    }

    @Override
    public Routes routes(Services s) {
        return new NpmRoutes(
                new ApiAuthenticator(s.identity()),
                s.publish(),
                s.catalog(),
                s.gate(),
                s.blobs(),
                s.database(),
                new NpmTags(s.database(), s.events(), s.gate(), s.clock()),
                s.trustedPublishing(),
                ecosystem,
                s.baseUrl(),
                s.clock());
    }
}
