package dev.portcullis.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The real, unmodified Python clients from Debian's packages: {@code python3 -m build}, {@code
 * twine} and {@code pip}. Nothing here talks HTTP itself.
 */
public final class PythonClients {

    private static final String PYTHON = "/usr/bin/python3";
    private static final String TWINE = "/usr/bin/twine";
    private static final Map<String, String> ENV = Map.of(
            "TWINE_NON_INTERACTIVE", "1",
            "PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring",
            "PIP_NO_INPUT", "1",
            "PIP_CONFIG_FILE", "/dev/null",
            "PIP_DISABLE_PIP_VERSION_CHECK", "1",
            "NO_COLOR", "1",
            "TERM", "dumb",
            "COLUMNS", "200");
    private static final Map<String, Path> BUILT = new ConcurrentHashMap<>();
    private static final Path WORK = createWorkDir();

    private PythonClients() {}

    static {
        // A missing client is a missing Debian package: say which (scripts/setup installs them), never skip.
        for (String[] tool : new String[][] {{PYTHON, "python3"}, {TWINE, "twine"}}) {
            if (!Files.isExecutable(Path.of(tool[0]))) {
                throw new IllegalStateException(
                        tool[0] + " is missing: install Debian's " + tool[1] + " (scripts/setup does)");
            }
        }
    }

    /**
     * Builds a pure-Python sample project with the real build front-end (setuptools back-end, no
     * network: {@code --no-isolation}) and returns its dist directory (one wheel, one sdist).
     * Builds are cached per name and version.
     */
    public static Path buildSample(String name, String version) {
        return BUILT.computeIfAbsent(name + "==" + version, key -> build(name, version));
    }

    public static Path wheel(Path dist) {
        return only(dist, ".whl");
    }

    public static Path sdist(Path dist) {
        return only(dist, ".tar.gz");
    }

    public static String moduleOf(String name) {
        return name.replace('-', '_');
    }

    public static Processes.Result twineUpload(String serverUrl, String token, Path... files) {
        return twineUpload(serverUrl, token, List.of(), files);
    }

    /** As above, with extra twine options such as {@code --verbose}. */
    public static Processes.Result twineUpload(String serverUrl, String token, List<String> options, Path... files) {
        List<String> command = new ArrayList<>(List.of(
                TWINE,
                "upload",
                "--disable-progress-bar",
                "--repository-url",
                serverUrl + "/legacy/",
                "-u",
                "__token__",
                "-p",
                token));
        command.addAll(options);
        for (Path file : files) {
            command.add(file.toString());
        }
        return Processes.run(WORK, ENV, Duration.ofMinutes(2), command);
    }

    public static Processes.Result pipInstall(String serverUrl, Path target, String requirement) {
        return Processes.run(
                WORK,
                ENV,
                Duration.ofMinutes(3),
                List.of(
                        PYTHON,
                        "-m",
                        "pip",
                        "install",
                        "--no-cache-dir",
                        "--index-url",
                        serverUrl + "/simple/",
                        "--target",
                        target.toString(),
                        requirement));
    }

    /** Imports {@code module} from {@code path} in a fresh interpreter and prints its VERSION. */
    public static Processes.Result importAndPrintVersion(Path path, String module) {
        return Processes.run(
                WORK,
                Map.of("PYTHONPATH", path.toString()),
                Duration.ofMinutes(1),
                List.of(PYTHON, "-c", "import " + module + "; print(" + module + ".VERSION)"));
    }

    private static Path build(String name, String version) {
        return buildProject(
                name, version, Map.of(moduleOf(name) + "/__init__.py", "VERSION = \"" + version + "\"\n"), "");
    }

    /**
     * Builds a project from {@code files} (paths under {@code src/}) with the real build front-end;
     * {@code pyprojectExtra} is appended to pyproject.toml (dependencies, package data). Not cached.
     */
    public static Path buildProject(String name, String version, Map<String, String> files, String pyprojectExtra) {
        try {
            Path project =
                    Files.createDirectories(WORK.resolve("src-" + name + "-" + version + "-" + System.nanoTime()));
            Files.writeString(
                    project.resolve("pyproject.toml"),
                    String.format(java.util.Locale.ROOT, """
          [build-system]
          requires = ["setuptools>=61"]
          build-backend = "setuptools.build_meta"

          [project]
          name = "%s"
          version = "%s"
          description = "A sample project for Portcullis tests"
          requires-python = ">=3.8"
          """, name, version) + pyprojectExtra);
            for (Map.Entry<String, String> file : files.entrySet()) {
                Path target = project.resolve("src").resolve(file.getKey());
                Files.createDirectories(target.getParent());
                Files.writeString(target, file.getValue());
            }
            Processes.Result result = Processes.run(
                    project,
                    ENV,
                    Duration.ofMinutes(3),
                    List.of(PYTHON, "-m", "build", "--no-isolation", "--outdir", "dist", "."));
            if (result.exitCode() != 0) {
                throw new AssertionError("python3 -m build failed:\n" + result.output());
            }
            return project.resolve("dist");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path only(Path dist, String suffix) {
        try (var files = Files.list(dist)) {
            return files.filter(f -> f.getFileName().toString().endsWith(suffix))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no " + suffix + " in " + dist));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path createWorkDir() {
        try {
            return Files.createTempDirectory("portcullis-python-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
