package dev.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.portcullis.app.Settings;
import dev.portcullis.store.BlobSettings;
import dev.portcullis.testing.CliRunner;
import dev.portcullis.testing.TestServer;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The Kubernetes base in {@code deploy/kubernetes} read the way a cluster would read it: every
 * resource the kustomization lists is a Kubernetes object with no field the API does not know (a
 * misspelt {@code readinesProbe} is refused, not ignored), and what the objects say agrees with the
 * server — the configuration in the ConfigMap is one {@code serve} accepts with the Deployment's
 * environment, it listens on the container's port and keeps its data where the data volume is
 * mounted, every secret file it names is one the Secret's volume provides, the keys the Secret
 * mounts at DATA/keys are the files {@code admin init} writes there, the pod runs as the image's
 * user on a read-only root with a writable {@code /tmp}, and the probes' paths answer on a running
 * server. {@code scripts/image-test} runs the Deployment itself with podman.
 */
class KubernetesBaseTest {

    private static final Path BASE = Path.of("deploy", "kubernetes");
    private static final ObjectMapper YAML =
            new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "ConfigMap", ConfigMap.class,
            "Service", Service.class,
            "Deployment", Deployment.class,
            "PodDisruptionBudget", PodDisruptionBudget.class);

    private static List<HasMetadata> resources;

    @TempDir
    Path dir;

    @BeforeAll
    static void read() throws Exception {
        resources = new ArrayList<>();
        for (String file : listed()) {
            Map<?, ?> raw = YAML.readValue(BASE.resolve(file).toFile(), Map.class);
            Class<? extends HasMetadata> type = KINDS.get(String.valueOf(raw.get("kind")));
            assertThat(type).as(file + " is a kind this test reads").isNotNull();
            HasMetadata resource = YAML.readValue(BASE.resolve(file).toFile(), type);
            assertThat(unknownFields(resource, ""))
                    .as(file + ": fields the Kubernetes API does not have")
                    .isEmpty();
            resources.add(resource);
        }
    }

    private static List<String> listed() throws Exception {
        Map<?, ?> kustomization =
                YAML.readValue(BASE.resolve("kustomization.yaml").toFile(), Map.class);
        assertThat(kustomization.get("kind")).isEqualTo("Kustomization");
        return ((List<?>) kustomization.get("resources"))
                .stream().map(String::valueOf).toList();
    }

    /** The paths of every field the model did not recognise (fabric8 keeps them aside instead of failing). */
    private static List<String> unknownFields(Object root, String path) {
        List<String> found = new ArrayList<>();
        walk(root, path, found, new IdentityHashMap<>());
        return found;
    }

    private static void walk(Object node, String path, List<String> found, Map<Object, Boolean> seen) {
        if (node == null || seen.put(node, true) != null) {
            return;
        }
        if (node instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                walk(item, path + "[" + i++ + "]", found, seen);
            }
            return;
        }
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> walk(v, path + "." + k, found, seen));
            return;
        }
        if (!node.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : node.getClass().getMethods()) {
            if (getter.getParameterCount() != 0
                    || Modifier.isStatic(getter.getModifiers())
                    || !getter.getName().startsWith("get")
                    || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value;
            try {
                value = getter.invoke(node);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    extra.keySet().forEach(k -> found.add(path + "." + k));
                }
                continue;
            }
            walk(value, path + "." + getter.getName().substring(3), found, seen);
        }
    }

    private static <T extends HasMetadata> T only(Class<T> type) {
        List<T> all =
                resources.stream().filter(type::isInstance).map(type::cast).toList();
        assertThat(all).as("one " + type.getSimpleName()).hasSize(1);
        return all.get(0);
    }

    private static PodSpec pod() {
        return only(Deployment.class).getSpec().getTemplate().getSpec();
    }

    private static Container container() {
        assertThat(pod().getContainers()).hasSize(1);
        return pod().getContainers().get(0);
    }

    private static Volume volume(String name) {
        return pod().getVolumes().stream()
                .filter(v -> v.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }

    private static Volume mountedAt(String path) {
        VolumeMount mount = container().getVolumeMounts().stream()
                .filter(m -> m.getMountPath().equals(path))
                .findFirst()
                .orElseThrow(() -> new AssertionError("nothing mounted at " + path));
        return volume(mount.getName());
    }

    @Test
    void theKustomizationListsEveryManifestAndTheirLabelsSelectThePod() throws Exception {
        try (Stream<Path> files = Files.list(BASE)) {
            Set<String> manifests = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml"))
                    .collect(Collectors.toSet());
            assertThat(listed()).containsExactlyInAnyOrderElementsOf(manifests);
        }
        Map<String, String> podLabels =
                only(Deployment.class).getSpec().getTemplate().getMetadata().getLabels();
        assertThat(podLabels)
                .containsAllEntriesOf(
                        only(Deployment.class).getSpec().getSelector().getMatchLabels());
        assertThat(podLabels).containsAllEntriesOf(only(Service.class).getSpec().getSelector());
        assertThat(podLabels)
                .containsAllEntriesOf(
                        only(PodDisruptionBudget.class).getSpec().getSelector().getMatchLabels());
        assertThat(only(Service.class)
                        .getSpec()
                        .getPorts()
                        .get(0)
                        .getTargetPort()
                        .getStrVal())
                .isEqualTo(container().getPorts().get(0).getName());
        assertThat(only(Deployment.class).getSpec().getReplicas())
                .as("several instances, so one can go while the other serves")
                .isGreaterThan(1);
        assertThat(volume("config").getConfigMap().getName())
                .isEqualTo(only(ConfigMap.class).getMetadata().getName());
    }

    @Test
    void theFieldCheckFindsAMisspeltField() throws Exception {
        String deployment =
                Files.readString(BASE.resolve("deployment.yaml")).replace("readinessProbe:", "readinesProbe:");
        Deployment misspelt = YAML.readValue(deployment, Deployment.class);
        assertThat(unknownFields(misspelt, "")).singleElement().asString().endsWith(".readinesProbe");
    }

    @Test
    void theConfigurationIsOneServeAcceptsWithTheDeploymentsEnvironment() throws Exception {
        // The Secret's files, where the pod mounts them, become files in this test's directory.
        Map<String, String> secretFiles = new HashMap<>();
        for (VolumeMount mount : container().getVolumeMounts()) {
            Volume v = volume(mount.getName());
            if (v.getSecret() != null) {
                assertThat(mount.getReadOnly())
                        .as(mount.getMountPath() + " read-only")
                        .isTrue();
                assertThat(v.getSecret().getSecretName()).isEqualTo("portcullis");
                for (KeyToPath item : v.getSecret().getItems()) {
                    secretFiles.put(mount.getMountPath() + "/" + item.getPath(), item.getKey());
                }
            }
        }
        String yaml = only(ConfigMap.class).getData().get("portcullis.yaml");
        List<String> namedFiles = new ArrayList<>();
        for (String line : yaml.lines().toList()) {
            var m = java.util.regex.Pattern.compile("^\\s*[a-z-]*-file:\\s*(\\S+)")
                    .matcher(line);
            if (m.find()) {
                namedFiles.add(m.group(1));
            }
        }
        assertThat(namedFiles).as("the configuration names its secrets by file").isNotEmpty();
        assertThat(secretFiles)
                .as("every secret file the configuration names is one the Secret mounts")
                .containsKeys(namedFiles.toArray(String[]::new));
        String local = yaml;
        for (String file : namedFiles) {
            Path copy = dir.resolve(secretFiles.get(file));
            Files.writeString(copy, "secret-of-" + secretFiles.get(file) + "\n");
            local = local.replace(file, copy.toString());
        }
        Path config = dir.resolve("portcullis.yaml");
        Files.writeString(config, local);

        Map<String, String> environment = new HashMap<>();
        for (EnvVar env : container().getEnv()) {
            assertThat(env.getName()).startsWith("PORTCULLIS_");
            assertThat(env.getValueFrom().getSecretKeyRef().getName()).isEqualTo("portcullis");
            environment.put(env.getName(), "postgresql://portcullis:pw@db.internal:5432/portcullis");
        }
        assertThat(environment).as("the database URL comes from the Secret").containsKey("PORTCULLIS_DATABASE");

        List<String> args = container().getArgs();
        assertThat(args.get(0)).isEqualTo("serve");
        assertThat(args).contains("--config=/etc/portcullis/portcullis.yaml");
        assertThat(mountedAt("/etc/portcullis").getConfigMap()).isNotNull();
        ServeCommand serve = new ServeCommand();
        serve.environment = environment;
        new CommandLine(serve)
                .parseArgs(args.stream()
                        .skip(1)
                        .map(a -> a.equals("--config=/etc/portcullis/portcullis.yaml") ? "--config=" + config : a)
                        .toArray(String[]::new));
        Settings settings = serve.settings();

        assertThat(settings.host()).isEqualTo("0.0.0.0");
        assertThat(settings.port()).isEqualTo(container().getPorts().get(0).getContainerPort());
        assertThat(settings.database().jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:5432/portcullis");
        assertThat(settings.dataDir().toString()).isEqualTo("/data");
        assertThat(mountedAt("/data").getEmptyDir())
                .as("each instance's cache of the bucket")
                .isNotNull();
        BlobSettings.S3 s3 = (BlobSettings.S3) settings.blobs();
        assertThat(s3.secretAccessKey()).isEqualTo("secret-of-s3-secret-access-key");
        assertThat(mountedAt("/data")
                        .getEmptyDir()
                        .getSizeLimit()
                        .getNumericalAmount()
                        .longValue())
                .as("the data volume holds the whole cache")
                .isGreaterThan(s3.cacheBytes());
    }

    @Test
    void theSecretMountsAtDataKeysTheKeysAdminInitWrites() throws Exception {
        Path data = dir.resolve("data");
        assertThat(CliRunner.run("admin", "init", "--data", data.toString()).code())
                .isZero();
        Set<String> written;
        try (Stream<Path> keys = Files.list(data.resolve("keys"))) {
            written = keys.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
        Volume keys = mountedAt("/data/keys");
        assertThat(keys.getSecret().getItems())
                .extracting(KeyToPath::getPath)
                .containsExactlyInAnyOrderElementsOf(written);
        assertThat(keys.getSecret().getDefaultMode())
                .as("owner and group (fsGroup) read only")
                .isEqualTo(0440);
    }

    @Test
    void thePodRunsAsTheImagesUserOnAReadOnlyRoot() throws Exception {
        String pom = Files.readString(Path.of("pom.xml"));
        var user = java.util.regex.Pattern.compile("<user>(\\d+):(\\d+)</user>").matcher(pom);
        assertThat(user.find()).as("the image's user in pom.xml").isTrue();
        var security = pod().getSecurityContext();
        assertThat(security.getRunAsNonRoot()).isTrue();
        assertThat(security.getRunAsUser()).isEqualTo(Long.parseLong(user.group(1)));
        assertThat(security.getRunAsGroup()).isEqualTo(Long.parseLong(user.group(2)));
        assertThat(security.getFsGroup()).isEqualTo(Long.parseLong(user.group(2)));
        assertThat(pod().getAutomountServiceAccountToken()).isFalse();
        var container = container().getSecurityContext();
        assertThat(container.getReadOnlyRootFilesystem()).isTrue();
        assertThat(container.getAllowPrivilegeEscalation()).isFalse();
        assertThat(container.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(mountedAt("/tmp").getEmptyDir())
                .as("the JVM and the SQLite driver write to /tmp")
                .isNotNull();
        assertThat(container().getResources().getLimits()).containsKey("memory");
    }

    @Test
    void theProbesAskPathsThatAnswerOnARunningServer() throws Exception {
        Container c = container();
        List<Probe> probes = List.of(c.getStartupProbe(), c.getLivenessProbe(), c.getReadinessProbe());
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(c.getLivenessProbe().getHttpGet().getPath())
                .as("liveness asks only whether the process answers, so a database outage restarts nothing")
                .isEqualTo("/livez");
        try (TestServer server = TestServer.start("sqlite", dir.resolve("server"))) {
            HttpClient http = HttpClient.newHttpClient();
            for (Probe probe : probes) {
                HTTPGetAction get = probe.getHttpGet();
                assertThat(get.getPort().getStrVal())
                        .isEqualTo(c.getPorts().get(0).getName());
                HttpResponse<String> answer = http.send(
                        HttpRequest.newBuilder(URI.create(server.url() + get.getPath()))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(answer.statusCode()).as(get.getPath()).isEqualTo(200);
            }
        }
    }
}
