/**
 * Alert delivery: an outbox in the database (every alert committed with its event, each sink a
 * delivery row), a dispatcher that sends due deliveries with exponential backoff, and the channels:
 * Standard-Webhooks-signed webhooks, Slack-compatible incoming webhooks, e-mail, syslog/CEF.
 */
package dev.portcullis.watch.alert;
