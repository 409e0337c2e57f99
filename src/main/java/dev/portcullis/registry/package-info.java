/**
 * Registry protocol adapters. Each sub-package translates one ecosystem's wire format into calls
 * on the features (publish, gate, identity) and their results back into that format. No security
 * decision is taken here, so every ecosystem gets the same controls.
 */
package dev.portcullis.registry;
