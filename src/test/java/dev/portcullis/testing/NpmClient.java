package dev.portcullis.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The real npm command line against a server, as one user: its own {@code .npmrc} (the registry
 * {@code SERVER/npm/} and the user's token) and cache, no update checks, audits or funding notices.
 * A missing npm fails and names the Debian package.
 */
public final class NpmClient {

    private static final String NPM = "/usr/bin/npm";

    private final Path home;
    private final String registry;

    /** A client for the server at {@code serverUrl}, authenticating with {@code token} (null: anonymous). */
    public NpmClient(Path home, String serverUrl, String token) {
        if (!Files.isExecutable(Path.of(NPM))) {
            throw new AssertionError(NPM + " is missing: install Debian's npm package (scripts/setup does)");
        }
        this.home = home;
        this.registry = serverUrl + "/npm/";
        try {
            Files.createDirectories(home);
            String authority = registry.substring(registry.indexOf("//"));
            Files.writeString(
                    home.resolve(".npmrc"),
                    "registry=" + registry + "\n"
                            + (token == null ? "" : authority + ":_authToken=" + token + "\n")
                            + "update-notifier=false\naudit=false\nfund=false\nloglevel=notice\n",
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String registry() {
        return registry;
    }

    /** Runs {@code npm ARGS} in {@code dir}. */
    public Processes.Result run(Path dir, String... args) {
        return run(Map.of(), dir, args);
    }

    /** Runs {@code npm ARGS} in {@code dir} with {@code env} added (a CI's variables). */
    public Processes.Result run(Map<String, String> env, Path dir, String... args) {
        List<String> command = new ArrayList<>(List.of(
                NPM,
                "--userconfig",
                home.resolve(".npmrc").toString(),
                "--cache",
                home.resolve("cache").toString()));
        command.addAll(List.of(args));
        Map<String, String> all =
                new java.util.HashMap<>(Map.of("HOME", home.toString(), "NO_COLOR", "1", "npm_config_yes", "true"));
        all.putAll(env);
        return Processes.run(dir, all, Duration.ofMinutes(2), command);
    }

    /** A package directory {@code name}@{@code version} with an index.js saying {@code text}, and {@code extra} package.json fields. */
    public static Path packageDir(Path parent, String name, String version, String text, String extra) {
        Path dir = parent.resolve(name.replace('/', '_') + "-" + version);
        try {
            Files.createDirectories(dir);
            Files.writeString(
                    dir.resolve("package.json"),
                    "{\n  \"name\": \"" + name + "\",\n  \"version\": \"" + version
                            + "\",\n  \"main\": \"index.js\",\n  \"license\": \"MIT\""
                            + (extra == null || extra.isBlank() ? "" : ",\n  " + extra)
                            + "\n}\n",
                    StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("index.js"), "module.exports = " + text + ";\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }
}
