/**
 * Identity: users, roles, API tokens and authentication of requests.
 *
 * <p>{@link dev.portcullis.identity.Identity} is the entry point. Tokens are stored only as
 * SHA-256 hashes; the secret is shown once, when it is created. The format ({@link
 * dev.portcullis.identity.TokenFormat}) carries a checksum so that malformed or typo'd tokens are
 * refused before any database look-up and secret scanners can recognise real ones offline.
 */
package dev.portcullis.identity;
