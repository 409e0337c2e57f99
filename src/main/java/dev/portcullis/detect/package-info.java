/**
 * Detect: per-project baselines learned from the project's own released history, and detectors
 * for what a stolen credential leaves behind — a new network or client, an unusual credential or
 * uploader, an odd hour, rapid versions, a size jump, new dependencies, version anomalies
 * (docs/WATCH.md). {@link dev.portcullis.detect.Detectors} is the gate's assessor for them.
 */
package dev.portcullis.detect;
