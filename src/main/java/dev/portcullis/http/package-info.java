/**
 * HTTP plumbing, neutral: the server (Undertow on XNIO, with its connection limits and timeouts),
 * the request/response view {@link dev.portcullis.http.Exchange}, the one mapping from {@link
 * dev.portcullis.core.Refusal} to a status, and the {@link dev.portcullis.http.Routes} port through
 * which each feature's adapter adds its own routes.
 */
package dev.portcullis.http;
