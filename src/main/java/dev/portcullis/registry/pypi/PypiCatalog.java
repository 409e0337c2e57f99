package dev.portcullis.registry.pypi;

import dev.portcullis.publish.Artifact;
import dev.portcullis.store.Database;
import java.util.List;
import java.util.Map;

/** PyPI's view of released files: the neutral artifacts with PyPI's own attributes beside them. */
final class PypiCatalog {

    private final Database database;

    PypiCatalog(Database database) {
        this.database = database;
    }

    /** One file's PyPI attributes, if it has any (a drill's seeded history has none). */
    java.util.Optional<PypiFiles.Attributes> attributes(long fileId) {
        return database.withHandle(h -> PypiFiles.find(h, fileId));
    }

    /** Each artifact's PyPI attributes, by file id ({@link PypiFiles#UNKNOWN} where none were recorded). */
    Map<Long, PypiFiles.Attributes> attributes(List<Artifact> files) {
        return database.withHandle(
                h -> PypiFiles.of(h, files.stream().map(Artifact::id).toList()));
    }
}
