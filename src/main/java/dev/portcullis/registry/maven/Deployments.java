package dev.portcullis.registry.maven;

import dev.portcullis.store.Database;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The Central Portal deployments (tables {@code maven_deployments}, {@code maven_deployment_releases}). */
final class Deployments {

    /** One uploaded bundle: its id, name, publishing type, who uploaded it and the releases it staged. */
    record Deployment(
            String id, String name, String publishingType, String createdBy, Instant createdAt, List<Long> releases) {}

    private final Database database;

    Deployments(Database database) {
        this.database = database;
    }

    void insert(Deployment d) {
        database.inTransaction(h -> {
            h.createUpdate("INSERT INTO maven_deployments (id, name, publishing_type, created_by, created_at)"
                            + " VALUES (:id, :n, :t, :by, :at)")
                    .bind("id", d.id())
                    .bind("n", d.name())
                    .bind("t", d.publishingType())
                    .bind("by", d.createdBy())
                    .bind("at", d.createdAt().toEpochMilli())
                    .execute();
            for (long release : d.releases()) {
                h.createUpdate("INSERT INTO maven_deployment_releases (deployment_id, release_id) VALUES (:d, :r)")
                        .bind("d", d.id())
                        .bind("r", release)
                        .execute();
            }
            return null;
        });
    }

    Optional<Deployment> find(String id) {
        return database.withHandle(h -> h.createQuery("SELECT * FROM maven_deployments WHERE id = :id")
                .bind("id", id)
                .map((rs, ctx) -> new Deployment(
                        rs.getString("id"),
                        rs.getString("name"),
                        rs.getString("publishing_type"),
                        rs.getString("created_by"),
                        Instant.ofEpochMilli(rs.getLong("created_at")),
                        h.createQuery("SELECT release_id FROM maven_deployment_releases WHERE deployment_id = :id"
                                        + " ORDER BY release_id")
                                .bind("id", id)
                                .mapTo(Long.class)
                                .list()))
                .findOne());
    }
}
