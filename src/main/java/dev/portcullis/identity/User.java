package dev.portcullis.identity;

import java.time.Instant;

public record User(long id, String name, Role role, Instant createdAt, Instant disabledAt) {
  public boolean disabled() {
    return disabledAt != null;
  }
}
