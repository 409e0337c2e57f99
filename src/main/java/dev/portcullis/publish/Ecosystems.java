package dev.portcullis.publish;

import dev.portcullis.core.Refusal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The ecosystems this server speaks, and how a project is named across them. A project's key (the
 * {@code projects.name} column, and how roles, tokens, policies, publishers and events name it) is
 * its normalized name in the default ecosystem — the first one wired, PyPI — and {@code
 * <ecosystem>:<normalized name>} in every other, so a PyPI project {@code demo} and an npm project
 * {@code demo} are two projects ({@code demo} and {@code npm:demo}) everywhere at once.
 */
public final class Ecosystems {

    /** A project as a request names it: its ecosystem, its key, its name as written and normalized. */
    public record ProjectRef(Ecosystem ecosystem, String key, Ecosystem.Named name) {}

    private final Ecosystem defaultEcosystem;
    private final Map<String, Ecosystem> byId = new LinkedHashMap<>();

    public Ecosystems(List<Ecosystem> ecosystems) {
        if (ecosystems.isEmpty()) {
            throw new IllegalArgumentException("at least one ecosystem is needed");
        }
        this.defaultEcosystem = ecosystems.getFirst();
        for (Ecosystem e : ecosystems) {
            if (byId.put(e.id(), e) != null) {
                throw new IllegalArgumentException("two ecosystems are called " + e.id());
            }
        }
    }

    private boolean isDefault(Ecosystem ecosystem) {
        return ecosystem.id().equals(defaultEcosystem.id());
    }

    public Ecosystem defaultEcosystem() {
        return defaultEcosystem;
    }

    public Optional<Ecosystem> find(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** The key of project {@code written} in {@code ecosystem}. */
    public ProjectRef project(Ecosystem ecosystem, String written) {
        Ecosystem.Named name = ecosystem.name(written);
        String key = isDefault(ecosystem) ? name.normalized() : ecosystem.id() + ":" + name.normalized();
        return new ProjectRef(ecosystem, key, name);
    }

    /**
     * A project reference as the API and the CLI take it: {@code name} in the default ecosystem, or
     * {@code ecosystem:name} ({@code npm:@scope/pkg}, {@code maven:org.acme:lib}).
     */
    public ProjectRef project(String reference) {
        if (reference == null || reference.isBlank()) {
            throw new Refusal.Invalid("a project name is required");
        }
        int colon = reference.indexOf(':');
        if (colon > 0) {
            Ecosystem named = byId.get(reference.substring(0, colon));
            if (named != null && !isDefault(named)) {
                return project(named, reference.substring(colon + 1));
            }
        }
        return project(defaultEcosystem, reference);
    }

    /** The project's name within its ecosystem: the key without its ecosystem prefix. */
    public String nameOf(String key) {
        Ecosystem ecosystem = ofKey(key);
        return isDefault(ecosystem) ? key : key.substring(ecosystem.id().length() + 1);
    }

    /** The ecosystem a stored project key belongs to. */
    public Ecosystem ofKey(String key) {
        int colon = key.indexOf(':');
        return colon > 0 ? byId.getOrDefault(key.substring(0, colon), defaultEcosystem) : defaultEcosystem;
    }
}
