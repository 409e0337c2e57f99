/** Release notices: held, rejected and quarantined releases become alerts for their approvers. */
package dev.portcullis.gate.notify;
