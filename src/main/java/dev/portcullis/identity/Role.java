package dev.portcullis.identity;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * A user's role, which bounds the permissions any of their tokens can carry. Roles are global for
 * now; per-project roles come with the credentials work.
 */
public enum Role {
  ADMIN(EnumSet.allOf(Permission.class)),
  OWNER(EnumSet.of(Permission.READ, Permission.UPLOAD)),
  MAINTAINER(EnumSet.of(Permission.READ, Permission.UPLOAD)),
  APPROVER(EnumSet.of(Permission.READ, Permission.APPROVE)),
  AUDITOR(EnumSet.of(Permission.READ));

  private final Set<Permission> allowed;

  Role(Set<Permission> allowed) {
    this.allowed = allowed;
  }

  public boolean allows(Set<Permission> requested) {
    return allowed.containsAll(requested);
  }

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Role parse(String name) {
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown role '" + name + "' (use admin, owner, maintainer, approver or auditor)");
    }
  }
}
