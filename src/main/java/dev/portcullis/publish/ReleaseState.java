package dev.portcullis.publish;

import java.util.Locale;

/**
 * Where a release stands. Every upload creates or joins a {@code HELD} release; only the gate moves
 * it on, once, to {@code RELEASED} (installable) or {@code REJECTED}. A decided release takes no
 * new files: what was approved is exactly what is served.
 */
public enum ReleaseState {
  HELD,
  RELEASED,
  REJECTED;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static ReleaseState parse(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }
}
