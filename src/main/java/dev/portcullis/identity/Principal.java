package dev.portcullis.identity;

import java.util.List;
import java.util.Set;

/**
 * An authenticated caller: the user behind a valid token, what the token allows, and the user's
 * roles. Every check goes through {@link #can}: the token must carry the permission and cover the
 * project, and one of the user's roles must grant it there. For a trusted publisher's minted token,
 * {@code publisher} says which CI run it is and its grants are {@code maintainer} of the projects
 * the publisher is registered for; {@code userId} is 0.
 */
public record Principal(
    long userId,
    String userName,
    String tokenId,
    String tokenProject,
    Set<Permission> tokenPermissions,
    List<RoleGrant> grants,
    PublisherIdentity publisher) {

  public Principal {
    tokenPermissions = Set.copyOf(tokenPermissions);
    grants = List.copyOf(grants);
  }

  /** A person's (or bot user's) long-lived token, not a trusted publisher's. */
  public Principal(long userId, String userName, String tokenId, String tokenProject, Set<Permission> tokenPermissions,
      List<RoleGrant> grants) {
    this(userId, userName, tokenId, tokenProject, tokenPermissions, grants, null);
  }

  /** Whether this caller is a trusted publisher's short-lived token. */
  public boolean isTrustedPublisher() {
    return publisher != null;
  }

  /** Whether this caller may use {@code permission} on {@code normalizedProject}. */
  public boolean can(Permission permission, String normalizedProject) {
    boolean tokenAllows =
        (tokenProject == null || tokenProject.equals(normalizedProject))
            && (tokenPermissions.contains(permission) || tokenPermissions.contains(Permission.ADMIN));
    return tokenAllows
        && grants.stream().anyMatch(g -> g.covers(normalizedProject) && g.role().grants(permission));
  }

  /** Whether this caller may use {@code permission} on every project (global administration). */
  public boolean canEverywhere(Permission permission) {
    return tokenProject == null
        && (tokenPermissions.contains(permission) || tokenPermissions.contains(Permission.ADMIN))
        && grants.stream()
            .anyMatch(g -> g.project().equals(RoleGrant.EVERY_PROJECT) && g.role().grants(permission));
  }

  /** The actor name recorded in events: user and token id, never the secret. */
  public String actor() {
    return userName + " (token " + tokenId + ")";
  }
}
