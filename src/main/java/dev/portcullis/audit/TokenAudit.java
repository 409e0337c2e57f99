package dev.portcullis.audit;

import dev.portcullis.identity.Identity;
import dev.portcullis.identity.IdentitySettings;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.TokenFormat;
import dev.portcullis.identity.TokenInfo;
import dev.portcullis.publish.Catalog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The token inventory (NIST SP 800-53 IA-5, AC-2): every token with its owner, scope, age,
 * expiry, last use and rotation history, and flags for what breaks the credential policy. Only
 * active tokens are flagged; expired and revoked ones are listed for the record.
 */
public final class TokenAudit {

    public enum Severity {
        LOW,
        MEDIUM,
        HIGH;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Severity parse(String text) {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        }
    }

    public record Flag(String code, Severity severity, String message) {}

    public record Row(
            TokenInfo token, TokenInfo.Status status, long ageDays, List<String> rotationHistory, List<Flag> flags) {}

    private static final Duration OLD = Duration.ofDays(90);

    private final Identity identity;
    private final Catalog catalog;
    private final Clock clock;

    public TokenAudit(Identity identity, Catalog catalog, Clock clock) {
        this.identity = identity;
        this.catalog = catalog;
        this.clock = clock;
    }

    public List<Row> inventory() {
        Instant now = clock.instant();
        IdentitySettings settings = identity.settings();
        List<TokenInfo> tokens = identity.listTokens();
        Map<String, TokenInfo> byId = tokens.stream().collect(Collectors.toMap(TokenInfo::id, Function.identity()));
        Set<String> uploaders = catalog.uploadingTokens();
        List<Row> rows = new ArrayList<>();
        for (TokenInfo t : tokens) {
            TokenInfo.Status status = t.status(now);
            List<Flag> flags = status == TokenInfo.Status.ACTIVE ? flags(t, now, settings, uploaders) : List.of();
            rows.add(new Row(t, status, Duration.between(t.createdAt(), now).toDays(), history(t, byId), flags));
        }
        return rows;
    }

    private static List<Flag> flags(TokenInfo t, Instant now, IdentitySettings settings, Set<String> uploaders) {
        List<Flag> flags = new ArrayList<>();
        if (t.createdAt().isBefore(now.minus(OLD))) {
            flags.add(new Flag(
                    "older-than-90-days",
                    Severity.HIGH,
                    "created " + Duration.between(t.createdAt(), now).toDays() + " days ago; rotate it"));
        }
        Instant lastActivity = t.lastUsedAt() == null ? t.createdAt() : t.lastUsedAt();
        if (lastActivity.isBefore(now.minus(settings.tokenIdleLimit()))) {
            flags.add(new Flag(
                    "unused-" + settings.tokenIdleLimit().toDays() + "-days",
                    Severity.MEDIUM,
                    (t.lastUsedAt() == null ? "never used since creation " : "last used ")
                            + Duration.between(lastActivity, now).toDays() + " days ago; revoke it"));
        }
        if (t.lastUsedAt() == null) {
            flags.add(new Flag("never-used", Severity.LOW, "never used"));
        }
        if (t.project() == null || t.permissions().contains(Permission.ADMIN)) {
            flags.add(new Flag(
                    "broad-scope",
                    Severity.MEDIUM,
                    (t.project() == null ? "covers every project" : "")
                            + (t.project() == null && t.permissions().contains(Permission.ADMIN) ? " with " : "")
                            + (t.permissions().contains(Permission.ADMIN) ? "admin permission" : "")));
        }
        if (t.kind() == TokenFormat.Kind.USER && uploaders.contains(t.id())) {
            flags.add(new Flag(
                    "long-lived-upload-token",
                    Severity.MEDIUM,
                    "a long-lived token has uploaded releases; publish from CI with trusted publishing instead"));
        }
        return flags;
    }

    /** Predecessors, newest first: the token this one replaced, the one that replaced, … */
    private static List<String> history(TokenInfo t, Map<String, TokenInfo> byId) {
        List<String> chain = new ArrayList<>();
        String previous = t.rotatedFrom();
        while (previous != null && !chain.contains(previous) && chain.size() < 100) {
            chain.add(previous);
            TokenInfo before = byId.get(previous);
            previous = before == null ? null : before.rotatedFrom();
        }
        return chain;
    }
}
