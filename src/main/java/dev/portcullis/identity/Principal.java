package dev.portcullis.identity;

import java.util.Set;

/** An authenticated caller: the user behind a valid token and what that token allows. */
public record Principal(
    long userId, String userName, Role role, String tokenId, String project, Set<Permission> permissions) {

  /** Whether the token grants {@code permission}; {@code ADMIN} grants all. */
  public boolean has(Permission permission) {
    return permissions.contains(Permission.ADMIN) || permissions.contains(permission);
  }

  /** Whether the token's project scope covers {@code normalizedProject}. */
  public boolean covers(String normalizedProject) {
    return project == null || project.equals(normalizedProject);
  }

  /** The actor name recorded in events: user and token id, never the secret. */
  public String actor() {
    return userName + " (token " + tokenId + ")";
  }
}
