/**
 * The bottom of the code: what every feature shares and nothing else — the sealed {@link
 * dev.portcullis.core.Refusal} every "no" is thrown as, the {@link dev.portcullis.core.Origin} of a
 * request, text made safe to record, retry back-off. It knows no feature.
 */
package dev.portcullis.core;
