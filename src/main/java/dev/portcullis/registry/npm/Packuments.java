package dev.portcullis.registry.npm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.publish.Artifact;
import java.io.IOException;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The packument of a package, from its released versions only: each version's document is its
 * tarball's own package.json with {@code _id} and {@code dist} (tarball URL, integrity, shasum);
 * {@code dist-tags} name released versions only ({@code latest}: the newest release published with
 * that tag, else the highest released stable version); {@code time} says when each version became
 * installable. The abbreviated form ({@code application/vnd.npm.install-v1+json}) keeps what
 * installers read.
 */
final class Packuments {

    /** The fields of a version document an installer reads (npm/registry, docs/responses/package-metadata.md). */
    private static final Set<String> ABBREVIATED = Set.of(
            "name",
            "version",
            "dependencies",
            "optionalDependencies",
            "devDependencies",
            "bundleDependencies",
            "peerDependencies",
            "peerDependenciesMeta",
            "bin",
            "directories",
            "dist",
            "engines",
            "_hasShrinkwrap",
            "hasInstallScript",
            "deprecated",
            "os",
            "cpu",
            "funding",
            "license");

    private Packuments() {}

    static JsonNode of(
            String name,
            List<Artifact> released,
            Map<Long, NpmFiles.Attributes> attributes,
            Map<String, String> moved,
            String registry,
            boolean abbreviated) {
        JsonNodeFactory json = JsonNodeFactory.instance;
        ObjectNode versions = json.objectNode();
        ObjectNode time = json.objectNode();
        List<Artifact> byRelease = released.stream()
                .filter(a -> attributes.containsKey(a.id()))
                .sorted(Comparator.comparing(Artifact::releasedAt))
                .toList();
        Instant created = null;
        Instant modified = null;
        for (Artifact file : byRelease) {
            NpmFiles.Attributes a = attributes.get(file.id());
            ObjectNode document = document(a.manifest());
            document.put("_id", name + "@" + file.version());
            ObjectNode dist = document.putObject("dist");
            dist.put("tarball", registry + name + "/-/" + file.filename());
            dist.put("integrity", a.integrity());
            dist.put("shasum", a.shasum());
            JsonNode scripts = document.path("scripts");
            if (NpmFormat.INSTALL_SCRIPTS.stream().anyMatch(scripts::has)) {
                document.put("hasInstallScript", true);
            }
            if (file.yanked()) {
                document.put(
                        "deprecated",
                        file.yankedReason() == null || file.yankedReason().isBlank() ? "yanked" : file.yankedReason());
            }
            versions.set(file.version(), abbreviated ? abbreviate(document) : document);
            time.put(file.version(), file.releasedAt().toString());
            created = created == null ? file.releasedAt() : created;
            modified = file.releasedAt();
        }
        ObjectNode root = json.objectNode();
        root.put("name", name);
        if (!abbreviated) {
            root.put("_id", name);
        }
        root.put("modified", String.valueOf(modified));
        root.set("dist-tags", NpmFormat.JSON.valueToTree(tags(released, attributes, moved)));
        root.set("versions", versions);
        if (!abbreviated) {
            time.put("created", String.valueOf(created));
            time.put("modified", String.valueOf(modified));
            root.set("time", time);
        }
        return root;
    }

    /**
     * The dist-tags installers see: each tag a publish asked for, on the newest release published
     * with it; then the moves approved after publishing ({@code moved}: a null version removes the
     * tag); a tag naming a version that is not released is dropped; {@code latest} falls back to the
     * highest released stable version (any, when none is stable).
     */
    static Map<String, String> tags(
            List<Artifact> released, Map<Long, NpmFiles.Attributes> attributes, Map<String, String> moved) {
        List<Artifact> byRelease = released.stream()
                .filter(a -> attributes.containsKey(a.id()))
                .sorted(Comparator.comparing(Artifact::releasedAt))
                .toList();
        Set<String> versions = new java.util.HashSet<>();
        Map<String, String> tags = new java.util.TreeMap<>();
        for (Artifact file : byRelease) {
            versions.add(file.version());
            String tag = attributes.get(file.id()).tag();
            if (tag != null) {
                tags.put(tag, file.version());
            }
        }
        moved.forEach((tag, version) -> {
            if (version == null) {
                tags.remove(tag);
            } else {
                tags.put(tag, version);
            }
        });
        tags.values().removeIf(v -> !versions.contains(v));
        if (!tags.containsKey("latest") && !byRelease.isEmpty()) {
            List<String> all = byRelease.stream().map(Artifact::version).toList();
            List<String> stable = all.stream().filter(v -> split(v)[1] == null).toList();
            tags.put(
                    "latest",
                    (stable.isEmpty() ? all : stable)
                            .stream().max(Packuments::compareSemver).orElseThrow());
        }
        return tags;
    }

    private static ObjectNode document(String manifest) {
        try {
            JsonNode node = NpmFormat.JSON.readTree(manifest);
            return node instanceof ObjectNode object ? object : JsonNodeFactory.instance.objectNode();
        } catch (IOException e) {
            return JsonNodeFactory.instance.objectNode();
        }
    }

    private static ObjectNode abbreviate(ObjectNode full) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        full.properties().forEach(e -> {
            if (ABBREVIATED.contains(e.getKey())) {
                out.set(e.getKey(), e.getValue());
            }
        });
        return out;
    }

    /**
     * SemVer precedence, stable versions above pre-releases of the same numbers, pre-releases
     * compared by their dot-separated identifiers (numeric below alphanumeric); build metadata ignored.
     */
    static int compareSemver(String a, String b) {
        String[] pa = split(a);
        String[] pb = split(b);
        String[] na = pa[0].split("\\.");
        String[] nb = pb[0].split("\\.");
        for (int i = 0; i < 3; i++) {
            int c = new java.math.BigInteger(na[i]).compareTo(new java.math.BigInteger(nb[i]));
            if (c != 0) {
                return c;
            }
        }
        if (pa[1] == null || pb[1] == null) {
            return pa[1] == null ? (pb[1] == null ? 0 : 1) : -1;
        }
        String[] ia = pa[1].split("\\.");
        String[] ib = pb[1].split("\\.");
        for (int i = 0; i < Math.min(ia.length, ib.length); i++) {
            boolean da = ia[i].matches("\\d+");
            boolean db = ib[i].matches("\\d+");
            int c = da && db
                    ? new java.math.BigInteger(ia[i]).compareTo(new java.math.BigInteger(ib[i]))
                    : da ? -1 : db ? 1 : ia[i].compareTo(ib[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(ia.length, ib.length);
    }

    /** {release, pre-release or null}, build metadata dropped. */
    private static String[] split(String version) {
        String v = version.contains("+") ? version.substring(0, version.indexOf('+')) : version;
        int dash = v.indexOf('-');
        return dash < 0 ? new String[] {v, null} : new String[] {v.substring(0, dash), v.substring(dash + 1)};
    }
}
