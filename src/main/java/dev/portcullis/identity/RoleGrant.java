package dev.portcullis.identity;

import java.util.Objects;

/** A role held on one project ({@code project} normalized) or on every project ({@code *}). */
public record RoleGrant(String project, Role role) {

    public static final String EVERY_PROJECT = "*";

    public RoleGrant {
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(role, "role");
        if (role == Role.ADMIN && !project.equals(EVERY_PROJECT)) {
            throw new dev.portcullis.core.Refusal.Invalid("admin is a global role; grant it without a project");
        }
    }

    public boolean covers(String normalizedProject) {
        return project.equals(EVERY_PROJECT) || project.equals(normalizedProject);
    }

    @Override
    public String toString() {
        return role.wireName() + (project.equals(EVERY_PROJECT) ? "" : " of " + project);
    }
}
