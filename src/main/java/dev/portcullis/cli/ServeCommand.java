package dev.portcullis.cli;

import dev.portcullis.app.Portcullis;
import dev.portcullis.app.Settings;
import dev.portcullis.http.HttpSettings;
import dev.portcullis.identity.OidcSettings;
import dev.portcullis.net.AddressBlock;
import dev.portcullis.net.OutboundPolicy;
import dev.portcullis.publish.PublishSettings;
import dev.portcullis.watch.WatchSettings;
import dev.portcullis.watch.alert.Smtp;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "serve", description = "Run the Portcullis server.")
final class ServeCommand implements Callable<Integer> {

    @Mixin
    DataOptions data;

    /** The environment the PORTCULLIS_ variables are read from (tests give their own). */
    java.util.Map<String, String> environment = System.getenv();

    /** The configuration file's keys {@link #settings} took (for {@code config check}). */
    java.util.List<String> configKeysUsed = java.util.List.of();

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "Configuration file (portcullis.yaml; docs/CONFIGURATION.md). Also PORTCULLIS_CONFIG."
                    + " The command line wins over the environment, the environment over the file.",
            defaultValue = "${env:PORTCULLIS_CONFIG}")
    java.nio.file.Path config;

    @Option(
            names = "--database-password-file",
            paramLabel = "FILE",
            description = "File holding the PostgreSQL password (instead of putting it in the --database URL).")
    java.nio.file.Path databasePasswordFile;

    @Option(
            names = "--smtp-password-file",
            paramLabel = "FILE",
            description = "File holding the SMTP password (else PORTCULLIS_SMTP_PASSWORD).")
    java.nio.file.Path smtpPasswordFile;

    @Option(
            names = "--web-oidc-client-secret-file",
            paramLabel = "FILE",
            description = "File holding the page's OIDC client secret (else PORTCULLIS_WEB_OIDC_CLIENT_SECRET).")
    java.nio.file.Path webOidcClientSecretFile;

    @Option(
            names = "--webhook-secrets-file",
            paramLabel = "FILE",
            description = "File holding the alert webhooks' whsec_ secrets, space-separated (else"
                    + " PORTCULLIS_WEBHOOK_SECRETS).")
    java.nio.file.Path webhookSecretsFile;

    @Option(
            names = "--host",
            description = "Address to listen on. Default: ${DEFAULT-VALUE}.",
            defaultValue = Settings.DEFAULT_HOST)
    String host;

    @Option(
            names = "--port",
            description = "Port (0 picks a free one). Default: ${DEFAULT-VALUE}.",
            defaultValue = "8080")
    int port;

    @Option(
            names = "--base-url",
            paramLabel = "URL",
            description = "Public URL of this server, for absolute links (default http://HOST:PORT).")
    String baseUrl;

    @Option(
            names = "--max-file-size",
            paramLabel = "SIZE",
            description = "Largest accepted distribution file. Default: ${DEFAULT-VALUE}.",
            defaultValue = "1G")
    String maxFileSize;

    @Option(
            names = "--oidc-audience",
            paramLabel = "AUD",
            description = "Audience CI OIDC tokens must carry. Default: ${DEFAULT-VALUE}.",
            defaultValue = "portcullis")
    String oidcAudience;

    @Option(
            names = "--github-oidc-issuer",
            paramLabel = "URL",
            description = "Issuer of GitHub Actions OIDC tokens (GitHub Enterprise Server). Default: ${DEFAULT-VALUE}.",
            defaultValue = "https://token.actions.githubusercontent.com")
    String githubIssuer;

    @Option(
            names = "--publish-token-lifetime",
            paramLabel = "DURATION",
            description = "Lifetime of minted publish tokens, at most 60m. Default: ${DEFAULT-VALUE}.",
            defaultValue = "15m")
    String publishTokenLifetime;

    @Option(names = "--no-trusted-publishing", description = "Disable the OIDC token exchange.")
    boolean noTrustedPublishing;

    @Option(
            names = "--sigstore-trusted-root",
            paramLabel = "FILE",
            description =
                    "Sigstore trusted root (trusted_root.json) to verify uploaded PEP 740 attestations against, offline.")
    java.nio.file.Path sigstoreTrustedRoot;

    @Option(
            names = "--check-source-commits",
            paramLabel = "URL",
            description = "Ask this GitHub REST API (https://api.github.com, or a GitHub Enterprise Server's"
                    + " https://HOST/api/v3) whether each attested commit is on the ref its provenance names; an"
                    + " answer other than yes holds the release. Off by default.")
    java.net.URI sourceCommitsApi;

    @Option(
            names = "--web-oidc-issuer",
            paramLabel = "URL",
            description = "The organisation's OpenID Connect provider for the approver page's sign-in (Keycloak:"
                    + " https://HOST/realms/REALM). The client secret comes from PORTCULLIS_WEB_OIDC_CLIENT_SECRET.")
    java.net.URI webOidcIssuer;

    @Option(
            names = "--web-oidc-client-id",
            paramLabel = "ID",
            description = "The page's client id at the provider. Default: ${DEFAULT-VALUE}.",
            defaultValue = "portcullis")
    String webOidcClientId;

    @Option(
            names = "--web-oidc-username-claim",
            paramLabel = "CLAIM",
            description = "ID token claim that is the Portcullis user name. Default: ${DEFAULT-VALUE}.",
            defaultValue = "preferred_username")
    String webOidcUsernameClaim;

    @Option(
            names = "--web-oidc-groups-claim",
            paramLabel = "CLAIM",
            description = "ID token claim listing the user's groups. Default: ${DEFAULT-VALUE}.",
            defaultValue = "groups")
    String webOidcGroupsClaim;

    @Option(
            names = "--web-oidc-group-role",
            paramLabel = "GROUP=ROLE[@PROJECT]",
            description = "Members of GROUP get ROLE (approver, auditor, …) on PROJECT, or on every project, while"
                    + " signed in through the provider (repeatable).")
    java.util.List<String> webOidcGroupRoles = new java.util.ArrayList<>();

    @Option(
            names = "--web-session-idle",
            paramLabel = "DURATION",
            description = "A page session unused this long ends. Default: ${DEFAULT-VALUE}.",
            defaultValue = "30m")
    String webSessionIdle;

    @Option(
            names = "--web-session-max",
            paramLabel = "DURATION",
            description = "A page session ends this long after sign-in (at most 7 days). Default: ${DEFAULT-VALUE}.",
            defaultValue = "12h")
    String webSessionMax;

    @Option(
            names = "--smtp-host",
            paramLabel = "HOST",
            description = "SMTP server for e-mail notifications (none by default).")
    String smtpHost;

    @Option(
            names = "--smtp-port",
            paramLabel = "PORT",
            defaultValue = "25",
            description = "SMTP port. Default: ${DEFAULT-VALUE}.")
    int smtpPort;

    @Option(
            names = "--smtp-from",
            paramLabel = "ADDRESS",
            defaultValue = "portcullis@localhost",
            description = "Sender address. Default: ${DEFAULT-VALUE}.")
    String smtpFrom;

    @Option(
            names = "--smtp-user",
            paramLabel = "USER",
            description = "SMTP user; the password comes from PORTCULLIS_SMTP_PASSWORD.")
    String smtpUser;

    @Option(
            names = "--checkpoint-file",
            paramLabel = "FILE",
            description =
                    "Also append every signed event-log checkpoint to this file (put it where the server cannot rewrite it: an append-only mount, a log shipper).")
    java.nio.file.Path checkpointFile;

    @Option(
            names = "--checkpoint-interval",
            paramLabel = "DURATION",
            defaultValue = "5m",
            description = "How often to sign a checkpoint when there are new events. Default: ${DEFAULT-VALUE}.")
    String checkpointInterval;

    @Option(
            names = "--checkpoint-webhook",
            paramLabel = "URL",
            description = "Also POST every checkpoint (JSON) to this URL (repeatable).")
    java.util.List<String> checkpointWebhooks = new java.util.ArrayList<>();

    @Option(
            names = "--upstream-interval",
            paramLabel = "DURATION",
            defaultValue = "5m",
            description =
                    "How often each watched upstream project is polled (./portcullis watch add). Default: ${DEFAULT-VALUE}.")
    String upstreamInterval;

    @Option(
            names = "--drill-interval",
            paramLabel = "DURATION",
            description =
                    "Run every detection drill against this server this often (e.g. 24h; docs/DRILLS.md). Default: never.")
    String drillInterval;

    @Option(
            names = "--alert-webhook",
            paramLabel = "URL",
            description =
                    "Send alerts to this Standard Webhooks receiver (repeatable); signing secrets come from PORTCULLIS_WEBHOOK_SECRETS (space-separated whsec_… values, several while rotating).")
    java.util.List<String> alertWebhooks = new java.util.ArrayList<>();

    @Option(
            names = "--alert-email",
            paramLabel = "ADDRESS",
            description = "Mail alerts to this address (repeatable; needs --smtp-host).")
    java.util.List<String> alertEmails = new java.util.ArrayList<>();

    @Option(
            names = "--alert-syslog",
            paramLabel = "HOST:PORT",
            description = "Send alerts as CEF lines in syslog datagrams (UDP) here.")
    String alertSyslog;

    @Option(
            names = "--alert-min-severity",
            paramLabel = "LEVEL",
            defaultValue = "medium",
            description =
                    "Send alerts at or above this level (low, medium, high, critical); Slack-compatible URLs come from PORTCULLIS_ALERT_SLACK_URLS. Default: ${DEFAULT-VALUE}.")
    String alertMinSeverity;

    @Option(
            names = "--header-timeout",
            paramLabel = "DURATION",
            defaultValue = "30s",
            description = "A request's line and headers must arrive within this time. Default: ${DEFAULT-VALUE}.")
    String headerTimeout;

    @Option(
            names = "--idle-timeout",
            paramLabel = "DURATION",
            defaultValue = "30s",
            description = "Close a kept-alive connection with no request for this long. Default: ${DEFAULT-VALUE}.")
    String idleTimeout;

    @Option(
            names = "--body-read-timeout",
            paramLabel = "DURATION",
            defaultValue = "30s",
            description =
                    "Cut off a request body (an upload) that sends nothing for this long. Default: ${DEFAULT-VALUE}.")
    String bodyReadTimeout;

    @Option(
            names = "--max-connections",
            paramLabel = "N",
            defaultValue = "2000",
            description = "Connections accepted at once; more wait in the backlog. Default: ${DEFAULT-VALUE}.")
    int maxConnections;

    @Option(
            names = "--max-connections-per-address",
            paramLabel = "N",
            defaultValue = "100",
            description =
                    "Connections at once from one client address (trusted proxies exempt). Default: ${DEFAULT-VALUE}.")
    int maxConnectionsPerAddress;

    @Option(
            names = "--access-log",
            paramLabel = "FORMAT",
            defaultValue = "text",
            description = "One line per request (method, path without query, status, bytes, ms, client, agent): text,"
                    + " json or off. Default: ${DEFAULT-VALUE}.")
    String accessLog;

    @Option(
            names = "--otlp-endpoint",
            paramLabel = "URL",
            description = "Send spans (one per request, one per outbound call) to this OpenTelemetry collector's"
                    + " OTLP/HTTP base URL, e.g. http://collector:4318 (POSTed to /v1/traces). Default: no tracing.")
    java.net.URI otlpEndpoint;

    @Option(
            names = "--trace-sample-ratio",
            paramLabel = "R",
            defaultValue = "1.0",
            description = "The share of requests traced (0 to 1) when no trusted proxy decided for them."
                    + " Default: ${DEFAULT-VALUE}.")
    double traceSampleRatio;

    @Option(
            names = "--trusted-proxy",
            paramLabel = "ADDRESS|BLOCK",
            description =
                    "A reverse proxy whose Forwarded / X-Forwarded-For header names the client (repeatable; e.g. 10.0.0.5 or 10.0.0.0/24).")
    java.util.List<String> trustedProxies = new java.util.ArrayList<>();

    @Option(
            names = "--outbound-allow",
            paramLabel = "HOST|HOST:PORT|BLOCK",
            description =
                    "Let the server connect to this host over plain http and at a private address (repeatable; also PORTCULLIS_OUTBOUND_ALLOW)."
                            + " By default it fetches only https URLs of public addresses.")
    java.util.List<String> outboundAllow = new java.util.ArrayList<>();

    @Spec
    CommandSpec spec;

    private HttpSettings http() {
        return HttpSettings.DEFAULTS
                .withTimeouts(
                        Durations.parse(headerTimeout), Durations.parse(idleTimeout), Durations.parse(bodyReadTimeout))
                .withConnections(maxConnections, maxConnectionsPerAddress)
                .withTrustedProxies(
                        trustedProxies.stream().map(AddressBlock::parse).toList())
                .withAccessLog(dev.portcullis.http.AccessLog.Format.parse(accessLog))
                .withTraces(new HttpSettings.Traces(otlpEndpoint, traceSampleRatio));
    }

    private dev.portcullis.identity.WebSignInSettings web() {
        dev.portcullis.identity.WebSignInSettings.Provider provider = null;
        if (webOidcIssuer != null) {
            java.util.Map<String, java.util.List<dev.portcullis.identity.RoleGrant>> roles =
                    new java.util.LinkedHashMap<>();
            for (String mapping : webOidcGroupRoles) {
                var entry = dev.portcullis.identity.WebSignInSettings.Provider.parseGroupRole(mapping);
                roles.computeIfAbsent(entry.getKey(), k -> new java.util.ArrayList<>())
                        .add(entry.getValue());
            }
            provider = new dev.portcullis.identity.WebSignInSettings.Provider(
                    webOidcIssuer,
                    webOidcClientId,
                    secret(webOidcClientSecretFile, "PORTCULLIS_WEB_OIDC_CLIENT_SECRET"),
                    webOidcUsernameClaim,
                    webOidcGroupsClaim,
                    roles);
        }
        return new dev.portcullis.identity.WebSignInSettings(
                Durations.parse(webSessionIdle), Durations.parse(webSessionMax), provider);
    }

    private OutboundPolicy outbound() {
        // PORTCULLIS_OUTBOUND_ALLOW (space- or comma-separated) comes in through ConfigFile, like every option.
        return new OutboundPolicy(outboundAllow);
    }

    /** A secret from its file (first line), else from the environment variable; never from a flag or the config file. */
    private static String secret(java.nio.file.Path file, String variable) {
        if (file == null) {
            return System.getenv(variable);
        }
        return DataOptions.secretFile(file);
    }

    private WatchSettings watch() {
        String secrets = secret(webhookSecretsFile, "PORTCULLIS_WEBHOOK_SECRETS");
        java.util.List<String> secretList = secrets == null || secrets.isBlank()
                ? java.util.List.of()
                : java.util.List.of(secrets.trim().split("\\s+"));
        String slack = System.getenv("PORTCULLIS_ALERT_SLACK_URLS");
        return new WatchSettings(
                checkpointFile,
                Durations.parse(checkpointInterval),
                checkpointWebhooks,
                alertWebhooks.stream()
                        .map(url -> new WatchSettings.Webhook(url, secretList))
                        .toList(),
                slack == null || slack.isBlank()
                        ? java.util.List.of()
                        : java.util.List.of(slack.trim().split("\\s+")),
                alertEmails,
                alertSyslog,
                alertMinSeverity,
                Durations.parse(upstreamInterval),
                drillInterval == null ? null : Durations.parse(drillInterval));
    }

    /**
     * The settings this command would serve with: the command line, then the environment, then the
     * configuration file, then the defaults (ConfigFile). Checks every value; starts nothing.
     */
    Settings settings() throws java.io.IOException {
        configKeysUsed = ConfigFile.apply(spec.commandLine(), config, environment);
        Settings base = data.settings();
        if (base.blobs() instanceof dev.portcullis.store.BlobSettings.Local && data.s3OptionsGiven()) {
            throw new IllegalArgumentException("the --s3-… options need --blob-store s3://BUCKET[/PREFIX]");
        }
        if (databasePasswordFile != null) {
            dev.portcullis.store.DatabaseSettings db = base.database();
            base = base.withDatabase(new dev.portcullis.store.DatabaseSettings(
                    db.dialect(), db.jdbcUrl(), db.user(), secret(databasePasswordFile, "PGPASSWORD")));
        }
        return base.withListener(host, port)
                .withBaseUrl(baseUrl)
                .withPublish(new PublishSettings(Durations.parseSize(maxFileSize)))
                .withSigstoreTrustedRoot(sigstoreTrustedRoot)
                .withSourceCommitsApi(sourceCommitsApi)
                .withWatch(watch())
                .withSmtp(
                        smtpHost == null
                                ? null
                                : new Smtp(
                                        smtpHost,
                                        smtpPort,
                                        smtpFrom,
                                        smtpUser,
                                        secret(smtpPasswordFile, "PORTCULLIS_SMTP_PASSWORD")))
                .withHttp(http())
                .withWeb(web())
                .withOutbound(outbound())
                .withOidc(new OidcSettings(
                        !noTrustedPublishing,
                        oidcAudience,
                        githubIssuer,
                        OidcSettings.DEFAULTS.gitlabIssuer(),
                        OidcSettings.DEFAULTS.googleIssuer(),
                        Durations.parse(publishTokenLifetime)));
    }

    @Override
    public Integer call() throws Exception {
        Settings settings = settings();
        Portcullis portcullis = Portcullis.open(settings, Clock.systemUTC(), new SecureRandom());
        int bound = portcullis.serve();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            portcullis.close();
                            stopped.countDown();
                        },
                        "portcullis-shutdown"));
        String url = "http://" + host + ":" + bound;
        PrintWriter out = spec.commandLine().getOut();
        out.println("Portcullis listening on " + url);
        out.println("  data:     " + settings.dataDir().toAbsolutePath());
        out.println("  database: " + settings.database().describe());
        if (!portcullis.identity().hasUsers()) {
            out.println("Next: create the first admin and its token:  ./portcullis admin init --data "
                    + settings.dataDir());
        }
        out.println("Upload:  twine upload --repository-url " + url + "/legacy/ -u __token__ -p <token> dist/*");
        out.println("Install: pip install --index-url " + url + "/simple/ <project>   (approved releases only)");
        out.println("npm:     npm publish / npm install --registry " + url + "/npm/");
        out.println("Approve: " + url + "/ui/   (sign in with a read or approve token"
                + (webOidcIssuer == null ? ")" : " or through " + webOidcIssuer + ")"));
        out.flush();
        stopped.await();
        return 0;
    }
}
