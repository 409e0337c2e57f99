/**
 * Watch: the event log's tamper evidence (signed Merkle checkpoints, {@code verify-log}), alert
 * delivery (the outbox's dispatcher and its webhook, Slack, e-mail and syslog channels in {@code
 * watch/alert}), and the events API and {@code /metrics} ({@code watch/http}). The log itself and
 * the alert port are one layer down, in {@code dev.portcullis.events}.
 */
package dev.portcullis.watch;
