package dev.portcullis.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The OpenAPI 3.1 description of {@code /api/v1} ({@code src/main/resources/api/openapi.yaml},
 * written by hand, checked against the registered routes and the request records by {@code
 * OpenApiTest}), served as JSON at {@code /api/openapi.json}. The YAML's anchors (shared request
 * bodies and answers) are resolved; the {@code x-bodies} block that holds them is dropped.
 */
final class ApiDescription {

    private ApiDescription() {}

    static JsonNode load() {
        try (InputStream in = ApiDescription.class.getResourceAsStream("/api/openapi.yaml")) {
            if (in == null) {
                throw new IllegalStateException("api/openapi.yaml is missing from the build");
            }
            org.yaml.snakeyaml.LoaderOptions options = new org.yaml.snakeyaml.LoaderOptions();
            options.setMaxAliasesForCollections(500); // our own file: its shared bodies and answers
            org.yaml.snakeyaml.DumperOptions dumper = new org.yaml.snakeyaml.DumperOptions();
            Object tree = new org.yaml.snakeyaml.Yaml(
                            new org.yaml.snakeyaml.constructor.SafeConstructor(options),
                            new org.yaml.snakeyaml.representer.Representer(dumper),
                            dumper,
                            options)
                    .load(in);
            ObjectNode json = new ObjectMapper().valueToTree(tree);
            json.remove("x-bodies");
            return json;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
