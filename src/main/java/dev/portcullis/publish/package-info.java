/**
 * Publish: the pipeline one upload goes through (receive, validate, stage) and the project,
 * release and artifact records it produces.
 *
 * <p>{@link dev.portcullis.publish.PublishService} is the entry point for uploads and {@link
 * dev.portcullis.publish.Catalog} the read side. Every upload lands in a {@code held} release,
 * invisible to installers until the gate decides it.
 */
package dev.portcullis.publish;
