/**
 * The composition root: typed settings read once at start-up, every component built with plain
 * constructors in {@link dev.portcullis.app.Portcullis}, and the HTTP server with its routes.
 */
package dev.portcullis.app;
