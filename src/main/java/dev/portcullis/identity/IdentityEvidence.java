package dev.portcullis.identity;

import java.time.Instant;

/**
 * What the identity feature shows a compliance assessor about its own tables, at one instant:
 * tokens (active, beyond the maximum lifetime, project-scoped, with the admin permission, unused
 * past the idle limit, stored as digests), accounts (disabled, idle past the limit) and the people
 * who may approve, with a second factor or not.
 */
public record IdentityEvidence(
        long activeTokens,
        long activeTokensBeyondMaximumLifetime,
        Instant oldestActiveToken,
        long activeProjectScopedTokens,
        long activeAdminTokens,
        long activeTokensIdle,
        long tokenRows,
        long tokenRowsThatAreDigests,
        long accounts,
        long disabledAccounts,
        long enabledAccountsIdle,
        long approvers,
        long approversWithSecondFactor) {

    static IdentityEvidence read(org.jdbi.v3.core.Handle h, IdentitySettings settings, Instant now) {
        long n = now.toEpochMilli();
        String active = " FROM api_tokens WHERE revoked_at IS NULL AND expires_at > " + n;
        long tokenIdle = now.minus(settings.tokenIdleLimit()).toEpochMilli();
        long accountIdle = now.minus(settings.accountIdleLimit()).toEpochMilli();
        String approvers =
                "SELECT COUNT(DISTINCT u.id) FROM users u JOIN user_roles ur ON ur.user_id = u.id WHERE u.disabled_at IS NULL"
                        + " AND ur.role IN ('admin', 'owner', 'approver')";
        Long oldest = h.createQuery("SELECT MIN(created_at)" + active)
                .mapTo(Long.class)
                .findOne()
                .orElse(null);
        return new IdentityEvidence(
                count(h, "SELECT COUNT(*)" + active),
                count(
                        h,
                        "SELECT COUNT(*)" + active + " AND expires_at - created_at > "
                                + settings.maxTokenLifetime().toMillis()),
                oldest == null ? null : Instant.ofEpochMilli(oldest),
                count(h, "SELECT COUNT(*)" + active + " AND project IS NOT NULL"),
                count(h, "SELECT COUNT(*)" + active + " AND permissions LIKE '%admin%'"),
                count(h, "SELECT COUNT(*)" + active + " AND COALESCE(last_used_at, created_at) < " + tokenIdle),
                count(h, "SELECT COUNT(*) FROM api_tokens"),
                h.createQuery("SELECT secret_hash FROM api_tokens").mapTo(String.class).stream()
                        .filter(s -> s != null && s.matches("[0-9a-f]{64}"))
                        .count(),
                count(h, "SELECT COUNT(*) FROM users"),
                count(h, "SELECT COUNT(*) FROM users WHERE disabled_at IS NOT NULL"),
                count(
                        h,
                        "SELECT COUNT(*) FROM users WHERE disabled_at IS NULL AND COALESCE(last_active_at, created_at) < "
                                + accountIdle),
                count(h, approvers),
                count(
                        h,
                        approvers + " AND (u.mfa_enabled_at IS NOT NULL OR EXISTS"
                                + " (SELECT 1 FROM webauthn_credentials w WHERE w.user_id = u.id))"));
    }

    private static long count(org.jdbi.v3.core.Handle h, String sql) {
        return h.createQuery(sql).mapTo(Long.class).one();
    }
}
