package dev.portcullis.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Blobs as objects in an S3-compatible bucket, through the AWS SDK. The bucket is trusted to keep
 * bytes, not to keep them unchanged: every upload carries the MD5 S3 checks it against, and every
 * download is hashed here and refused unless it is the SHA-256 it is named by.
 *
 * <p>Uploads are one PUT up to {@code partBytes}, multipart above (each part with its own MD5; an
 * upload that fails is aborted, so no parts are left behind to pay for). The endpoint is the
 * operator's (not something a client names), so these requests do not go through the guarded
 * outbound client.
 */
public final class S3Blobs implements AutoCloseable {

    static final long DEFAULT_PART_BYTES = 64L * 1024 * 1024;
    private static final int BUFFER = 256 * 1024;

    private final S3Client s3;
    private final BlobSettings.S3 settings;
    private final long partBytes;

    public S3Blobs(BlobSettings.S3 settings) {
        this(settings, DEFAULT_PART_BYTES);
    }

    S3Blobs(BlobSettings.S3 settings, long partBytes) {
        this.settings = settings;
        this.partBytes = partBytes;
        S3ClientBuilder builder = S3Client.builder()
                .region(Region.of(settings.region()))
                .forcePathStyle(settings.pathStyle())
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(10))
                        .socketTimeout(Duration.ofSeconds(60)))
                // Content-MD5 instead of the SDK's newer trailing checksums, which not every
                // S3-compatible service accepts; downloads are checked against their SHA-256 here.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(
                        settings.accessKeyId() == null
                                ? DefaultCredentialsProvider.builder().build()
                                : StaticCredentialsProvider.create(AwsBasicCredentials.create(
                                        settings.accessKeyId(), settings.secretAccessKey())));
        if (settings.endpoint() != null) {
            builder.endpointOverride(settings.endpoint());
        }
        this.s3 = builder.build();
    }

    public String describe() {
        return settings.describe();
    }

    private String key(String sha256) {
        return settings.prefix() + "sha256/" + sha256.substring(0, 2) + "/" + sha256;
    }

    /** Whether the bucket holds the blob. */
    public boolean contains(String sha256) throws IOException {
        try {
            s3.headObject(b -> b.bucket(settings.bucket()).key(key(sha256)));
            return true;
        } catch (S3Exception e) { // NoSuchKeyException among them
            if (e.statusCode() == 404) {
                return false;
            }
            throw failed("checking for", sha256, e);
        } catch (SdkException e) {
            throw failed("checking for", sha256, e);
        }
    }

    /** Stores a staged file under its SHA-256; returns when the bucket has all of it. */
    public void upload(Path file, long size, Digests digests) throws IOException {
        String key = key(digests.sha256());
        try {
            if (size <= partBytes) {
                s3.putObject(
                        b -> b.bucket(settings.bucket())
                                .key(key)
                                .contentLength(size)
                                .contentType("application/octet-stream")
                                .contentMD5(base64(HexFormat.of().parseHex(digests.md5()))),
                        RequestBody.fromFile(file));
            } else {
                uploadInParts(file, size, key);
            }
            long stored =
                    s3.headObject(b -> b.bucket(settings.bucket()).key(key)).contentLength();
            if (stored != size) {
                throw new IOException("the bucket holds " + stored + " bytes of " + digests.sha256() + ", not " + size);
            }
        } catch (SdkException e) {
            throw failed("storing", digests.sha256(), e);
        }
    }

    private void uploadInParts(Path file, long size, String key) throws IOException {
        String upload = s3.createMultipartUpload(
                        b -> b.bucket(settings.bucket()).key(key).contentType("application/octet-stream"))
                .uploadId();
        boolean complete = false;
        try {
            List<CompletedPart> parts = new ArrayList<>();
            int number = 1;
            for (long offset = 0; offset < size; offset += partBytes, number++) {
                long start = offset;
                long length = Math.min(partBytes, size - offset);
                String md5 = base64(md5(file, start, length));
                int partNumber = number;
                String etag = s3.uploadPart(
                                b -> b.bucket(settings.bucket())
                                        .key(key)
                                        .uploadId(upload)
                                        .partNumber(partNumber)
                                        .contentLength(length)
                                        .contentMD5(md5),
                                RequestBody.fromContentProvider(
                                        () -> range(file, start, length), length, "application/octet-stream"))
                        .eTag();
                parts.add(CompletedPart.builder()
                        .partNumber(partNumber)
                        .eTag(etag)
                        .build());
            }
            s3.completeMultipartUpload(
                    b -> b.bucket(settings.bucket()).key(key).uploadId(upload).multipartUpload(m -> m.parts(parts)));
            complete = true;
        } finally {
            if (!complete) {
                try {
                    s3.abortMultipartUpload(
                            b -> b.bucket(settings.bucket()).key(key).uploadId(upload));
                } catch (SdkException e) {
                    // the bucket's lifecycle rule for incomplete uploads removes the parts later
                }
            }
        }
    }

    /**
     * Writes the blob into {@code to} if the bucket holds it, checking it is the SHA-256 it is named
     * by; false if the bucket does not hold it.
     *
     * @throws IOException when the bucket cannot be read or returns other bytes (nothing is left at
     *     {@code to})
     */
    public boolean download(String sha256, Path to) throws IOException {
        MessageDigest digest = Sha256.digest();
        boolean kept = false;
        try (ResponseInputStream<GetObjectResponse> in =
                        s3.getObject(b -> b.bucket(settings.bucket()).key(key(sha256)));
                OutputStream out = Files.newOutputStream(to, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            byte[] buffer = new byte[BUFFER];
            int n;
            while ((n = in.read(buffer)) != -1) {
                digest.update(buffer, 0, n);
                out.write(buffer, 0, n);
            }
            String actual = HexFormat.of().formatHex(digest.digest());
            if (!actual.equals(sha256)) {
                throw new Damaged(sha256, actual);
            }
            kept = true;
            return true;
        } catch (S3Exception e) { // NoSuchKeyException among them
            if (e.statusCode() == 404) {
                return false;
            }
            throw failed("reading", sha256, e);
        } catch (SdkException e) {
            throw failed("reading", sha256, e);
        } finally {
            if (!kept) {
                Files.deleteIfExists(to);
            }
        }
    }

    /** The bucket returned other bytes than the SHA-256 the object is named by. */
    public static final class Damaged extends IOException {
        private final String sha256;
        private final String actual;

        Damaged(String sha256, String actual) {
            super("the bucket's object for " + sha256 + " holds other bytes (SHA-256 " + actual
                    + "): it was changed outside Portcullis; it is not served");
            this.sha256 = sha256;
            this.actual = actual;
        }

        public String sha256() {
            return sha256;
        }

        public String actual() {
            return actual;
        }
    }

    public void delete(String sha256) throws IOException {
        try {
            s3.deleteObject(b -> b.bucket(settings.bucket()).key(key(sha256)));
        } catch (SdkException e) {
            throw failed("deleting", sha256, e);
        }
    }

    /**
     * Copies every file under {@code dir} to the objects {@code <prefix><relative path>} (a backup
     * into a bucket), each with its MD5, large ones in parts.
     */
    public void uploadTree(Path dir) throws IOException {
        List<Path> files;
        try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        for (Path file : files) {
            String key = settings.prefix() + dir.relativize(file).toString().replace('\\', '/');
            long size = Files.size(file);
            try {
                if (size <= partBytes) {
                    String md5 = base64(md5(file, 0, size));
                    s3.putObject(
                            b -> b.bucket(settings.bucket())
                                    .key(key)
                                    .contentLength(size)
                                    .contentMD5(md5),
                            RequestBody.fromFile(file));
                } else {
                    uploadInParts(file, size, key);
                }
            } catch (SdkException e) {
                throw new IOException("storing " + key + " in " + describe() + " failed: " + e.getMessage(), e);
            }
        }
    }

    /** Copies every object under the prefix into {@code dir}, by the path after the prefix (a restore from a bucket). */
    public int downloadTree(Path dir) throws IOException {
        int count = 0;
        try {
            for (S3Object object : s3.listObjectsV2Paginator(
                            b -> b.bucket(settings.bucket()).prefix(settings.prefix()))
                    .contents()) {
                String relative = object.key().substring(settings.prefix().length());
                Path target = dir.resolve(relative).normalize();
                if (relative.isEmpty() || relative.endsWith("/") || !target.startsWith(dir)) {
                    continue; // a folder marker, or a name that would leave the directory
                }
                Files.createDirectories(target.getParent());
                try (InputStream in =
                        s3.getObject(b -> b.bucket(settings.bucket()).key(object.key()))) {
                    Files.copy(in, target);
                }
                count++;
            }
        } catch (SdkException e) {
            throw new IOException("reading " + describe() + " failed: " + e.getMessage(), e);
        }
        return count;
    }

    /** Whether any object lies under the prefix. */
    public boolean holdsAnything() throws IOException {
        try {
            var listed = s3.listObjectsV2(
                    b -> b.bucket(settings.bucket()).prefix(settings.prefix()).maxKeys(1));
            // (not hasContents(): it says whether the element was in the answer, not whether it lists anything)
            return !listed.contents().isEmpty();
        } catch (SdkException e) {
            throw new IOException("reading " + describe() + " failed: " + e.getMessage(), e);
        }
    }

    /** Every blob in the bucket, by SHA-256 (objects not named like one are not Portcullis's). */
    public void forEach(Consumer<String> each) throws IOException {
        String under = settings.prefix() + "sha256/";
        try {
            for (S3Object object : s3.listObjectsV2Paginator(
                            b -> b.bucket(settings.bucket()).prefix(under))
                    .contents()) {
                String name = object.key().substring(object.key().lastIndexOf('/') + 1);
                if (Digests.isHex(name, 64) && object.key().equals(key(name))) {
                    each.accept(name);
                }
            }
        } catch (SdkException e) {
            throw new IOException("the bucket " + describe() + " cannot be listed: " + e.getMessage(), e);
        }
    }

    /** Empty when an object can be written and removed now; otherwise why not (never a secret). */
    public Optional<String> unwritable() {
        String probe = settings.prefix() + "readyz/" + UUID.randomUUID();
        try {
            s3.putObject(b -> b.bucket(settings.bucket()).key(probe), RequestBody.fromBytes(new byte[] {1}));
            s3.deleteObject(b -> b.bucket(settings.bucket()).key(probe));
            return Optional.empty();
        } catch (S3Exception e) {
            return Optional.of("the bucket " + describe() + " cannot be written (HTTP " + e.statusCode() + " "
                    + e.awsErrorDetails().errorCode() + ")");
        } catch (SdkException e) {
            return Optional.of("the bucket " + describe() + " cannot be reached ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    private IOException failed(String doing, String sha256, SdkException e) {
        return new IOException(doing + " blob " + sha256 + " in " + describe() + " failed: " + e.getMessage(), e);
    }

    private static InputStream range(Path file, long start, long length) {
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
            channel.position(start);
            return new java.io.FilterInputStream(Channels.newInputStream(channel)) {
                private long left = length;

                @Override
                public int read() throws IOException {
                    if (left <= 0) {
                        return -1;
                    }
                    int b = super.read();
                    if (b >= 0) {
                        left--;
                    }
                    return b;
                }

                @Override
                public int read(byte[] buffer, int off, int len) throws IOException {
                    if (left <= 0) {
                        return -1;
                    }
                    int n = super.read(buffer, off, (int) Math.min(len, left));
                    if (n > 0) {
                        left -= n;
                    }
                    return n;
                }
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] md5(Path file, long start, long length) throws IOException {
        MessageDigest md5;
        try {
            md5 = MessageDigest.getInstance("MD5");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is required by the Java platform", e);
        }
        try (InputStream in = range(file, start, length)) {
            byte[] buffer = new byte[BUFFER];
            int n;
            while ((n = in.read(buffer)) != -1) {
                md5.update(buffer, 0, n);
            }
        }
        return md5.digest();
    }

    private static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    @Override
    public void close() {
        s3.close();
    }
}
