package dev.portcullis.registry.maven;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * What a pom says, read safely (no DTD, no external entity, no XInclude: a pom is attacker input):
 * coordinates (a missing groupId or version comes from the parent, as Maven reads it), packaging,
 * description, dependencies, extra repositories, build plugins and their executions (plugin, goals,
 * phase). Properties are not
 * interpolated: a reviewer compares what is written.
 */
record Pom(
        String groupId,
        String artifactId,
        String version,
        String packaging,
        String description,
        String parent,
        List<String> dependencies,
        List<String> repositories,
        List<String> plugins,
        List<String> executions) {

    /** The pom in {@code bytes}, or empty when it is not a readable pom. */
    static Optional<Pom> read(byte[] bytes) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
            factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            factory.setXIncludeAware(false);
            factory.setExpandEntityReferences(false);
            factory.setNamespaceAware(false);
            DocumentBuilder builder = factory.newDocumentBuilder();
            builder.setErrorHandler(null);
            Element project = builder.parse(new ByteArrayInputStream(bytes)).getDocumentElement();
            if (!project.getTagName().equals("project")) {
                return Optional.empty();
            }
            Element parent = child(project, "parent");
            String groupId =
                    text(project, "groupId").or(() -> text(parent, "groupId")).orElse(null);
            String version =
                    text(project, "version").or(() -> text(parent, "version")).orElse(null);
            List<String> dependencies = new ArrayList<>();
            for (Element d : children(child(project, "dependencies"), "dependency")) {
                dependencies.add(text(d, "groupId").orElse("") + ":"
                        + text(d, "artifactId").orElse("") + ":"
                        + text(d, "version").orElse("") + ":" + text(d, "scope").orElse("compile"));
            }
            List<String> repositories = new ArrayList<>();
            for (String section : List.of("repositories", "pluginRepositories")) {
                Element list = child(project, section);
                for (Element r : children(list, section.equals("repositories") ? "repository" : "pluginRepository")) {
                    text(r, "url").ifPresent(repositories::add);
                }
            }
            List<String> plugins = new ArrayList<>();
            List<String> executions = new ArrayList<>();
            for (Element p : children(child(child(project, "build"), "plugins"), "plugin")) {
                String plugin = text(p, "groupId").orElse("org.apache.maven.plugins") + ":"
                        + text(p, "artifactId").orElse("");
                plugins.add(plugin);
                for (Element e : children(child(p, "executions"), "execution")) {
                    List<String> goals = new ArrayList<>();
                    for (Element g : children(child(e, "goals"), "goal")) {
                        goals.add(g.getTextContent().strip());
                    }
                    executions.add((plugin + ":" + String.join(",", goals)
                                    + text(e, "phase").map(phase -> "@" + phase).orElse(""))
                            .replaceAll("\\s+", ""));
                }
            }
            return Optional.of(new Pom(
                    groupId,
                    text(project, "artifactId").orElse(null),
                    version,
                    text(project, "packaging").orElse("jar"),
                    text(project, "description").orElse(null),
                    parent == null
                            ? null
                            : text(parent, "groupId").orElse("") + ":"
                                    + text(parent, "artifactId").orElse("") + ":"
                                    + text(parent, "version").orElse(""),
                    List.copyOf(dependencies),
                    List.copyOf(repositories),
                    List.copyOf(plugins),
                    List.copyOf(executions)));
        } catch (Exception e) {
            return Optional.empty(); // malformed or hostile XML: not a readable pom
        }
    }

    /** The facts a reviewer compares between releases. */
    Map<String, String> facts() {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("packaging", packaging);
        if (parent != null) {
            facts.put("parent", parent);
        }
        if (!repositories.isEmpty()) {
            facts.put("repositories", String.join(" ", repositories));
        }
        if (!plugins.isEmpty()) {
            facts.put("build plugins", String.join(" ", plugins));
        }
        if (!executions.isEmpty()) {
            facts.put("build executions", String.join(" ", executions));
        }
        return facts;
    }

    private static Element child(Element parent, String name) {
        if (parent == null) {
            return null;
        }
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e;
            }
        }
        return null;
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        if (parent != null) {
            for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n instanceof Element e && e.getTagName().equals(name)) {
                    out.add(e);
                }
            }
        }
        return out;
    }

    private static Optional<String> text(Element parent, String name) {
        Element e = child(parent, name);
        return e == null
                ? Optional.empty()
                : Optional.of(e.getTextContent().strip()).filter(s -> !s.isEmpty());
    }
}
