/**
 * Provenance: PEP 740 attestations and Sigstore bundles, verified offline against a Sigstore
 * trusted root (certificate chain to Fulcio, transparency-log inclusion and signed entry
 * timestamp, DSSE signature — by sigstore-java), plus the checks that are ours: the in-toto
 * subject names the uploaded file and carries its SHA-256, the predicate type is one we accept,
 * and the signer is the expected identity, never "signed by anyone".
 */
package dev.portcullis.provenance;
