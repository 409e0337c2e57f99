package dev.portcullis.registry;

import dev.portcullis.events.EventLog;
import dev.portcullis.gate.ReleaseGate;
import dev.portcullis.http.Routes;
import dev.portcullis.identity.Identity;
import dev.portcullis.identity.TrustedPublishing;
import dev.portcullis.inspect.PackageFormat;
import dev.portcullis.provenance.ProvenanceStore;
import dev.portcullis.publish.Catalog;
import dev.portcullis.publish.Ecosystem;
import dev.portcullis.publish.PublishService;
import dev.portcullis.store.BlobStore;
import dev.portcullis.store.Database;
import dev.portcullis.upstream.UpstreamProtocol;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A registry plug-in: one ecosystem, seen from each feature that must know it — its naming rules
 * for the core ({@link Ecosystem}), its package files for inspection ({@link PackageFormat}), its
 * public registry for the upstream watcher and promotion ({@link UpstreamProtocol}), and its wire
 * protocols' routes. Adding an ecosystem is one implementation of this interface and one line in
 * the composition root (docs/ARCHITECTURE.md); no feature looks behind it.
 */
public interface Registry {

    Ecosystem ecosystem();

    /** How the inspector reads this ecosystem's files; its {@link PackageFormat#ecosystem()} is {@link #ecosystem()}. */
    PackageFormat format();

    /** This ecosystem's public registry, if the server can watch and promote to it; {@code database} holds the registry's own tables. */
    Optional<UpstreamProtocol> upstream(Database database);

    /** The protocol adapters, built on the core's services once they exist. */
    Routes routes(Services services);

    /**
     * What a registry's adapters may use: the pipeline, the catalog, the gate (for decisions a
     * protocol carries, such as {@code npm stage approve}), the blob store, authentication,
     * provenance, its own tables, the server's clock.
     */
    record Services(
            Database database,
            Catalog catalog,
            ReleaseGate gate,
            BlobStore blobs,
            Identity identity,
            TrustedPublishing trustedPublishing,
            PublishService publish,
            ProvenanceStore provenance,
            EventLog events,
            Supplier<String> baseUrl,
            Clock clock) {}
}
