package dev.portcullis.identity;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** What a token may do. {@code ADMIN} implies every other permission. */
public enum Permission {
    READ,
    UPLOAD,
    APPROVE,
    ADMIN;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Permission parse(String name) {
        for (Permission p : values()) {
            if (p.wireName().equals(name.trim().toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        throw new dev.portcullis.core.Refusal.Invalid(
                "unknown permission '" + name + "' (use read, upload, approve or admin)");
    }

    /** Parses a comma-separated list such as {@code upload,read}. */
    public static Set<Permission> parseList(String list) {
        EnumSet<Permission> set = EnumSet.noneOf(Permission.class);
        for (String part : list.split(",")) {
            if (!part.isBlank()) {
                set.add(parse(part));
            }
        }
        if (set.isEmpty()) {
            throw new dev.portcullis.core.Refusal.Invalid("at least one permission is required");
        }
        return set;
    }

    public static String format(Set<Permission> permissions) {
        return String.join(
                ",", permissions.stream().map(Permission::wireName).sorted().toList());
    }
}
