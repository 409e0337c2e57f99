package dev.portcullis.identity;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * A request for a new user API token. {@code project} is a normalized project name, or {@code
 * null} for all of the owner's projects; {@code lifetime} {@code null} means the server's default.
 */
public record TokenRequest(String owner, String name, String project, Set<Permission> permissions, Duration lifetime) {
    public TokenRequest {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(permissions, "permissions");
        if (permissions.isEmpty()) {
            throw new dev.portcullis.core.Refusal.Invalid("a token needs at least one permission");
        }
        permissions = Set.copyOf(permissions);
        name = name == null || name.isBlank() ? "token" : name;
    }
}
