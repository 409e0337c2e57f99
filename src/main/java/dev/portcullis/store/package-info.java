/**
 * Storage: the metadata database (SQLite embedded by default, PostgreSQL in production), migrated by
 * Flyway and accessed through JDBI, and the content-addressed blob store for artifact bytes.
 *
 * <p>Other features receive a {@link dev.portcullis.store.Database} and a {@link
 * dev.portcullis.store.BlobStore}; they never open files or connections themselves.
 */
package dev.portcullis.store;
