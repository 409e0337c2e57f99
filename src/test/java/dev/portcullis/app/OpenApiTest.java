package dev.portcullis.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestServer;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAPI description at {@code /api/openapi.json} says what the server does: every route
 * under {@code /api/v1} is described and every described route exists (the Central Portal's
 * {@code /api/v1/publisher} is Sonatype's protocol, not ours, and left out on purpose); every
 * request body schema names exactly the fields of the record the handler reads; every operation
 * has an id, a summary and answers, and declares each path parameter.
 */
class OpenApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> METHODS = Set.of("get", "post", "put", "delete");

    @TempDir
    Path dir;

    @Test
    void theDescriptionMatchesTheRoutesAndTheRequestRecords() throws Exception {
        try (TestServer server = TestServer.start("sqlite", dir.resolve("data"))) {
            RawHttp.Response response = RawHttp.send(server.url(), "GET", "/api/openapi.json", Map.of(), null);
            assertThat(response.status()).as("served without a token").isEqualTo(200);
            JsonNode api = JSON.readTree(response.bytes());
            assertThat(api.path("openapi").asText()).isEqualTo("3.1.0");
            assertThat(api.has("x-bodies")).isFalse();

            Set<String> served = new TreeSet<>();
            server.app().routes().stream()
                    .filter(r ->
                            r.template().startsWith("/api/v1/") && !r.template().startsWith("/api/v1/publisher/"))
                    .forEach(r -> served.add(r.method() + " " + r.template()));
            Set<String> described = new TreeSet<>();
            List<String> problems = new ArrayList<>();
            for (var path : api.path("paths").properties()) {
                for (var operation : path.getValue().properties()) {
                    if (!METHODS.contains(operation.getKey())) {
                        continue;
                    }
                    String name = operation.getKey().toUpperCase(java.util.Locale.ROOT) + " " + path.getKey();
                    described.add(name);
                    JsonNode op = operation.getValue();
                    if (op.path("operationId").asText().isEmpty()
                            || op.path("summary").asText().isEmpty()) {
                        problems.add(name + " has no operationId or summary");
                    }
                    if (!op.path("responses").isObject() || op.path("responses").isEmpty()) {
                        problems.add(name + " has no responses");
                    }
                    Set<String> declared = new TreeSet<>();
                    for (JsonNode p : concat(path.getValue().path("parameters"), op.path("parameters"))) {
                        JsonNode resolved =
                                p.has("$ref") ? resolve(api, p.path("$ref").asText()) : p;
                        if (resolved.path("in").asText().equals("path")) {
                            declared.add(resolved.path("name").asText());
                        }
                    }
                    Matcher m = Pattern.compile("\\{([^}]+)}").matcher(path.getKey());
                    while (m.find()) {
                        if (!declared.contains(m.group(1))) {
                            problems.add(name + " does not declare path parameter " + m.group(1));
                        }
                    }
                }
            }
            assertThat(described).as("described routes").isEqualTo(served);

            for (var schema : api.path("components").path("schemas").properties()) {
                String record = schema.getValue().path("x-java-record").asText();
                if (record.isEmpty()) {
                    continue;
                }
                Set<String> fields = new TreeSet<>();
                for (RecordComponent c : Class.forName(record).getRecordComponents()) {
                    JsonProperty property = c.getAccessor().getAnnotation(JsonProperty.class);
                    if (property == null && c.getAnnotation(JsonProperty.class) != null) {
                        property = c.getAnnotation(JsonProperty.class);
                    }
                    fields.add(property != null ? property.value() : c.getName());
                }
                Set<String> documented = new TreeSet<>();
                schema.getValue().path("properties").fieldNames().forEachRemaining(documented::add);
                if (!documented.equals(fields)) {
                    problems.add(schema.getKey() + " documents " + documented + ", " + record + " reads " + fields);
                }
            }
            assertThat(problems).isEmpty();
        }
    }

    private static List<JsonNode> concat(JsonNode a, JsonNode b) {
        List<JsonNode> out = new ArrayList<>();
        a.forEach(out::add);
        b.forEach(out::add);
        return out;
    }

    private static JsonNode resolve(JsonNode api, String ref) {
        JsonNode node = api;
        for (String part : ref.substring(2).split("/")) {
            node = node.path(part);
        }
        return node;
    }
}
