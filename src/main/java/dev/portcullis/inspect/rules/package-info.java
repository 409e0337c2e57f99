/**
 * Content rules: one small class per pattern that malicious packages share (docs/INSPECTION.md
 * lists them with the incidents behind them). A rule reads one text file and returns findings with
 * evidence; it never executes, imports or fetches anything.
 */
package dev.portcullis.inspect.rules;
