/**
 * The command line (picocli). Local administration commands ({@code admin}, {@code token}) open
 * the data directory directly; commands about releases talk to a running server's HTTP API.
 */
package dev.portcullis.cli;
