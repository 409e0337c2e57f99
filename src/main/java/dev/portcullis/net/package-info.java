/**
 * Outbound requests: every HTTP request the server itself makes — alert webhooks, checkpoint
 * webhooks, upstream indexes and uploads, OIDC discovery and keys — goes through {@link
 * dev.portcullis.net.GuardedHttp}, which applies one {@link dev.portcullis.net.OutboundPolicy}:
 * HTTPS only, public addresses only (checked after DNS resolution, at connect time, and again on
 * every redirect), except for hosts an administrator allow-lists in the server's configuration.
 * Nothing a response says is echoed into errors, events or alerts. A bottom package: it knows no
 * feature.
 */
package dev.portcullis.net;
