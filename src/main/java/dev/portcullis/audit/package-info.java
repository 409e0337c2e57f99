/**
 * Audit: evidence that the controls hold. {@link dev.portcullis.audit.TokenAudit} inventories every
 * credential and flags the ones that break the credential policy; {@code audit.drill} attacks the
 * server the way the lightning attacker did and scores which controls fired (docs/DRILLS.md);
 * {@code audit.compliance} reports each control's status, evidence and framework clauses from live
 * state (docs/COMPLIANCE.md).
 */
package dev.portcullis.audit;
