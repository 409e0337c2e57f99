package dev.portcullis.identity;

import dev.portcullis.core.Origin;
import dev.portcullis.events.AlertSink;
import dev.portcullis.events.EventLog;
import dev.portcullis.store.Database;
import dev.portcullis.store.SecretBox;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Entry point of the identity feature: users and roles ({@link Accounts}), API tokens and their
 * life cycle ({@link Tokens}), enrolment tickets and the second factor ({@link EnrolmentTickets},
 * {@link SecondFactor}), and authentication with failure counting ({@link Authenticator}).
 *
 * <p>Two kinds of caller: a {@link Principal} over the API, who must hold the right role and
 * token and pass a fresh second factor for anything that grants power; and the local operator (the
 * {@code admin} commands, which need the data directory and so the machine), whose actions are
 * recorded as such. docs/TOKENS.md and docs/SECURITY.md say who may do what.
 */
public final class Identity {

    private final IdentitySettings settings;
    private final Database database;
    private final PublishTokenStore publishTokens;
    private final SecondFactor secondFactor;
    private final Accounts accounts;
    private final EnrolmentTickets tickets;
    private final EventLog events;
    private final Tokens tokens;
    private final Authenticator authenticator;
    private final SecurityKeys keys;
    private final Clock clock;

    public Identity(
            Database database,
            EventLog events,
            Clock clock,
            SecureRandom random,
            SecretBox secrets,
            IdentitySettings settings,
            AlertSink alerts) {
        this.settings = settings;
        this.database = database;
        TokenFormat format = new TokenFormat(random);
        UserRepository users = new UserRepository();
        TokenRepository tokenRows = new TokenRepository();
        EnrolmentTickets tickets = new EnrolmentTickets(database, events, clock, format);
        this.tickets = tickets;
        this.events = events;
        this.publishTokens = new PublishTokenStore(database, clock);
        this.secondFactor = new SecondFactor(database, users, events, clock, secrets, random, settings, tickets);
        this.accounts = new Accounts(database, events, clock, settings, users, secondFactor, tickets);
        this.tokens = new Tokens(database, events, clock, format, settings, users, tokenRows, secondFactor);
        this.authenticator =
                new Authenticator(database, events, clock, settings, alerts, users, tokenRows, publishTokens);
        this.keys = new SecurityKeys(database, events, clock);
        this.clock = clock;
    }

    PublishTokenStore publishTokens() {
        return publishTokens;
    }

    public IdentitySettings settings() {
        return settings;
    }

    /** Tokens, accounts and approvers as they stand at {@code now}, for the compliance report. */
    public IdentityEvidence evidence(java.time.Instant now) {
        return database.withHandle(h -> IdentityEvidence.read(h, settings, now));
    }

    // ---------------------------------------------------------------- users and roles

    public boolean hasUsers() {
        return accounts.any();
    }

    public Optional<User> findUser(String name) {
        return accounts.find(name);
    }

    public List<User> listUsers() {
        return accounts.list();
    }

    /** Local operator: adds a user with one role; the ticket enrols its first factor. */
    public NewUser addUser(String name, RoleGrant grant, String actor) {
        return accounts.add(name, grant, actor, Origin.LOCAL);
    }

    /** API: a global admin adds a user, with a fresh second factor. */
    public NewUser addUser(Principal by, String otp, String name, RoleGrant grant, Origin origin) {
        return accounts.add(by, otp, name, grant, origin);
    }

    public User grantRole(Principal by, String otp, String userName, RoleGrant grant, Origin origin) {
        return accounts.grant(by, otp, userName, grant, origin);
    }

    /** Local operator (and drill sandboxes): grants a role without a second factor. */
    public User grantRole(String userName, RoleGrant grant, String actor, Origin origin) {
        return accounts.grant(userName, grant, actor, origin);
    }

    public User revokeRole(Principal by, String otp, String userName, RoleGrant grant, Origin origin) {
        return accounts.revoke(by, otp, userName, grant, origin);
    }

    public User enableUser(String name, String actor, Origin origin) {
        return accounts.enable(name, actor, origin);
    }

    public User enableUser(Principal by, String otp, String name, Origin origin) {
        return accounts.enable(by, otp, name, origin);
    }

    /** Local operator: removes a user's second factor and issues a new enrolment ticket. */
    public EnrolmentTicket resetSecondFactor(String name, String actor, Origin origin) {
        return accounts.resetSecondFactor(name, actor, origin);
    }

    /** API: a global admin (not for themselves) resets another user's second factor, with their own fresh one. */
    public EnrolmentTicket resetSecondFactor(Principal by, String otp, String name, Origin origin) {
        return accounts.resetSecondFactor(by, otp, name, origin);
    }

    // ---------------------------------------------------------------- tokens

    public IssuedToken createToken(TokenRequest request, String actor) {
        return tokens.create(request, actor);
    }

    public IssuedToken createToken(Principal by, String otp, TokenRequest request, Origin origin) {
        return tokens.create(by, otp, request, origin);
    }

    public IssuedToken rotateToken(Principal by, String otp, String tokenId, Duration overlap, Origin origin) {
        return tokens.rotate(by, otp, tokenId, overlap, origin);
    }

    public IssuedToken rotateToken(String tokenId, Duration overlap, String actor, Origin origin) {
        return tokens.rotate(tokenId, overlap, actor, origin);
    }

    /** Revokes a token from the web page: as {@link #revokeToken(Principal, String, String, Origin)}, after a fresh second factor. */
    public TokenInfo revokeToken(Principal by, StepUp stepUp, String tokenId, String reason, Origin origin) {
        requirePerson(by);
        tokens.requireMayRevoke(by, tokenId, origin); // before a code is spent on a revocation that would be refused
        requireSecondFactor(by, stepUp, "revoke token " + tokenId, origin);
        return revokeToken(by, tokenId, reason, origin);
    }

