package dev.portcullis.identity;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * What a user may do, globally ({@code *}) or on one project. A role bounds every token its owner
 * holds: a token's effective permissions on a project are its own permissions intersected with
 * those of the owner's roles there, checked at each use.
 */
public enum Role {
    ADMIN(EnumSet.allOf(Permission.class)),
    OWNER(EnumSet.allOf(Permission.class)),
    MAINTAINER(EnumSet.of(Permission.READ, Permission.UPLOAD)),
    APPROVER(EnumSet.of(Permission.READ, Permission.APPROVE)),
    AUDITOR(EnumSet.of(Permission.READ));

    @SuppressWarnings("ImmutableEnumChecker") // unmodifiable: Set.copyOf
    private final Set<Permission> allowed;

    Role(Set<Permission> allowed) {
        this.allowed = Set.copyOf(allowed);
    }

    public boolean grants(Permission permission) {
        return allowed.contains(permission);
    }

    public Set<Permission> permissions() {
        return EnumSet.copyOf(allowed);
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new dev.portcullis.core.Refusal.Invalid(
                    "unknown role '" + name + "' (use admin, owner, maintainer, approver or auditor)");
        }
    }
}
