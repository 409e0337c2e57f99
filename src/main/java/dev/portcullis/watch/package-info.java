/**
 * Watch: the event log every feature writes to in the same transaction as its state change.
 *
 * <p>Baselines, detectors, alert sinks and tamper evidence build on these rows (later work).
 */
package dev.portcullis.watch;
