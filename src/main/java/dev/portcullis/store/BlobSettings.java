package dev.portcullis.store;

import java.net.URI;
import java.util.Objects;

/**
 * Where release files are kept: in the data directory ({@link Local}), or in an S3-compatible
 * bucket with the data directory as a bounded cache of it ({@link S3}) — the choice for several
 * instances, which then share one bucket and one PostgreSQL database (docs/OPERATIONS.md).
 */
public sealed interface BlobSettings {

    BlobSettings LOCAL = new Local();

    /** Files under {@code <data>/blobs}. */
    record Local() implements BlobSettings {}

    /**
     * Objects {@code <prefix>sha256/<ab>/<hex>} in {@code bucket}.
     *
     * @param endpoint null for AWS itself; an S3-compatible service's URL otherwise (MinIO, Ceph, …)
     * @param pathStyle bucket in the path rather than the host name (most S3-compatible services)
     * @param accessKeyId with {@code secretAccessKey}; both null to use the SDK's default chain
     *     (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile, the instance or pod role)
     * @param cacheBytes how much of the bucket this instance keeps on its own disk
     */
    record S3(
            URI endpoint,
            String region,
            String bucket,
            String prefix,
            boolean pathStyle,
            String accessKeyId,
            String secretAccessKey,
            long cacheBytes)
            implements BlobSettings {

        public S3 {
            Objects.requireNonNull(region, "region");
            Objects.requireNonNull(bucket, "bucket");
            Objects.requireNonNull(prefix, "prefix");
            if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
                throw new IllegalArgumentException("not an S3 bucket name: " + bucket);
            }
            if (!prefix.isEmpty() && !prefix.endsWith("/")) {
                prefix = prefix + "/";
            }
            if ((accessKeyId == null) != (secretAccessKey == null)) {
                throw new IllegalArgumentException(
                        "an S3 access key needs both its id and its secret (or neither, for the default credentials)");
            }
            if (cacheBytes < 0) {
                throw new IllegalArgumentException("the blob cache size cannot be negative");
            }
        }

        /**
         * {@code s3://BUCKET[/PREFIX]} with the connection details beside it.
         *
         * @throws IllegalArgumentException for anything else
         */
        public static S3 parse(
                String url,
                URI endpoint,
                String region,
                boolean pathStyle,
                String accessKeyId,
                String secretAccessKey,
                long cacheBytes) {
            if (!url.startsWith("s3://") || url.length() == "s3://".length()) {
                throw new IllegalArgumentException("a blob store is s3://BUCKET[/PREFIX], not " + url);
            }
            String rest = url.substring("s3://".length());
            int slash = rest.indexOf('/');
            String bucket = slash < 0 ? rest : rest.substring(0, slash);
            String prefix = slash < 0 ? "" : rest.substring(slash + 1);
            if (prefix.startsWith("/") || prefix.contains("//") || prefix.contains("..")) {
                throw new IllegalArgumentException("the blob store's prefix is a plain path: " + url);
            }
            return new S3(endpoint, region, bucket, prefix, pathStyle, accessKeyId, secretAccessKey, cacheBytes);
        }

        /** Where it points, for logs and status: never the secret. */
        public String describe() {
            return "s3://" + bucket + "/" + prefix + (endpoint == null ? "" : " at " + endpoint);
        }

        @Override
        public String toString() {
            return "S3[" + describe() + ", region " + region + (accessKeyId == null ? "" : ", key " + accessKeyId)
                    + "]";
        }
    }
}
