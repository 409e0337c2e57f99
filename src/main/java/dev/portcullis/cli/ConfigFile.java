package dev.portcullis.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code portcullis.yaml}: the {@code serve} options as a file (docs/CONFIGURATION.md). Every key is
 * an option's name without the dashes — {@code port: 8080}, {@code smtp-host: mail} — and may be
 * grouped by its first word ({@code smtp: {host: mail, port: 587}} is {@code smtp-host} and {@code
 * smtp-port}); a repeatable option takes a list. For each option, the first of these wins: the
 * command line, the environment variable {@code PORTCULLIS_} + the name in capitals with
 * underscores ({@code PORTCULLIS_SMTP_HOST}), the file, the built-in default. An unknown key is
 * refused with its name; a secret is never written in the file: its {@code …-file} key names the
 * file that holds it.
 */
final class ConfigFile {

    /** Options that are not settings (they choose the file itself, or print help). */
    private static final List<String> NOT_SETTINGS = List.of("config", "help", "version");

    private ConfigFile() {}

    /** The file's keys, flattened to option names (no dashes in front), with their values (a String or a list of Strings). */
    static Map<String, Object> read(Path file) throws IOException {
        Object tree;
        try (InputStream in = Files.newInputStream(file)) {
            tree = new org.yaml.snakeyaml.Yaml(
                            new org.yaml.snakeyaml.constructor.SafeConstructor(new org.yaml.snakeyaml.LoaderOptions()))
                    .load(in);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + " is not valid YAML: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
        Map<String, Object> flat = new LinkedHashMap<>();
        if (tree == null) {
            return flat;
        }
        if (!(tree instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(file + ": the configuration is a mapping of keys to values");
        }
        flatten("", map, flat);
        return flat;
    }

    private static void flatten(String prefix, Map<?, ?> map, Map<String, Object> out) {
        for (var entry : map.entrySet()) {
            String key = prefix + String.valueOf(entry.getKey()).replace('_', '-');
            Object value = entry.getValue();
            if (value instanceof Map<?, ?> nested) {
                flatten(key + "-", nested, out);
            } else if (value instanceof List<?> list) {
                List<String> strings = new ArrayList<>();
                for (Object item : list) {
                    if (item instanceof Map<?, ?> || item instanceof List<?>) {
                        throw new IllegalArgumentException("configuration key " + key + ": a list of plain values");
                    }
                    strings.add(String.valueOf(item));
                }
                out.put(key, strings);
            } else {
                out.put(key, value == null ? null : String.valueOf(value));
            }
        }
    }

    /**
     * Sets every option of {@code command} that the command line did not give from the environment
     * or, failing that, from {@code file} (null: environment only). Returns which keys of the file
     * were used; an unknown key or a secret in the file is refused.
     */
    static List<String> apply(CommandLine command, Path file, Map<String, String> environment) throws IOException {
        CommandSpec spec = command.getCommandSpec();
        Map<String, OptionSpec> options = new LinkedHashMap<>();
        for (OptionSpec option : spec.options()) {
            String name = option.longestName().replaceFirst("^-+", "");
            if (!NOT_SETTINGS.contains(name)) {
                options.put(name, option);
            }
        }
        Map<String, Object> values = file == null ? Map.of() : read(file);
        for (String key : values.keySet()) {
            if (!options.containsKey(key)) {
                if (key.matches(".*(password|secret|token|credential).*") && !key.endsWith("-file")) {
                    throw new IllegalArgumentException("configuration key " + key
                            + ": secrets are never written in the file; put it in a file and name that file with "
                            + key + "-file (where supported) or set it in the environment");
                }
                throw new IllegalArgumentException("unknown configuration key " + key + " in " + file
                        + " (keys are the serve options without dashes: docs/CONFIGURATION.md)");
            }
        }
        if (values.get("database") instanceof String url && url.matches("(?s)[a-z]+://[^/@:]+:[^@]+@.*")) {
            throw new IllegalArgumentException("configuration key database: secrets are never written in the file;"
                    + " leave the password out of the URL and name a file holding it with database-password-file");
        }
        CommandLine.ParseResult parsed = command.getParseResult();
        List<String> used = new ArrayList<>();
        for (var entry : options.entrySet()) {
            OptionSpec option = entry.getValue();
            if (parsed != null && parsed.hasMatchedOption(option)) {
                continue; // the command line wins
            }
            String env = environment.get(
                    "PORTCULLIS_" + entry.getKey().toUpperCase(Locale.ROOT).replace('-', '_'));
            Object value = env != null && !env.isBlank() ? envValue(option, env) : values.get(entry.getKey());
            if (value == null) {
                continue;
            }
            set(option, entry.getKey(), value);
            if (env == null || env.isBlank()) {
                used.add(entry.getKey());
            }
        }
        return used;
    }

    private static Object envValue(OptionSpec option, String env) {
        return option.isMultiValue() ? List.of(env.trim().split("[\\s,]+")) : env;
    }

    private static void set(OptionSpec option, String key, Object value) {
        Class<?> type = option.type();
        try {
            if (option.isMultiValue()) {
                List<String> list = value instanceof List<?> l
                        ? l.stream().map(String::valueOf).toList()
                        : List.of(String.valueOf(value));
                option.setValue(new ArrayList<>(list));
                return;
            }
            if (value instanceof List<?>) {
                throw new IllegalArgumentException("configuration key " + key + " takes one value, not a list");
            }
            String text = String.valueOf(value);
            Object converted;
            if (type == String.class) {
                converted = text;
            } else if (type == int.class || type == Integer.class) {
                converted = Integer.parseInt(text.trim());
            } else if (type == boolean.class || type == Boolean.class) {
                if (!text.equals("true") && !text.equals("false")) {
                    throw new IllegalArgumentException("configuration key " + key + " is true or false, not " + text);
                }
                converted = Boolean.parseBoolean(text);
            } else if (type == Path.class) {
                converted = Path.of(text);
            } else if (type == java.net.URI.class) {
                converted = java.net.URI.create(text);
            } else {
                throw new IllegalStateException("option " + key + " has a type the configuration file does not know");
            }
            option.setValue(converted);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("configuration key " + key + " is a number, not " + value);
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("configuration key")) {
                throw e;
            }
            throw new IllegalArgumentException("configuration key " + key + ": " + e.getMessage());
        }
    }
}
