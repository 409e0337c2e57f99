/**
 * Gate: the decision that makes a held release installable or refuses it.
 *
 * <p>{@link dev.portcullis.gate.ReleaseGate} moves a release out of {@code held} exactly once: the
 * transition is one guarded database update, recorded as an event in the same transaction, so
 * concurrent approvals (also from several processes sharing PostgreSQL) publish once. Policies,
 * multi-person approval with MFA, quarantine and yank build on it.
 */
package dev.portcullis.gate;
