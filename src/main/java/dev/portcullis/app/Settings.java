package dev.portcullis.app;

import dev.portcullis.http.HttpSettings;
import dev.portcullis.identity.IdentitySettings;
import dev.portcullis.identity.OidcSettings;
import dev.portcullis.net.OutboundPolicy;
import dev.portcullis.publish.PublishSettings;
import dev.portcullis.store.BlobSettings;
import dev.portcullis.store.DatabaseSettings;
import dev.portcullis.watch.WatchSettings;
import dev.portcullis.watch.alert.Smtp;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Everything Portcullis is configured with (docs/CONFIGURATION.md lists each key). {@code baseUrl}
 * is the public URL clients reach the server at, used for absolute links in the JSON API; {@code
 * null} means {@code http://host:port}. {@code secretKey} (never printed) seals stored secrets; {@code
 * null} means the key file in the data directory.
 */
public record Settings(
        Path dataDir,
        DatabaseSettings database,
        BlobSettings blobs,
        String host,
        int port,
        String baseUrl,
        PublishSettings publish,
        IdentitySettings identity,
        OidcSettings oidc,
        dev.portcullis.identity.WebSignInSettings web,
        Smtp smtp,
        Path sigstoreTrustedRoot,
        java.net.URI sourceCommitsApi,
        String secretKey,
        WatchSettings watch,
        HttpSettings http,
        OutboundPolicy outbound,
        boolean scheduledWork) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;

    public Settings {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(blobs, "blobs");
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0-65535");
        }
        Objects.requireNonNull(publish, "publish");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(oidc, "oidc");
        Objects.requireNonNull(web, "web");
        Objects.requireNonNull(watch, "watch");
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(outbound, "outbound");
        if (baseUrl != null && baseUrl.endsWith("/")) {
            baseUrl = baseUrl.substring(0, baseUrl.length() - 1);
        }
    }

    /** Defaults for a data directory: embedded SQLite and file store inside it. */
    public static Settings defaults(Path dataDir) {
        return new Settings(
                dataDir,
                DatabaseSettings.parse(null, dataDir),
                BlobSettings.LOCAL,
                DEFAULT_HOST,
                DEFAULT_PORT,
                null,
                new PublishSettings(PublishSettings.DEFAULT_MAX_FILE_BYTES),
                IdentitySettings.DEFAULTS,
                OidcSettings.DEFAULTS,
                dev.portcullis.identity.WebSignInSettings.DEFAULTS,
                null,
                null,
                null,
                null,
                WatchSettings.DEFAULTS,
                HttpSettings.DEFAULTS,
                OutboundPolicy.STRICT,
                true);
    }

    public Settings withDatabase(DatabaseSettings database) {
        return new Settings(
                dataDir,
                database,
                blobs,
                host,
                port,
                baseUrl,
                publish,
                identity,
                oidc,
                web,
                smtp,
                sigstoreTrustedRoot,
                sourceCommitsApi,
                secretKey,
                watch,
                http,
                outbound,
                scheduledWork);
    }

    /** Where release files are kept (files in the data directory by default). */
    public Settings withBlobs(BlobSettings blobs) {
        return new Settings(
                dataDir,
                database,
                blobs,
                host,
                port,
                baseUrl,
                publish,
                identity,
                oidc,
                web,
                smtp,
                sigstoreTrustedRoot,
                sourceCommitsApi,
                secretKey,
                watch,
                http,
                outbound,
                scheduledWork);
    }

    public Settings withListener(String host, int port) {
        return new Settings(
                dataDir,
                database,
                blobs,
                host,
                port,
                baseUrl,
                publish,
                identity,
                oidc,
                web,
                smtp,
                sigstoreTrustedRoot,
                sourceCommitsApi,
                secretKey,
                watch,
                http,
                outbound,
                scheduledWork);
    }

    public Settings withBaseUrl(String baseUrl) {
        return new Settings(
                dataDir,
                database,
                blobs,
                host,
                port,
                baseUrl,
                publish,
                identity,
                oidc,
                web,
                smtp,
                sigstoreTrustedRoot,
                sourceCommitsApi,
                secretKey,
                watch,
                http,
                outbound,
                scheduledWork);
    }

    /** The Sigstore trusted root (trusted_root.json) attestations are verified against; null: none. */
    public Settings withSigstoreTrustedRoot(Path trustedRoot) {
        return new Settings(
                dataDir,
                database,
                blobs,
                host,
                port,
                baseUrl,
                publish,
                identity,
                oidc,
                web,
                smtp,
                trustedRoot,
                sourceCommitsApi,
                secretKey,
                watch,
                http,
                outbound,
                scheduledWork);
    }

    /** The forge API asked whether a provenance's commit is on its ref (docs/PROVENANCE.md); null: not asked. */
    public Settings withSourceCommitsApi(java.net.URI api) {
        return new Settings(
                dataDir,
                database,
                blobs,
                host,
                port,
                baseUrl,
                publish,
                identity,
                oidc,
                web,
                smtp,
                sigstoreTrustedRoot,
                api,
                secretKey,
                watch,
                http,
                outbound,
                scheduledWork);
    }

    /** Where e-mail notifications go out; {@code null} means none. */
    public Settings withSmtp(Smtp smtp) {
        return new Settings(
                dataDir,
                database,
                blobs,
                host,
                port,
                baseUrl,
                publish,
                identity,
                oidc,
                web,
                smtp,
                sigstoreTrustedRoot,
                sourceCommitsApi,
                secretKey,
                watch,
                http,
                outbound,
                scheduledWork);
    }

    public Settings withWeb(dev.portcullis.identity.WebSignInSettings web) {
        return new Settings(
                dataDir,
                database,
                blobs,
                host,
                port,
                baseUrl,
                publish,
                identity,
                oidc,
                web,
                smtp,
                sigstoreTrustedRoot,
                sourceCommitsApi,
                secretKey,
                watch,
                http,
                outbound,
                scheduledWork);
    }

    public Settings withOidc(OidcSettings oidc) {
        return new Settings(
                dataDir,
                database,
                blobs,
                host,
                port,
                baseUrl,
                publish,
                identity,
                oidc,
                web,
                smtp,
                sigstoreTrustedRoot,
                sourceCommitsApi,
                secretKey,
                watch,
                http,
                outbound,
                scheduledWork);
    }

    public Settings withIdentity(IdentitySettings identity) {
        return new Settings(
                dataDir,
                database,
                blobs,
                host,
                port,
                baseUrl,
                publish,
                identity,
                oidc,
                web,
                smtp,
                sigstoreTrustedRoot,
                sourceCommitsApi,
                secretKey,
                watch,
                http,
                outbound,
                scheduledWork);
    }

    /** The key that seals stored secrets (base64 AES-256), or null for {@code keys/secret.key}. */
    public Settings withSecretKey(String secretKey) {
        return new Settings(
                dataDir,
                database,
                blobs,
                host,
                port,
                baseUrl,
                publish,
                identity,
                oidc,
                web,
                smtp,
                sigstoreTrustedRoot,
                sourceCommitsApi,
                secretKey,
                watch,
                http,
                outbound,
                scheduledWork);
    }

    @Override
    public String toString() {
        return "Settings[data=" + dataDir + ", database=" + database.describe() + ", listen=" + host + ":" + port
                + ", baseUrl=" + baseUrl + ", " + publish + ", " + identity + ", " + oidc + ", " + smtp
                + ", trustedRoot=" + sigstoreTrustedRoot + ", sourceCommitsApi=" + sourceCommitsApi + ", secretKey="
                + (secretKey == null ? "file" : "***") + ", "
                + watch + ", " + http + ", " + outbound + "]";
    }

    /** Monitoring: event-log checkpoints and alert sinks (docs/WATCH.md). */
    public Settings withWatch(WatchSettings watch) {
        return new Settings(
                dataDir,
                database,
                blobs,
                host,
                port,
                baseUrl,
                publish,
                identity,
                oidc,
                web,
                smtp,
                sigstoreTrustedRoot,
                sourceCommitsApi,
                secretKey,
                watch,
                http,
                outbound,
                scheduledWork);
    }

    /** Listener limits: timeouts, connection caps, trusted proxies (docs/CONFIGURATION.md). */
    public Settings withHttp(HttpSettings http) {
        return new Settings(
                dataDir,
                database,
                blobs,
                host,
                port,
                baseUrl,
                publish,
                identity,
                oidc,
                web,
                smtp,
                sigstoreTrustedRoot,
                sourceCommitsApi,
                secretKey,
                watch,
                http,
                outbound,
                scheduledWork);
    }

    /** What the server may connect to (docs/SECURITY.md). */
    /**
     * Whether the server's periodic work (gate clock, alert delivery, upstream polls, promotion,
     * checkpoints, housekeeping) runs on its own clocks; when false it runs only on {@link
     * Portcullis#tick()} (tests that must know nothing more happens).
     */
    public Settings withScheduledWork(boolean scheduledWork) {
        return new Settings(
                dataDir,
                database,
                blobs,
                host,
                port,
                baseUrl,
                publish,
                identity,
                oidc,
                web,
                smtp,
                sigstoreTrustedRoot,
                sourceCommitsApi,
                secretKey,
                watch,
                http,
                outbound,
                scheduledWork);
    }

    public Settings withOutbound(OutboundPolicy outbound) {
        return new Settings(
                dataDir,
                database,
                blobs,
                host,
                port,
                baseUrl,
                publish,
                identity,
                oidc,
                web,
                smtp,
                sigstoreTrustedRoot,
                sourceCommitsApi,
                secretKey,
                watch,
                http,
                outbound,
                scheduledWork);
    }

    public Settings withPublish(PublishSettings publish) {
        return new Settings(
                dataDir,
                database,
                blobs,
                host,
                port,
                baseUrl,
                publish,
                identity,
                oidc,
                web,
                smtp,
                sigstoreTrustedRoot,
                sourceCommitsApi,
                secretKey,
                watch,
                http,
                outbound,
                scheduledWork);
    }
}
