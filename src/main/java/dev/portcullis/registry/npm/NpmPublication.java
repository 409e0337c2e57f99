package dev.portcullis.registry.npm;

import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.core.Refusal;
import dev.portcullis.store.BlobStore;
import dev.portcullis.store.StagedBlob;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One {@code npm publish} body, read as it streams: the document ({@code name}, {@code
 * dist-tags}, and the versions object holding one manifest) and its {@code _attachments} — the
 * tarball's base64 decoded straight into the blob store while its SHA-512 and SHA-1 (npm's
 * {@code integrity} and {@code shasum}) are computed, and the optional {@code .sigstore} bundle.
 * Memory stays flat in the tarball's size: everything but the attachment is limited to {@link
 * #MAX_DOCUMENT_BYTES}.
 */
record NpmPublication(
        String name,
        String version,
        JsonNode manifest,
        Map<String, String> distTags,
        String attachment,
        StagedBlob tarball,
        String integrity,
        String shasum,
        long declaredLength,
        String sigstore)
        implements NpmBody {

    /** Everything in a publish body but the tarball itself (the manifest with its readme, the tags). */
    static final long MAX_DOCUMENT_BYTES = 16L << 20;

    /**
     * Reads {@code body}, staging the tarball (at most {@code maxFileBytes}). Refuses ({@link
     * Refusal.Invalid}) anything that is not one version with one tarball; the staged tarball is
     * discarded when reading fails.
     */
    static NpmBody read(InputStream body, BlobStore blobs, long maxFileBytes) throws IOException {
        Budget budget = new Budget(body, MAX_DOCUMENT_BYTES);
        String name = null;
        JsonNode versions = null;
        Map<String, String> tags = new LinkedHashMap<>();
        Attachments attachments = new Attachments();
        try (JsonParser p = NpmFormat.JSON.createParser(budget)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new Refusal.Invalid("the publish body must be a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "name" -> name = p.getValueAsString();
                    case "versions" -> versions = p.readValueAsTree();
                    case "dist-tags" -> NpmFormat.strings(p.readValueAsTree()).forEach(tags::put);
                    case "_attachments" -> attachments.read(p, budget, blobs, maxFileBytes);
                    default -> p.skipChildren();
                }
            }
        } catch (IOException | RuntimeException e) {
            attachments.discard(blobs);
            if (e instanceof Refusal r) {
                throw r;
            }
            if (e instanceof dev.portcullis.store.BlobTooLargeException) {
                throw e;
            }
            throw new Refusal.Invalid("the publish body is not a valid npm document ("
                    + (e.getMessage() == null
                            ? e.getClass().getSimpleName()
                            : e.getMessage().lines().findFirst().orElse(""))
                    + ")");
        }
        try {
            if (attachments.tarball == null && versions != null && versions.isObject()) {
                return new NpmBody.MetadataUpdate(name, versions);
            }
            if (versions == null || !versions.isObject() || versions.size() != 1) {
                throw new Refusal.Invalid("a publish carries exactly one version");
            }
            if (attachments.tarball == null) {
                throw new Refusal.Invalid("the publish carries no tarball (_attachments)");
            }
            String version = versions.fieldNames().next();
            return new NpmPublication(
                    name,
                    version,
                    versions.path(version),
                    tags,
                    attachments.tarballName,
                    attachments.tarball,
                    "sha512-" + Base64.getEncoder().encodeToString(attachments.sha512),
                    HexFormat.of().formatHex(attachments.sha1),
                    attachments.length,
                    attachments.sigstore);
        } catch (RuntimeException e) {
            attachments.discard(blobs);
            throw e;
        }
    }

    /** The {@code _attachments} object: one tarball, staged as it decodes; an optional provenance bundle. */
    private static final class Attachments {
        String tarballName;
        StagedBlob tarball;
        byte[] sha512;
        byte[] sha1;
        long length = -1;
        String sigstore;

        void read(JsonParser p, Budget budget, BlobStore blobs, long maxFileBytes) throws IOException {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw new Refusal.Invalid("_attachments must be an object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String attachment = p.currentName();
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    throw new Refusal.Invalid("each attachment must be an object");
                }
                boolean tgz = attachment.endsWith(".tgz");
                if (tgz && tarball != null) {
                    throw new Refusal.Invalid("a publish carries exactly one tarball");
                }
                if (!tgz && !attachment.endsWith(".sigstore")) {
                    throw new Refusal.Invalid("unexpected attachment '" + attachment + "'");
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    p.nextToken();
                    if (field.equals("data") && tgz) {
                        if (p.currentToken() != JsonToken.VALUE_STRING) {
                            throw new Refusal.Invalid("the tarball's data must be a base64 string");
                        }
                        stage(p, budget, blobs, maxFileBytes);
                        tarballName = attachment;
                    } else if (field.equals("data")) {
                        sigstore = p.getValueAsString();
                    } else if (field.equals("length") && tgz) {
                        length = p.getValueAsLong(-1);
                    } else {
                        p.skipChildren();
                    }
                }
            }
        }

        private void stage(JsonParser p, Budget budget, BlobStore blobs, long maxFileBytes) throws IOException {
            MessageDigest s512 = digest("SHA-512");
            MessageDigest s1 = digest("SHA-1");
            budget.exempt(true);
            try {
                tarball = blobs.stage(
                        out -> {
                            try (OutputStream hashed =
                                    new DigestOutputStream(new DigestOutputStream(new NotClosing(out), s512), s1)) {
                                p.readBinaryValue(Base64Variants.MIME_NO_LINEFEEDS, hashed);
                            }
                        },
                        maxFileBytes);
            } finally {
                budget.exempt(false);
            }
            sha512 = s512.digest();
            sha1 = s1.digest();
        }

        void discard(BlobStore blobs) {
            if (tarball != null) {
                blobs.discard(tarball);
                tarball = null;
            }
        }
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Passes writes through; closing it leaves the blob store's stream open (the store closes its own). */
    private static final class NotClosing extends java.io.FilterOutputStream {
        NotClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }

    /** Counts the bytes read outside the tarball's data and stops past a limit. */
    private static final class Budget extends FilterInputStream {
        private final long limit;
        private long counted;
        private boolean exempt;

        Budget(InputStream in, long limit) {
            super(in);
            this.limit = limit;
        }

        void exempt(boolean exempt) {
            this.exempt = exempt;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            count(b < 0 ? 0 : 1);
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            count(Math.max(0, n));
            return n;
        }

        private void count(int n) {
            if (!exempt) {
                counted += n;
                if (counted > limit) {
                    throw new Refusal.Invalid("the publish document (everything but the tarball) is larger than "
                            + (limit >> 20) + " MiB");
                }
            }
        }
    }
}
