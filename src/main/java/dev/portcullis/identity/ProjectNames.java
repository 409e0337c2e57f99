package dev.portcullis.identity;

/**
 * How the projects that roles, tokens and publishers are scoped to are named: a port, so identity
 * does not know any ecosystem's naming rules (the composition root supplies the registry's).
 * Throws {@link dev.portcullis.core.Refusal.Invalid} for a name that is not one.
 */
@FunctionalInterface
public interface ProjectNames {
    String normalize(String name);
}