    public TokenInfo revokeToken(Principal by, String tokenId, String reason, Origin origin) {
        return tokens.revoke(by, tokenId, reason, origin);
    }

    public void revokeToken(String tokenId, String reason, String actor, Origin origin) {
        tokens.revoke(tokenId, reason, actor, origin);
    }

    /** Bulk revocation by a global admin, with a fresh second factor. */
    public List<TokenInfo> revokeTokens(
            Principal by, String otp, RevocationCriteria criteria, String reason, Origin origin) {
        accounts.requireGlobalAdmin(by, "revoke tokens in bulk", origin);
        secondFactor.verify(by, otp, "revoke tokens in bulk", origin);
        return tokens.revokeMatching(criteria, reason, by.actor(), origin);
    }

    public List<TokenInfo> revokeTokens(RevocationCriteria criteria, String reason, String actor, Origin origin) {
        return tokens.revokeMatching(criteria, reason, actor, origin);
    }

    /** Every token (the local operator, the token audit). */
    public List<TokenInfo> listTokens() {
        return tokens.list();
    }

    /** The tokens {@code by} may manage; refused (403) for tokens that manage none. */
    public List<TokenInfo> listTokens(Principal by, Origin origin) {
        return tokens.visibleTo(by, origin);
    }

    // ---------------------------------------------------------------- second factor

    /** Starts enrolment with an enrolment ticket (no API token involved). */
    public MfaEnrollment enrollMfa(String ticket, Origin origin) {
        return secondFactor.enroll(ticket, origin);
    }

    /** Confirms enrolment with the ticket and a first code; returns ten single-use recovery codes, shown once. */
    public List<String> confirmMfa(String ticket, String otp, Origin origin) {
        return secondFactor.confirm(ticket, otp, origin);
    }

    /** Step-up for {@code action}: throws {@link dev.portcullis.core.Refusal} unless {@code otp} is fresh. */
    public void requireSecondFactor(Principal principal, String otp, String action, Origin origin) {
        secondFactor.verify(principal, otp, action, origin);
    }

    /** Step-up with a code or with one of the person's keys (an assertion over the decision's challenge). */
    public void requireSecondFactor(Principal principal, StepUp stepUp, String action, Origin origin) {
        switch (stepUp) {
            case StepUp.Code code -> secondFactor.verify(principal, code.otp(), action, origin);
            case StepUp.Key key -> keys.verify(principal, key, action, origin);
        }
    }

    // ---------------------------------------------------------------- passkeys and security keys

    public SecurityKeys securityKeys() {
        return keys;
    }

    /**
     * Registers a passkey or security key for the caller, after a fresh one-time code — or, for a
     * person who has no factor yet, with the enrolment ticket an admin issued them (used up by it):
     * a session or token alone never adds a factor, and a key can be someone's only factor.
     */
    public SecurityKeys.Key registerKey(
            Principal by, String codeOrTicket, SecurityKeys.Registration registration, Origin origin) {
        requirePerson(by);
        if (codeOrTicket != null && codeOrTicket.strip().startsWith("pcl_e_")) {
            Optional<EnrolmentTickets.Redeemable> ticket = tickets.check(codeOrTicket);
            if (ticket.isEmpty() || ticket.get().userId() != by.userId()) {
                events.appendCounted(
                        new dev.portcullis.events.Event(
                                "EnrolmentTicketRefused",
                                by.actor(),
                                null,
                                by.userName(),
                                origin,
                                java.util.Map.of("action", "register a security key")),
                        origin.ip());
                throw EnrolmentTickets.refused();
            }
            return keys.register(by, registration, origin, h -> {
                if (!tickets.use(h, ticket.get())) {
                    throw EnrolmentTickets.refused();
                }
            });
        }
        secondFactor.verify(by, codeOrTicket, "register a security key", origin);
        return keys.register(by, registration, origin);
    }

    /** Removes one of the caller's keys, after a fresh second factor (a code, or another of their keys). */
    public void removeKey(Principal by, StepUp stepUp, String credentialId, Origin origin) {
        requirePerson(by);
        requireSecondFactor(by, stepUp, "remove a security key", origin);
        keys.remove(by, credentialId, origin);
    }

    private static void requirePerson(Principal by) {
        if (by.isTrustedPublisher()) {
            throw new dev.portcullis.core.Refusal.Forbidden("a trusted publisher's token has no second factors");
        }
    }

    // ---------------------------------------------------------------- authentication

    public Authentication authenticate(String presented, Origin origin) {
        return authenticator.authenticate(presented, origin);
    }

    // ---------------------------------------------------------------- housekeeping

    /**
     * One pass of the credential policy: disables (revokes) tokens unused for the idle limit,
     * records a warning event for tokens about to expire, disables inactive accounts. Idempotent.
     */
    public HousekeepingReport housekeeping() {
        List<String> disabledTokens = new ArrayList<>();
        List<String> expiring = new ArrayList<>();
        List<String> disabledUsers = new ArrayList<>();
        tokens.housekeeping(disabledTokens, expiring);
        accounts.housekeeping(disabledUsers);
        // Ended web sessions are kept a week for the record; used key challenges a day (each is valid ten minutes).
        database.inTransaction(h -> {
            WebSessions.purge(h, clock.instant().minus(Duration.ofDays(7)));
            SecurityKeys.purgeChallenges(h, clock.instant().minus(Duration.ofDays(1)));
            return null;
        });
        return new HousekeepingReport(disabledTokens, expiring, disabledUsers);
    }
}
