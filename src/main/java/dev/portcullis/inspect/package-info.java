/**
 * Inspect: reads every distribution safely (bounded, streaming, nothing extracted to disk), lists
 * what it holds, parses its metadata, runs the content rules and diffs it against the previous
 * release. Its findings become the gate's signals and the approver's view (docs/INSPECTION.md).
 *
 * <p>{@link dev.portcullis.inspect.Inspector} inspects one file; {@link
 * dev.portcullis.inspect.ReleaseDiff} compares two; {@link dev.portcullis.inspect.InspectionService}
 * wires both into the upload pipeline and the gate.
 */
package dev.portcullis.inspect;
