package dev.portcullis.app;

import dev.portcullis.audit.TokenAudit;
import dev.portcullis.audit.compliance.ComplianceEvidence;
import dev.portcullis.audit.drill.DrillSandboxes;
import dev.portcullis.audit.drill.DrillSchedule;
import dev.portcullis.audit.drill.Scorecard;
import dev.portcullis.audit.http.AuditRoutes;
import dev.portcullis.audit.http.ComplianceRoutes;
import dev.portcullis.audit.http.DrillRoutes;
import dev.portcullis.detect.Detectors;
import dev.portcullis.events.AlertSink;
import dev.portcullis.events.EventLog;
import dev.portcullis.gate.Assessor;
import dev.portcullis.gate.Policies;
import dev.portcullis.gate.ReleaseGate;
import dev.portcullis.gate.ReleaseNotifier;
import dev.portcullis.gate.http.PolicyRoutes;
import dev.portcullis.gate.http.ReleaseRoutes;
import dev.portcullis.gate.notify.AlertingNotifier;
import dev.portcullis.http.ErrorStyle;
import dev.portcullis.http.HttpServer;
import dev.portcullis.identity.ApiAuthenticator;
import dev.portcullis.identity.DrillIssuer;
import dev.portcullis.identity.Identity;
import dev.portcullis.identity.TrustedPublishing;
import dev.portcullis.identity.http.IdentityRoutes;
import dev.portcullis.identity.http.OidcRoutes;
import dev.portcullis.identity.http.PublisherRoutes;
import dev.portcullis.inspect.InspectionService;
import dev.portcullis.inspect.Inspector;
import dev.portcullis.inspect.Limits;
import dev.portcullis.net.GuardedHttp;
import dev.portcullis.provenance.AttestationChecker;
import dev.portcullis.provenance.DrillSigstore;
import dev.portcullis.provenance.ProvenanceStore;
import dev.portcullis.provenance.ProvenanceVerifier;
import dev.portcullis.provenance.SourceCommits;
import dev.portcullis.publish.AttestationCheck;
import dev.portcullis.publish.Catalog;
import dev.portcullis.publish.Ecosystems;
import dev.portcullis.publish.PublishService;
import dev.portcullis.registry.Registry;
import dev.portcullis.registry.pypi.PypiRegistry;
import dev.portcullis.store.BlobStore;
import dev.portcullis.store.Database;
import dev.portcullis.store.SecretBox;
import dev.portcullis.upstream.Promoter;
import dev.portcullis.upstream.UpstreamProtocol;
import dev.portcullis.upstream.UpstreamWatcher;
import dev.portcullis.upstream.http.UpstreamRoutes;
import dev.portcullis.watch.CheckpointKey;
import dev.portcullis.watch.EventLogIntegrity;
import dev.portcullis.watch.alert.AlertDispatcher;
import dev.portcullis.watch.alert.AlertOutbox;
import dev.portcullis.watch.http.EventRoutes;
import dev.portcullis.watch.http.MetricsRoute;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The composition root. Builds every component with plain constructors, in dependency order;
 * {@link #serve()} adds the HTTP routes. The clock and the random source are parameters so tests
 * can control time and tokens.
 */
public final class Portcullis implements AutoCloseable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Portcullis.class);

    private final Settings settings;
    private final Database database;
    private final BlobStore blobs;
    private final EventLog events;
    private final Identity identity;
    private final TrustedPublishing trustedPublishing;
    private final Catalog catalog;
    private final List<Registry> registries;
    private final Ecosystems ecosystems;
    private final PublishService publish;
    private final ReleaseGate gate;
    private final InspectionService inspection;
    private final Clock clock;
    private final SecureRandom random;
    private final dev.portcullis.store.Leases leases;
    private final Telemetry telemetry;
    /** Until when (clock millis) this process may do the leader's duties: its lease's end, less a margin. */
    private volatile long leaderUntil;

    /** The lease that picks, among processes sharing the database, the one doing the leader's duties. */
    static final String LEADER = "leader";

    static final Duration LEADER_LEASE = Duration.ofSeconds(30);

    private HttpServer server;
    private final com.fasterxml.jackson.databind.JsonNode apiDescription = ApiDescription.load();
    private final EventLogIntegrity integrity;
    private final MetricsRoute metrics;
    private final AlertSink alerts;
    private final UpstreamWatcher upstreamWatcher;
    private final Promoter promoter;
    private final AlertDispatcher alertDispatcher;
    private final DrillIssuer drillIssuer;
    private final DrillSigstore drillSigstore;
    private final DrillSandboxes drillSandboxes;
    private final List<Thread> clocks = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<GuardedHttp> outboundClients = new java.util.concurrent.CopyOnWriteArrayList<>();

    private Portcullis(Settings given, Clock clock, SecureRandom random, AlertSink alerts, List<Registry> registries) {
        this.random = random;
        // Checkpoints leave the database by default: the data directory's checkpoint log.
        Settings settings = given.withWatch(given.watch().withCheckpointFile(checkpointLog(given)));
        this.settings = settings;
        this.clock = clock;
        try {
            dev.portcullis.store.PrivateFiles.createDirectories(settings.dataDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data directory " + settings.dataDir(), e);
        }
        this.database = Database.open(settings.database());
        byte[] instance = new byte[4];
        random.nextBytes(instance);
        this.leases = new dev.portcullis.store.Leases(
                database,
                clock,
                System.getenv().getOrDefault("HOSTNAME", "portcullis") + "/"
                        + ProcessHandle.current().pid() + "/"
                        + java.util.HexFormat.of().formatHex(instance));
        this.telemetry = Telemetry.start(settings.http().traces(), leases.me());
        this.blobs = BlobStore.open(settings.dataDir().resolve("blobs"), settings.blobs());
        this.events = new EventLog(database, clock);
        events.chainLegacyEvents();
        this.integrity = new EventLogIntegrity(
                database,
                events,
                clock,
                CheckpointKey.open(settings.dataDir(), random),
                settings.watch().checkpointFile(),
                settings.watch().checkpointWebhooks(),
                outbound("checkpoints"));
        this.alertDispatcher =
                new AlertDispatcher(database, events, clock, settings.watch(), settings.smtp(), outbound("alerts"));
        this.registries = registries;
        this.ecosystems =
                new Ecosystems(registries.stream().map(Registry::ecosystem).toList());
        this.catalog = new Catalog(database, ecosystems);
        this.alerts = AlertSink.both(
                new AlertOutbox(
                        database, events, clock, settings.watch(), this::projectRecipients, catalog::isDrillSandbox),
                alerts);
        alerts = this.alerts;
        blobs.onDamage(damaged -> {
            events.append(new dev.portcullis.events.Event(
                    "BlobDamaged",
                    "portcullis",
                    null,
                    damaged.sha256(),
                    dev.portcullis.core.Origin.LOCAL,
                    Map.of("severity", "high", "actual_sha256", damaged.actual())));
            this.alerts.raise(new AlertSink.Alert(
                    "BlobDamaged",
                    dev.portcullis.events.AlertLevel.HIGH,
                    null,
                    damaged.sha256(),
                    "a release file in the bucket was changed outside Portcullis",
                    "The object for " + damaged.sha256() + " in " + blobs.describe()
                            + " now holds other bytes (SHA-256 "
                            + damaged.actual() + "). It is not served; restore the object from a backup and find out"
                            + " who can write to the bucket.",
                    Map.of("actual_sha256", damaged.actual()),
                    List.of(),
                    List.of()));
        });
        SecretBox secrets = SecretBox.open(settings.dataDir(), settings.secretKey(), random);
        GuardedHttp upstreamHttp = outbound("upstream");
        this.identity = new Identity(database, events, clock, random, secrets, settings.identity(), alerts);
        this.drillIssuer = new DrillIssuer();
        this.trustedPublishing = new TrustedPublishing(
                database,
                events,
                clock,
                random,
                settings.oidc(),
                identity,
                alerts,
                drillIssuer,
                outbound("oidc"),
                catalog::isOpenDrillSandbox);
        Policies policies = new Policies(database, events, clock, identity, trustedPublishing, settings.outbound());
        ReleaseNotifier notifier = new AlertingNotifier(alerts);
        this.inspection = new InspectionService(
                database,
                catalog,
                blobs,
                new Inspector(Limits.DEFAULT, clock),
                registries.stream().map(Registry::format).toList(),
                clock);
        this.metrics = new MetricsRoute(database, List.of(catalog::metrics, events::metrics, this::gateMetrics));
        Assessor detectors =
                Assessor.combine(List.of(inspection, new Detectors(catalog, inspection::dependencies, clock)));
        Assessor counted = (release, files) -> {
            var assessment = detectors.assess(release, files);
            assessment.signals().forEach(signal -> metrics.signal(signal.detector(), signal.severity()));
            return assessment;
        };
        this.gate = new ReleaseGate(database, catalog, identity, policies, counted, notifier, events, clock);
        this.drillSigstore = new DrillSigstore(random);
        AttestationCheck attestations = new AttestationChecker(
                settings.sigstoreTrustedRoot() == null
                        ? null
                        : new ProvenanceVerifier(settings.sigstoreTrustedRoot(), clock),
                trustedPublishing,
                () -> ProvenanceVerifier.of(drillSigstore.trustedRoot(), "the drill Sigstore's root", clock),
                settings.sourceCommitsApi() == null
                        ? null
                        : new SourceCommits(outbound("source-commits"), settings.sourceCommitsApi()));
        List<UpstreamProtocol> upstreams =
                registries.stream().flatMap(r -> r.upstream(database).stream()).toList();
        this.upstreamWatcher = new UpstreamWatcher(
                database,
                catalog,
                identity,
                events,
                this.alerts,
                new Inspector(Limits.DEFAULT, clock),
                upstreams,
                upstreamHttp,
                clock,
                random,
                settings.watch().upstreamInterval());
        this.promoter = new Promoter(
                database, blobs, secrets, identity, events, this.alerts, upstreamHttp, clock, catalog, upstreams);
        this.publish = new PublishService(
                database,
                blobs,
                events,
                clock,
                settings.publish(),
                trustedPublishing,
                attestations,
                inspection,
                gate,
                ecosystems);
        this.drillSandboxes = new DrillSandboxes(
                database,
                blobs,
                identity,
                trustedPublishing,
                policies,
                inspection,
                publish.history(),
                catalog,
                events,
                this.alerts,
                drillIssuer,
                drillSigstore,
                clock,
                random);
    }

    /** One guarded outbound client per purpose, so trouble in one never reaches the others (net/GuardedHttp). */
    private GuardedHttp outbound(String purpose) {
        GuardedHttp client = new GuardedHttp(settings.outbound(), purpose, telemetry.tracing());
        outboundClients.add(client);
        return client;
    }

    /**
     * Where signed checkpoints are appended outside the database: {@code --checkpoint-file}, or by
     * default {@code DATA/checkpoints/checkpoints.jsonl}, which {@code audit verify-log} reads too.
     */
    public static java.nio.file.Path checkpointLog(Settings settings) {
        return settings.watch().checkpointFile() != null
                ? settings.watch().checkpointFile()
                : settings.dataDir().resolve("checkpoints").resolve("checkpoints.jsonl");
    }

    /** Opens storage and builds the features, without serving HTTP (CLI admin commands). */
    public static Portcullis open(Settings settings, Clock clock, SecureRandom random) {
        return open(settings, clock, random, AlertSink.logging());
    }

    /** As {@link #open(Settings, Clock, SecureRandom)}, with alerts going to {@code alerts}. */
    public static Portcullis open(Settings settings, Clock clock, SecureRandom random, AlertSink alerts) {
        return open(settings, clock, random, alerts, List.of());
    }

    /**
     * As above, with registries beside the built-in ones (tests add a fake ecosystem). PyPI's is the
     * default ecosystem, always first.
     */
    public static Portcullis open(
            Settings settings, Clock clock, SecureRandom random, AlertSink alerts, List<Registry> more) {
        List<Registry> all = new java.util.ArrayList<>(registries());
        all.addAll(more);
        return new Portcullis(settings, clock, random, alerts, List.copyOf(all));
    }

    /** The registries this build speaks, the default ecosystem first: the one place where an ecosystem is wired in. */
    public static List<Registry> registries() {
        return List.of(
                new PypiRegistry(),
                new dev.portcullis.registry.npm.NpmRegistry(),
                new dev.portcullis.registry.maven.MavenRegistry());
    }

    /**
     * For commands that read a file offline: the registry named {@code ecosystem}, or, when none is
     * named, the first whose files look like {@code filename}.
     */
    public static Registry registryFor(String filename, String ecosystem) {
        List<Registry> all = registries();
        if (ecosystem != null) {
            return all.stream()
                    .filter(r -> r.ecosystem().id().equals(ecosystem))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown ecosystem '" + ecosystem + "': use one of "
                            + String.join(
                                    ", ",
                                    all.stream().map(r -> r.ecosystem().id()).toList())));
        }
        return all.stream()
                .filter(r -> r.format().reads(filename))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("cannot tell which ecosystem '" + filename
                        + "' belongs to: name one with --ecosystem ("
                        + String.join(
                                ", ", all.stream().map(r -> r.ecosystem().id()).toList()) + ")"));
    }

    /**
     * Starts the HTTP server and the periodic work; returns the bound port. Without {@link
     * Settings#scheduledWork()}, nothing runs by itself: the periodic work (gate, alerts, upstream,
     * promotion, checkpoints, counted events, housekeeping) runs only when {@link #tick()} is called —
     * how tests make "nothing more happens" a fact instead of a wait.
     */
    public int serve() {
        blobs.removeAbandonedTemporaryFiles();
        HttpServer http = new HttpServer(
                settings.host(), settings.port(), settings.http(), database::changes, telemetry.tracing());
        ApiAuthenticator auth = new ApiAuthenticator(identity);
        dev.portcullis.identity.ProjectNames projectNames =
                name -> ecosystems.project(name).key();
        ComplianceEvidence evidence = new ComplianceEvidence(
                new ComplianceEvidence.Sources(
                        identity,
                        trustedPublishing,
                        catalog,
                        gate,
                        inspection,
                        alertDispatcher,
                        events,
                        integrity,
                        upstreamWatcher,
                        promoter),
                settings.identity(),
                settings.oidc(),
                settings.watch(),
                () -> "Portcullis at " + baseUrl(http),
                clock);
        // Each feature's adapter adds its own routes.
        // The registries: each ecosystem is one plug-in (publish/Registry).
        ProvenanceStore provenance = new ProvenanceStore(database);
        Registry.Services services = new Registry.Services(
                database,
                catalog,
                gate,
                blobs,
                identity,
                trustedPublishing,
                publish,
                provenance,
                events,
                () -> baseUrl(http),
                clock);
        http.register(registries.stream().map(r -> r.routes(services)).toList());
        http.register(List.of(
                        // Portcullis's API
                        new ReleaseRoutes(auth, catalog, gate, provenance::summaries, clock),
                        new dev.portcullis.inspect.http.InspectionRoutes(auth, catalog, inspection),
                        new PolicyRoutes(auth, gate.policies(), ecosystems),
                        new OidcRoutes(trustedPublishing),
                        new PublisherRoutes(auth, trustedPublishing, projectNames),
                        new IdentityRoutes(auth, identity, clock, projectNames),
                        new AuditRoutes(auth, new TokenAudit(identity, catalog, clock), clock, promoter::targets),
                        new ComplianceRoutes(auth, evidence),
                        new EventRoutes(auth, events),
                        new UpstreamRoutes(auth, upstreamWatcher, promoter),
                        new DrillRoutes(auth, drillSandboxes, clock),
                        metrics,
                        // The approver's web page
                        new dev.portcullis.web.WebRoutes(
                                new dev.portcullis.identity.WebSignIn(
                                        database,
                                        events,
                                        clock,
                                        random,
                                        settings.web(),
                                        outbound("web-sign-in"),
                                        identity),
                                identity,
                                random,
                                catalog,
                                gate,
                                inspection,
                                provenance::summaries,
                                clock,
                                settings.baseUrl(),
                                new dev.portcullis.web.WebRoutes.Records(
                                        events, integrity, new TokenAudit(identity, catalog, clock), alertDispatcher))))
                .get("/health", ErrorStyle.JSON, ex -> ex.json(Map.of("status", "ok")))
                .get("/livez", ErrorStyle.JSON, ex -> ex.json(Map.of("status", "ok")))
                .getPublic("/api/openapi.json", ErrorStyle.JSON, ex -> ex.json(apiDescription))
                .get("/readyz", ErrorStyle.JSON, ex -> {
                    Readiness r = readiness();
                    ex.status(r.ready() ? 200 : 503)
                            .json(Map.of("status", r.ready() ? "ready" : "not ready", "checks", r.checks()));
                });
        http.start();
        server = http;
        integrity.foreignKey().ifPresent(reason -> LOG.error("{}", reason));
        // Once now, so that the leader's duties below find it decided when their loops first run;
        // then first in the list, so that tick() renews it before them.
        try {
            lead();
        } catch (RuntimeException e) {
            LOG.error("taking the leader lease failed; the leader's duties wait for the next try", e);
        }
        every(
                "portcullis-leader",
                LEADER_LEASE.dividedBy(3),
                "renewing the leader lease failed; the leader's duties pause until it is held again",
                this::lead);
        every(
                "portcullis-housekeeping",
                Duration.ofHours(1),
                "housekeeping failed; retrying in an hour",
                leaderOnly(() -> {
                    var report = identity.housekeeping();
                    trustedPublishing.housekeeping();
                    if (!report.disabledTokens().isEmpty()
                            || !report.disabledUsers().isEmpty()
                            || !report.expiringTokens().isEmpty()) {
                        LOG.info("housekeeping: {}", report);
                    }
                }));
        // Other processes sharing the database: every change installers can see is an event, so the
        // event log's head moving means cached public responses may be out of date.
        long[] head = {events.head().seq()};
        every("portcullis-other-processes", Duration.ofMillis(200), "reading the event log's head failed", () -> {
            long now = events.head().seq();
            if (now != head[0]) {
                head[0] = now;
                database.changedElsewhere();
            }
        });
        // Auto-releases whose settle time passed, expiry of held releases.
        every(
                "portcullis-gate",
                Duration.ofSeconds(30),
                "gate tick failed; held releases stay held",
                leaderOnly(gate::tick));
        every(
                "portcullis-alerts",
                Duration.ofMillis(500),
                "alert delivery pass failed; pending alerts stay queued",
                () -> alertDispatcher.deliverDue());
        every(
                "portcullis-upstream",
                Duration.ofSeconds(1),
                "polling upstream indexes failed; watches stay due",
                () -> upstreamWatcher.pollDue());
        every(
                "portcullis-promoter",
                Duration.ofSeconds(1),
                "promoting approved releases failed; they stay queued",
                () -> promoter.promoteDue());
        every(
                "portcullis-checkpoints",
                settings.watch().checkpointInterval(),
                "signing an event-log checkpoint failed",
                leaderOnly(() -> this.integrity.checkpoint()));
        every(
                "portcullis-counted-events",
                Duration.ofSeconds(15),
                "writing counted-event summaries failed",
                () -> events.flushCounted(false));
        if (settings.watch().drillInterval() != null && settings.scheduledWork()) {
            // The first run after one interval: a server that just started is not drilled while it warms up.
            DrillSchedule schedule = new DrillSchedule(identity, () -> localUrl(http), clock);
            clocks.add(Thread.ofVirtual().name("portcullis-drills").start(() -> {
                while (sleep(settings.watch().drillInterval())) {
                    if (!leading()) {
                        continue; // the leader drills, once for all processes
                    }
                    try {
                        Scorecard card = schedule.runOnce();
                        LOG.info(
                                "scheduled drill: {}",
                                card.passed()
                                        ? "every control fired"
                                        : "controls were missed in "
                                                + card.toMap().get("failed"));
                    } catch (RuntimeException e) {
                        LOG.error("the scheduled drill could not run", e);
                    }
                }
            }));
        }
        return http.port();
    }

    /**
     * Takes or renews the leader lease. Of the processes sharing the database one holds it and does
     * the duties that must happen once (the gate's clock, housekeeping, checkpoints, scheduled
     * drills); the others take over within {@link #LEADER_LEASE} when it stops renewing. Work that
     * every process shares (alert deliveries, upstream polls, promotions) is claimed row by row.
     */
    private void lead() {
        long now = clock.millis();
        try {
            boolean held = leases.hold(LEADER, LEADER_LEASE);
            boolean was = leading();
            leaderUntil = held ? now + LEADER_LEASE.toMillis() - LEADER_LEASE.toMillis() / 3 : 0;
            if (held != was) {
                LOG.info(
                        held
                                ? "{} leads: it does the gate's clock, housekeeping and checkpoints"
                                : "{} no longer leads",
                        leases.me());
            }
        } catch (RuntimeException e) {
            leaderUntil = 0;
            throw e;
        }
    }

    /** Whether this process holds the leader lease now (with a margin before it runs out). */
    public boolean leading() {
        return clock.millis() < leaderUntil;
    }

    private Runnable leaderOnly(Runnable duty) {
        return () -> {
            if (leading()) {
                duty.run();
            }
        };
    }

    /** Runs every piece of periodic work once, now, on the calling thread (failures are logged, as on the clocks). */
    public void tick() {
        for (Periodic p : periodic) {
            p.runOnce();
        }
    }

    /**
     * One piece of periodic work and how it is doing: whether its thread lives, when a run started
     * and is still going, when it last succeeded and failed (readiness, {@code /readyz}).
     */
    private final class Periodic {
        final String name;
        final Duration period;
        final String onFailure;
        final Runnable work;
        volatile Thread thread;
        volatile Instant runningSince;
        volatile Instant lastSuccess;
        volatile Instant lastFailure;

        Periodic(String name, Duration period, String onFailure, Runnable work) {
            this.name = name;
            this.period = period;
            this.onFailure = onFailure;
            this.work = work;
        }

        void runOnce() {
            runningSince = clock.instant();
            try {
                work.run();
                lastSuccess = clock.instant();
            } catch (RuntimeException e) {
                lastFailure = clock.instant();
                LOG.error(onFailure, e);
            } finally {
                runningSince = null;
            }
        }

        /** Alive: its thread runs, and no run has gone on for ten periods (at least ten minutes). */
        Map<String, Object> state() {
            Map<String, Object> out = new java.util.LinkedHashMap<>();
            Instant since = runningSince;
            Duration stuckAfter = period.multipliedBy(10).compareTo(Duration.ofMinutes(10)) > 0
                    ? period.multipliedBy(10)
                    : Duration.ofMinutes(10);
            boolean scheduled = thread != null;
            boolean alive = !scheduled
                    || (thread.isAlive()
                            && (since == null || since.plus(stuckAfter).isAfter(clock.instant())));
            out.put("alive", alive);
            out.put("scheduled", scheduled);
            if (since != null) {
                out.put("running_since", since.toString());
            }
            if (lastSuccess != null) {
                out.put("last_success", lastSuccess.toString());
            }
            if (lastFailure != null) {
                out.put("last_failure", lastFailure.toString());
            }
            return out;
        }
    }

    /**
     * Whether this process can do its work (docs/OPERATIONS.md, {@code /readyz}): the database
     * answers and is migrated, the blob store is writable, and every background loop (alert outbox,
     * watchers, promoter, gate, checkpoints, …) is alive. A loop whose last run failed (an
     * unreachable upstream) is reported, not unready: it retries by itself.
     */
    public Readiness readiness() {
        // Anonymous callers can ask at will: the checks (a query, Flyway's view of the schema, a file
        // written and removed) run at most once a second, and every caller in between gets that answer.
        Readiness last = lastReadiness;
        Instant now = clock.instant();
        if (last != null
                && lastReadinessAt != null
                && Duration.between(lastReadinessAt, now).toMillis() < 1000) {
            return last;
        }
        synchronized (this) {
            if (lastReadiness != null
                    && lastReadinessAt != null
                    && Duration.between(lastReadinessAt, clock.instant()).toMillis() < 1000) {
                return lastReadiness;
            }
            Readiness fresh = checkReadiness();
            lastReadinessAt = clock.instant();
            lastReadiness = fresh;
            return fresh;
        }
    }

    private volatile Readiness lastReadiness;
    private volatile Instant lastReadinessAt;

    private Readiness checkReadiness() {
        Map<String, Object> checks = new java.util.LinkedHashMap<>();
        boolean ready = true;
        java.util.Optional<String> db = database.unready();
        checks.put(
                "database",
                db.<Object>map(r -> Map.of("ok", false, "reason", r)).orElse(Map.of("ok", true)));
        ready &= db.isEmpty();
        java.util.Optional<String> store = blobs.unwritable();
        checks.put(
                "blobs",
                store.<Object>map(r -> Map.of("ok", false, "reason", r)).orElse(Map.of("ok", true)));
        ready &= store.isEmpty();
        Map<String, Object> loops = new java.util.LinkedHashMap<>();
        for (Periodic p : periodic) {
            Map<String, Object> state = p.state();
            loops.put(p.name, state);
            ready &= Boolean.TRUE.equals(state.get("alive"));
        }
        checks.put("loops", loops);
        checks.put("leader", Map.of("this_process", leading(), "instance", leases.me()));
        // Said, not counted against readiness: a restore without keys starts a new key on purpose.
        checks.put(
                "checkpoint_key",
                integrity
                        .foreignKey()
                        .<Object>map(r -> Map.of("same_as_log", false, "reason", r))
                        .orElse(Map.of("same_as_log", true)));
        return new Readiness(ready, checks);
    }

    /** {@link #readiness()}'s answer. */
    public record Readiness(boolean ready, Map<String, Object> checks) {}

    private final List<Periodic> periodic = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * Registers {@code work} for {@link #tick()} and, when scheduled, runs it now and then every
     * {@code period} on a virtual thread until close; a failure is logged, never fatal.
     */
    private void every(String name, Duration period, String onFailure, Runnable work) {
        Periodic p = new Periodic(name, period, onFailure, work);
        periodic.add(p);
        if (!settings.scheduledWork()) {
            return;
        }
        p.thread = Thread.ofVirtual().name(name).unstarted(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                p.runOnce();
                try {
                    Thread.sleep(period);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        clocks.add(p.thread);
        p.thread.start();
    }

    private static boolean sleep(Duration period) {
        try {
            Thread.sleep(period);
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    /** How this process reaches its own HTTP server (scheduled drills): loopback when it listens everywhere. */
    private String localUrl(HttpServer http) {
        String host = settings.host().equals("0.0.0.0") || settings.host().equals("::") ? "127.0.0.1" : settings.host();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + http.port();
    }

    private String baseUrl(HttpServer http) {
        return settings.baseUrl() != null ? settings.baseUrl() : "http://" + settings.host() + ":" + http.port();
    }

    public Settings settings() {
        return settings;
    }

    public Identity identity() {
        return identity;
    }

    public TrustedPublishing trustedPublishing() {
        return trustedPublishing;
    }

    /** The key of a project as a command names it ({@code name}, or {@code ecosystem:name}). */
    public String projectKey(String reference) {
        return ecosystems.project(reference).key();
    }

    public Catalog catalog() {
        return catalog;
    }

    public BlobStore blobs() {
        return blobs;
    }

    public InspectionService inspection() {
        return inspection;
    }

    public PublishService publish() {
        return publish;
    }

    public ReleaseGate gate() {
        return gate;
    }

    public EventLog events() {
        return events;
    }

    /** The routes the running server answers (empty before {@link #serve()}). */
    public List<HttpServer.Route> routes() {
        return server == null ? List.of() : server.routes();
    }

    public Database database() {
        return database;
    }

    public EventLogIntegrity integrity() {
        return integrity;
    }

    /** The gate's metrics, read when scraped (the metrics route is built before the gate). */
    private List<dev.portcullis.core.Metric> gateMetrics() {
        return gate.metrics();
    }

    /** A project's policy recipients ({@code notify}): they receive alerts about it (docs/WATCH.md). */
    private AlertSink.Recipients projectRecipients(String project) {
        var notify = gate.policies().active(project).notifications();
        return new AlertSink.Recipients(notify.email(), notify.webhooks());
    }

    /** Where alerts go: the outbox (and the sink given at open). */
    public AlertSink alerts() {
        return alerts;
    }

    public UpstreamWatcher upstreamWatcher() {
        return upstreamWatcher;
    }

    public Promoter promoter() {
        return promoter;
    }

    public AlertDispatcher alertDispatcher() {
        return alertDispatcher;
    }

    /** Stops serving gracefully, then closes storage. */
    @Override
    public void close() {
        clocks.forEach(Thread::interrupt);
        for (Thread clock : clocks) {
            try {
                clock.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        clocks.clear();
        if (server != null) {
            server.close();
            server = null;
        }
        try {
            events.flushCounted(true);
        } catch (RuntimeException e) {
            LOG.warn("writing counted-event summaries at shutdown failed: {}", e.toString());
        }
        if (leading()) {
            try {
                leases.release(LEADER); // another process takes over at once, not when the lease runs out
            } catch (RuntimeException e) {
                LOG.warn("handing back the leader lease failed; it runs out by itself: {}", e.toString());
            }
            leaderUntil = 0;
        }
        outboundClients.forEach(GuardedHttp::close);
        telemetry.close();
        blobs.close();
        database.close();
    }
}
