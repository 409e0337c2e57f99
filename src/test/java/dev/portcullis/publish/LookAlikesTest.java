package dev.portcullis.publish;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.registry.npm.NpmEcosystem;
import dev.portcullis.registry.pypi.PypiEcosystem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Look-alike dependency names against the lists the ecosystems ship: the typosquats of issue 18
 * are caught, and the real dependencies of real packages are not.
 */
class LookAlikesTest {

    @Test
    void typosquatsImitateTheNameTheyCopy() {
        Ecosystem pypi = new PypiEcosystem();
        assertThat(pypi.dependency("jeIlyfish>=0.9").imitates()).isEqualTo("jellyfish");
        assertThat(pypi.dependency("reqeusts").imitates()).isEqualTo("requests");
        assertThat(pypi.dependency("rnock").imitates()).isEqualTo("mock");
        assertThat(pypi.dependency("ur11ib3").imitates()).isEqualTo("urllib3");
        assertThat(pypi.dependency("requests[socks]>=2").imitates()).isNull();
        assertThat(pypi.dependency("typing_extensions; python_version<'3.10'").imitates())
                .as("another spelling of the same name")
                .isNull();
        Ecosystem npm = new NpmEcosystem();
        assertThat(npm.dependency("chaIk@^5").imitates()).isEqualTo("chalk");
        assertThat(npm.dependency("expresss@4").imitates()).isNull(); // a letter added is not one of the two forms
        assertThat(npm.dependency("lodash@4.17.21").imitates()).isNull();
    }

    @Test
    void realDependenciesOfInstalledPythonPackagesImitateNothing() throws Exception {
        Set<String> names = new TreeSet<>();
        Path site = Path.of("/usr/lib/python3/dist-packages");
        try (Stream<Path> files = Files.list(site)) {
            for (Path dir : files.toList()) {
                Path metadata = dir.resolve(dir.toString().endsWith(".dist-info") ? "METADATA" : "PKG-INFO");
                if (!Files.isRegularFile(metadata)) {
                    continue;
                }
                for (String line : Files.readAllLines(metadata, StandardCharsets.UTF_8)) {
                    if (line.startsWith("Requires-Dist:")) {
                        names.add(line.substring("Requires-Dist:".length()).strip());
                    }
                }
            }
        }
        assertThat(names)
                .as("scripts/setup installs twine, pip and their dependencies")
                .hasSizeGreaterThan(20);
        Ecosystem pypi = new PypiEcosystem();
        List<String> flagged = new ArrayList<>();
        for (String written : names) {
            Ecosystem.Dependency d = pypi.dependency(written);
            if (d.imitates() != null) {
                flagged.add(written + " -> " + d.imitates());
            }
        }
        assertThat(flagged).isEmpty();
    }
}
