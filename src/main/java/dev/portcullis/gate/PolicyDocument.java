package dev.portcullis.gate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.portcullis.core.Refusal;
import dev.portcullis.identity.Role;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads the policy YAML (docs/POLICY.md) into a {@link Policy}, strictly: an unknown key, a wrong
 * type or an impossible value is an error naming the key, never silently ignored.
 */
public final class PolicyDocument {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final int MAX_BYTES = 64 * 1024;

    private PolicyDocument() {}

    /**
     * Parses and validates a policy document; an invalid one is refused ({@link Refusal.Invalid},
     * "Invalid policy: " and the offending key). Hostile YAML that trips the reader itself is the
     * document's fault too: never a server error.
     */
    public static Policy parse(String yaml) {
        try {
            return read(yaml);
        } catch (RuntimeException e) {
            throw new Refusal.Invalid("Invalid policy: " + e.getMessage());
        }
    }

    /** The reader: each rule broken is an {@link IllegalArgumentException} naming its key, turned into the refusal by {@link #parse}. */
    private static Policy read(String yaml) {
        if (yaml == null || yaml.isBlank()) {
            throw new IllegalArgumentException("the policy document is empty");
        }
        if (yaml.length() > MAX_BYTES) {
            throw new IllegalArgumentException("the policy document is larger than 64 KiB");
        }
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (Exception e) {
            throw new IllegalArgumentException("the policy is not valid YAML: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("the policy must be a YAML mapping");
        }
        Policy d = Policy.DEFAULT;
        only(
                root,
                "",
                "version",
                "uploads",
                "approval",
                "auto_release",
                "risk",
                "publish_windows",
                "quarantine",
                "policy_changes",
                "notify",
                "provenance");
        if (root.has("version") && root.path("version").asInt(-1) != 1) {
            throw new IllegalArgumentException("version: only policy format version 1 exists");
        }
        JsonNode uploads = section(root, "uploads", "long_lived_tokens");
        JsonNode approval =
                section(root, "approval", "required", "roles", "users", "expires_after", "require_security_key");
        JsonNode auto = section(
                root,
                "auto_release",
                "enabled",
                "require_trusted_publisher",
                "require_provenance",
                "max_risk",
                "settle");
        JsonNode risk = section(root, "risk", "hold_at", "reject_at", "quarantine_at");
        JsonNode quarantine = section(root, "quarantine", "release_approvals");
        JsonNode changes = section(root, "policy_changes", "require_second_person");
        JsonNode notify = section(root, "notify", "email", "webhooks");
        try {
            return new Policy(
                    new Policy.Uploads(enumValue(
                            uploads,
                            "uploads.long_lived_tokens",
                            Policy.LongLivedTokens.class,
                            d.uploads().longLivedTokens())),
                    new Policy.Approval(
                            integer(approval, "approval.required", d.approval().required()),
                            roles(approval.path("roles"), d.approval().roles()),
                            strings(
                                    approval.path("users"),
                                    "approval.users",
                                    d.approval().users()),
                            duration(
                                    approval,
                                    "approval.expires_after",
                                    d.approval().expiresAfter()),
                            bool(
                                    approval,
                                    "approval.require_security_key",
                                    d.approval().requireSecurityKey())),
                    new Policy.AutoRelease(
                            bool(auto, "auto_release.enabled", d.autoRelease().enabled()),
                            bool(
                                    auto,
                                    "auto_release.require_trusted_publisher",
                                    d.autoRelease().requireTrustedPublisher()),
                            bool(
                                    auto,
                                    "auto_release.require_provenance",
                                    d.autoRelease().requireProvenance()),
                            integer(
                                    auto,
                                    "auto_release.max_risk",
                                    d.autoRelease().maxRisk()),
                            duration(
                                    auto, "auto_release.settle", d.autoRelease().settle())),
                    new Policy.Risk(
                            integer(risk, "risk.hold_at", d.risk().holdAt()),
                            integer(risk, "risk.reject_at", d.risk().rejectAt()),
                            integer(risk, "risk.quarantine_at", d.risk().quarantineAt())),
                    windows(root.path("publish_windows")),
                    integer(quarantine, "quarantine.release_approvals", d.quarantineReleaseApprovals()),
                    bool(changes, "policy_changes.require_second_person", d.changesNeedSecondPerson()),
                    new Policy.Notify(
                            List.copyOf(strings(notify.path("email"), "notify.email", Set.of())),
                            List.copyOf(strings(notify.path("webhooks"), "notify.webhooks", Set.of()))),
                    provenanceRule(root.path("provenance"), d.provenance()));
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    private static Policy.ProvenanceRule provenanceRule(JsonNode node, Policy.ProvenanceRule fallback) {
        if (node.isMissingNode()) {
            return fallback;
        }
        return switch (node.asText().toLowerCase(Locale.ROOT).replace('-', '_')) {
            case "required" -> Policy.ProvenanceRule.REQUIRED;
            case "if_present" -> Policy.ProvenanceRule.IF_PRESENT;
            case "off", "false" -> Policy.ProvenanceRule.OFF; // YAML 1.1 reads a bare off as false
            default -> throw new IllegalArgumentException("provenance: must be required, if-present or off");
        };
    }

    private static JsonNode section(JsonNode root, String name, String... keys) {
        JsonNode node = root.path(name);
        if (node.isMissingNode() || node.isNull()) {
            return YAML.createObjectNode();
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException(name + ": must be a mapping");
        }
        only(node, name + ".", keys);
        return node;
    }

    private static void only(JsonNode node, String prefix, String... keys) {
        Set<String> allowed = Set.of(keys);
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw new IllegalArgumentException(
                        prefix + name + ": unknown key (known: " + String.join(", ", keys) + ")");
            }
        }
    }

    private static int integer(JsonNode node, String key, int fallback) {
        JsonNode value = node.path(last(key));
        if (value.isMissingNode()) {
            return fallback;
        }
        if (!value.isInt()) {
            throw new IllegalArgumentException(key + ": must be a whole number");
        }
        return value.asInt();
    }

    private static boolean bool(JsonNode node, String key, boolean fallback) {
        JsonNode value = node.path(last(key));
        if (value.isMissingNode()) {
            return fallback;
        }
        if (!value.isBoolean()) {
            throw new IllegalArgumentException(key + ": must be true or false");
        }
        return value.asBoolean();
    }

    private static <E extends Enum<E>> E enumValue(JsonNode node, String key, Class<E> type, E fallback) {
        JsonNode value = node.path(last(key));
        if (value.isMissingNode()) {
            return fallback;
        }
        try {
            return Enum.valueOf(type, value.asText().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    key + ": must be one of " + EnumSet.allOf(type).toString().toLowerCase(Locale.ROOT));
        }
    }

    /** Durations as {@code 30d}, {@code 12h}, {@code 90m}, {@code 45s}. */
    private static Duration duration(JsonNode node, String key, Duration fallback) {
        JsonNode value = node.path(last(key));
        if (value.isMissingNode()) {
            return fallback;
        }
        String text = value.asText().trim().toLowerCase(Locale.ROOT);
        if (!text.matches("\\d+[dhms]")) {
            throw new IllegalArgumentException(key + ": durations look like 14d, 12h, 90m or 45s");
        }
        long n = Long.parseLong(text.substring(0, text.length() - 1));
        return switch (text.charAt(text.length() - 1)) {
            case 'd' -> Duration.ofDays(n);
            case 'h' -> Duration.ofHours(n);
            case 'm' -> Duration.ofMinutes(n);
            default -> Duration.ofSeconds(n);
        };
    }

    private static Set<Role> roles(JsonNode node, Set<Role> fallback) {
        if (node.isMissingNode()) {
            return fallback;
        }
        Set<Role> roles = new HashSet<>();
        for (String name : strings(node, "approval.roles", Set.of())) {
            try {
                roles.add(Role.parse(name));
            } catch (dev.portcullis.core.Refusal.Invalid e) {
                throw new IllegalArgumentException("approval.roles: " + e.getMessage());
            }
        }
        return roles;
    }

    private static Set<String> strings(JsonNode node, String key, Set<String> fallback) {
        if (node.isMissingNode()) {
            return fallback;
        }
        if (!node.isArray()) {
            throw new IllegalArgumentException(key + ": must be a list");
        }
        Set<String> out = new HashSet<>();
        node.forEach(v -> out.add(v.asText()));
        return out;
    }

    private static List<Policy.Window> windows(JsonNode node) {
        if (node.isMissingNode() || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new IllegalArgumentException("publish_windows: must be a list");
        }
        List<Policy.Window> out = new ArrayList<>();
        for (JsonNode w : node) {
            only(w, "publish_windows[].", "timezone", "days", "hours");
            ZoneId zone;
            try {
                zone = ZoneId.of(w.path("timezone").asText("UTC"));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("publish_windows[].timezone: unknown time zone "
                        + w.path("timezone").asText());
            }
            Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
            for (String day : strings(
                    w.path("days"),
                    "publish_windows[].days",
                    Set.of("mon", "tue", "wed", "thu", "fri", "sat", "sun"))) {
                days.add(day(day));
            }
            String hours = w.path("hours").asText("00:00-24:00");
            String[] range = hours.split("-");
            if (range.length != 2) {
                throw new IllegalArgumentException("publish_windows[].hours: write it as 08:00-18:00");
            }
            try {
                LocalTime to = range[1].trim().equals("24:00") ? LocalTime.MAX : LocalTime.parse(range[1].trim());
                out.add(new Policy.Window(zone, days, LocalTime.parse(range[0].trim()), to));
            } catch (java.time.format.DateTimeParseException e) {
                throw new IllegalArgumentException("publish_windows[].hours: write it as 08:00-18:00");
            }
        }
        return out;
    }

    private static DayOfWeek day(String name) {
        for (DayOfWeek d : DayOfWeek.values()) {
            if (d.name().toLowerCase(Locale.ROOT).startsWith(name.toLowerCase(Locale.ROOT)) && name.length() >= 3) {
                return d;
            }
        }
        throw new IllegalArgumentException("publish_windows[].days: unknown day " + name);
    }

    private static String last(String key) {
        return key.substring(key.lastIndexOf('.') + 1);
    }
}
