package dev.portcullis.publish;

import java.nio.file.Path;

/**
 * The inspect step of the pipeline (a port; the inspect feature implements it): reads the whole
 * received file safely before it is stored. A structural hazard refuses the upload, as PyPI refuses
 * malformed archives; everything else is a report stored with the file for the gate and the approvers.
 */
@FunctionalInterface
public interface ContentInspection {

  sealed interface Result {}

  /** Unsafe to store at all (traversal, bomb, duplicate entries, malformed archive): the upload is refused. */
  record Refused(String reason) implements Result {}

  /**
   * Inspected: the report (JSON), its highest severity, and the metadata's Requires-Dist (a JSON
   * array, for the detectors). {@code report} is null and {@code error} says why when the
   * inspection itself failed; the gate then holds the release (fail closed).
   */
  record Inspected(String report, String maxSeverity, int findings, String requiresDist, String error) implements Result {}

  Result inspect(String filename, Path file);

  /** No inspection configured: nothing is stored, and the gate sees no report. */
  ContentInspection NONE = (filename, file) -> null;
}
