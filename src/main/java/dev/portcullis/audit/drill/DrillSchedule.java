package dev.portcullis.audit.drill;

import dev.portcullis.core.Origin;
import dev.portcullis.identity.Identity;
import dev.portcullis.identity.IssuedToken;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Role;
import dev.portcullis.identity.RoleGrant;
import dev.portcullis.identity.TokenRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.function.Supplier;

/**
 * Scheduled drills ({@code serve --drill-interval}, docs/DRILLS.md): the server drills itself over
 * HTTP, exactly as {@code portcullis drill} would. Each run issues a one-hour admin token to the
 * machine user {@value #RUNNER} (a global admin that exists only for this) and revokes it when the
 * run ends; the scorecard is the run's {@code DrillCompleted} event, and a failure raises an alert.
 */
public final class DrillSchedule {

    public static final String RUNNER = "portcullis-drill-runner";

    private final Identity identity;
    private final Supplier<String> serverUrl;
    private final Clock clock;

    public DrillSchedule(Identity identity, Supplier<String> serverUrl, Clock clock) {
        this.identity = identity;
        this.serverUrl = serverUrl;
        this.clock = clock;
    }

    /** One run of every scenario. */
    public Scorecard runOnce() {
        String actor = "drill schedule";
        var user = identity.findUser(RUNNER);
        if (user.isEmpty()) {
            identity.addUser(RUNNER, new RoleGrant(RoleGrant.EVERY_PROJECT, Role.ADMIN), actor);
        } else if (user.get().disabled()) {
            identity.enableUser(RUNNER, actor, Origin.LOCAL);
        }
        IssuedToken token = identity.createToken(
                new TokenRequest(RUNNER, "scheduled drill", null, EnumSet.of(Permission.ADMIN), Duration.ofHours(1)),
                actor);
        try {
            DrillRunner runner = new DrillRunner(serverUrl.get(), token.secret(), null, clock);
            Scorecard card = runner.run(List.of());
            runner.record(card);
            return card;
        } finally {
            identity.revokeToken(token.info().id(), "scheduled drill finished", actor, Origin.LOCAL);
        }
    }
}
