/**
 * Audit: evidence that the controls hold. {@link dev.portcullis.audit.TokenAudit} inventories every
 * credential and flags the ones that break the credential policy.
 */
package dev.portcullis.audit;
