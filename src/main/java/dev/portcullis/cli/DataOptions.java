package dev.portcullis.cli;

import dev.portcullis.app.Settings;
import dev.portcullis.store.BlobSettings;
import dev.portcullis.store.DatabaseSettings;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the data lives: shared by {@code serve} and the local administration commands. */
final class DataOptions {

    @Option(
            names = "--data",
            paramLabel = "DIR",
            description = "Data directory (embedded database and blobs). Default: ${DEFAULT-VALUE}.",
            defaultValue = "${env:PORTCULLIS_DATA:-portcullis-data}")
    Path data;

    @Option(
            names = "--database",
            paramLabel = "URL",
            description = "Metadata database: postgresql://user:password@host:port/db, or omit for the embedded"
                    + " SQLite file in the data directory. Also read from PORTCULLIS_DATABASE.",
            defaultValue = "${env:PORTCULLIS_DATABASE}")
    String database;

    @Option(
            names = "--blob-store",
            defaultValue = "${env:PORTCULLIS_BLOB_STORE}",
            paramLabel = "s3://BUCKET[/PREFIX]",
            description = "Keep release files in an S3-compatible bucket (the data directory then caches them);"
                    + " omit to keep them in the data directory. Several instances share one bucket.")
    String blobStore;

    @Option(
            names = "--s3-endpoint",
            defaultValue = "${env:PORTCULLIS_S3_ENDPOINT}",
            paramLabel = "URL",
            description = "The S3-compatible service (MinIO, Ceph, …); omit for AWS S3 itself.")
    java.net.URI s3Endpoint;

    @Option(
            names = "--s3-region",
            paramLabel = "REGION",
            defaultValue = "${env:PORTCULLIS_S3_REGION:-us-east-1}",
            description = "The bucket's region. Default: ${DEFAULT-VALUE}.")
    String s3Region;

    @Option(
            names = "--s3-path-style",
            defaultValue = "${env:PORTCULLIS_S3_PATH_STYLE:-false}",
            description = "Name the bucket in the path, not the host name (most S3-compatible services need it).")
    boolean s3PathStyle;

    @Option(
            names = "--s3-access-key-id",
            defaultValue = "${env:PORTCULLIS_S3_ACCESS_KEY_ID}",
            paramLabel = "ID",
            description =
                    "The access key's id, with --s3-secret-access-key-file; omit both for the AWS default"
                            + " credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile, the instance or pod role).")
    String s3AccessKeyId;

    @Option(
            names = "--s3-secret-access-key-file",
            defaultValue = "${env:PORTCULLIS_S3_SECRET_ACCESS_KEY_FILE}",
            paramLabel = "FILE",
            description = "A file whose first line is the access key's secret.")
    Path s3SecretAccessKeyFile;

    @Option(
            names = "--blob-cache-size",
            paramLabel = "SIZE",
            defaultValue = "${env:PORTCULLIS_BLOB_CACHE_SIZE:-10G}",
            description =
                    "With --blob-store: how much of the bucket this instance keeps on its disk. Default: ${DEFAULT-VALUE}.")
    String blobCacheSize;

    /**
     * As {@link #settings}, for commands that work on an existing installation: a data directory
     * that does not exist is a mistyped path, said in a sentence, not a fresh empty one.
     */
    Settings existingSettings() {
        if (!java.nio.file.Files.isDirectory(data)) {
            throw new IllegalArgumentException("there is no Portcullis data directory at " + data.toAbsolutePath()
                    + ": pass --data DIR (or set PORTCULLIS_DATA), or create one with `portcullis admin init`");
        }
        return settings();
    }

    Settings settings() {
        // The sealing key comes only from the environment (never a command-line argument, which other
        // users of the machine can see); without it, the key file in the data directory is used.
        return Settings.defaults(data)
                .withDatabase(DatabaseSettings.parse(database, data))
                .withBlobs(blobs())
                .withSecretKey(System.getenv("PORTCULLIS_SECRET_KEY"));
    }

    private BlobSettings blobs() {
        if (blobStore == null || blobStore.isBlank()) {
            return BlobSettings.LOCAL;
        }
        return bucket(blobStore, Durations.parseSize(blobCacheSize));
    }

    /** A secret from the first line of its file (secrets never come from a flag or the configuration file). */
    static String secretFile(Path file) {
        try {
            return java.nio.file.Files.readAllLines(file).stream()
                    .findFirst()
                    .map(String::strip)
                    .orElse("");
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot read the secret file " + file + " (" + e.getMessage() + ")");
        }
    }

    /** Whether an --s3-… connection option was given (serve refuses them without --blob-store). */
    boolean s3OptionsGiven() {
        return s3Endpoint != null || s3AccessKeyId != null || s3SecretAccessKeyFile != null;
    }

    /** {@code s3://BUCKET[/PREFIX]} with this command's connection options (backups into a bucket, the blob store). */
    BlobSettings.S3 bucket(String url, long cacheBytes) {
        String secret = s3SecretAccessKeyFile == null ? null : secretFile(s3SecretAccessKeyFile);
        return BlobSettings.S3.parse(url, s3Endpoint, s3Region, s3PathStyle, s3AccessKeyId, secret, cacheBytes);
    }
}
