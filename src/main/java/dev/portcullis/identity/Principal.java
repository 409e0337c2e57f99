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
    public Principal(
            long userId,
            String userName,
            String tokenId,
            String tokenProject,
            Set<Permission> tokenPermissions,
            List<RoleGrant> grants) {
        this(userId, userName, tokenId, tokenProject, tokenPermissions, grants, null);
    }

    /** Whether this caller is a trusted publisher's short-lived token. */
    public boolean isTrustedPublisher() {
        return publisher != null;
    }

    /** Whether this caller may use {@code permission} on {@code normalizedProject}. */
    public boolean can(Permission permission, String normalizedProject) {
        boolean tokenAllows = (tokenProject == null || tokenProject.equals(normalizedProject))
                && (tokenPermissions.contains(permission) || tokenPermissions.contains(Permission.ADMIN));
        return tokenAllows
                && grants.stream()
                        .anyMatch(g -> g.covers(normalizedProject) && g.role().grants(permission));
    }

    /** Whether this caller may see a project's releases: its readers, and its approvers, who must see what they decide. */
    public boolean maySee(String normalizedProject) {
        return can(Permission.READ, normalizedProject) || can(Permission.APPROVE, normalizedProject);
    }

    /** Whether this caller may use {@code permission} on every project (global administration). */
    public boolean canEverywhere(Permission permission) {
        return tokenProject == null
                && (tokenPermissions.contains(permission) || tokenPermissions.contains(Permission.ADMIN))
                && grants.stream()
                        .anyMatch(g -> g.project().equals(RoleGrant.EVERY_PROJECT)
                                && g.role().grants(permission));
    }

    /**
     * Why this token may not hold power over a token of {@code owner} with {@code permissions} on
     * {@code project} ({@code null}: every project of the owner) — to create it, rotate it, list it
     * or revoke it; empty when it may. Only a person's {@code admin} token manages credentials, and
     * never beyond its own scope: a token limited to one project manages tokens of that project
     * only; another user's tokens need a global admin. Upload, read, approve and trusted publishers'
     * tokens manage nothing (docs/TOKENS.md). The owner's roles bound the result again at issue and
     * at each use.
     */
    public java.util.Optional<String> cannotManage(String owner, String project, Set<Permission> permissions) {
        if (isTrustedPublisher()) {
            return java.util.Optional.of(
                    "a trusted publisher's short-lived upload token cannot manage tokens, second factors or roles");
        }
        if (!tokenPermissions.contains(Permission.ADMIN)) {
            return java.util.Optional.of("this token (" + Permission.format(tokenPermissions) + scope(tokenProject)
                    + ") cannot manage tokens, second factors or roles: that takes an admin token");
        }
        if (tokenProject != null && !tokenProject.equals(project)) {
            return java.util.Optional.of("this token is limited to " + tokenProject + "; it cannot manage a token"
                    + (project == null ? " for every project" : " on " + project));
        }
        if (!owner.equals(userName) && !canEverywhere(Permission.ADMIN)) {
            return java.util.Optional.of("only a global admin manages another user's tokens");
        }
        if (!permissions.stream()
                .allMatch(p -> tokenPermissions.contains(p) || tokenPermissions.contains(Permission.ADMIN))) {
            return java.util.Optional.of("this token cannot grant " + Permission.format(permissions));
        }
        return java.util.Optional.empty();
    }

    /** Whether this is a person's admin token (the only kind that manages credentials). */
    public boolean managesCredentials() {
        return !isTrustedPublisher() && tokenPermissions.contains(Permission.ADMIN);
    }

    private static String scope(String project) {
        return project == null ? "" : " on " + project;
    }

    /** The actor name recorded in events: user and token id, never the secret. */
    public String actor() {
        return userName + " (token " + tokenId + ")";
    }
}
