package dev.portcullis.publish;

import dev.portcullis.http.Routes;
import dev.portcullis.identity.Identity;
import dev.portcullis.store.BlobStore;
import dev.portcullis.store.Database;
import java.util.function.Supplier;

/**
 * A registry plug-in: an ecosystem's rules for the core, and its protocols' routes. Adding an
 * ecosystem is one implementation of this interface and one line in the composition root
 * (docs/ARCHITECTURE.md); the core never looks behind it.
 */
public interface Registry {

  Ecosystem ecosystem();

  /** The protocol adapters, built on the core's services once they exist. */
  Routes routes(Services services);

  /** What a registry's adapters may use: the pipeline, the catalog, the blob store, authentication, its own tables. */
  record Services(Database database, Catalog catalog, BlobStore blobs, Identity identity, PublishService publish,
      Supplier<String> baseUrl) {}
}
