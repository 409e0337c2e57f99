/**
 * The event log every feature writes to (hash-chained, {@link dev.portcullis.events.EventLog};
 * counted events for refusals) and the alert port ({@link dev.portcullis.events.AlertSink}) every
 * feature raises alerts through. Integrity checks, checkpoints and alert delivery are the watch
 * feature's; this layer is below every feature so that none depends on another to record.
 */
package dev.portcullis.events;
