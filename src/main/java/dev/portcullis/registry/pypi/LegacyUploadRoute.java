package dev.portcullis.registry.pypi;

import dev.portcullis.core.Origin;
import dev.portcullis.core.Refusal;
import dev.portcullis.http.ErrorStyle;
import dev.portcullis.http.Exchange;
import dev.portcullis.http.HttpRouter;
import dev.portcullis.http.MalformedMultipartException;
import dev.portcullis.http.MultipartReader;
import dev.portcullis.http.Routes;
import dev.portcullis.identity.Authentication;
import dev.portcullis.identity.AuthorizationHeader;
import dev.portcullis.identity.Identity;
import dev.portcullis.identity.Principal;
import dev.portcullis.publish.PublishService;
import dev.portcullis.publish.UploadResult;
import dev.portcullis.publish.UploadResult.Why;
import dev.portcullis.store.BlobTooLargeException;
import dev.portcullis.store.StagedBlob;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code POST /legacy/}: PyPI's upload API as twine and uv speak it (multipart/form-data with
 * {@code :action=file_upload}, HTTP Basic with user {@code __token__}). Success is {@code 200};
 * every refusal carries its message as the HTTP reason phrase, which twine prints.
 */
public final class LegacyUploadRoute implements Routes {

    /** Bounds for the non-file fields: a long description fits, a flood does not. */
    private static final int MAX_FIELD_BYTES = 1024 * 1024;

    private static final int MAX_FIELDS_TOTAL_BYTES = 8 * 1024 * 1024;
    private static final int MAX_PARTS = 500;
    /** How much of a refused body we read and discard so the client sees our answer. */
    private static final long MAX_DRAIN_BYTES = 64L * 1024 * 1024;
    /**
     * For an unauthenticated request, much less: enough for twine to show the refusal of a small
     * upload, and nothing an anonymous client could use to keep the server reading.
     */
    private static final long MAX_ANONYMOUS_DRAIN_BYTES = 1024 * 1024;

    private final Identity identity;
    private final PublishService publish;
    private final PypiEcosystem ecosystem;
    private final dev.portcullis.store.BlobStore blobs;

    LegacyUploadRoute(
            Identity identity, PublishService publish, PypiEcosystem ecosystem, dev.portcullis.store.BlobStore blobs) {
        this.identity = identity;
        this.publish = publish;
        this.ecosystem = ecosystem;
        this.blobs = blobs;
    }

    /**
     * Undertow matches a parameterised template with or without a trailing slash (and "/simple/" as
     * an empty project); literal paths need both forms. The PyPI handlers redirect or refuse the
     * slash-less form, as PyPI does.
     */
    @Override
    public void register(HttpRouter router) {
        router.post("/legacy/", ErrorStyle.PYPI, this::handle).post("/legacy", ErrorStyle.PYPI, this::handle);
    }

    public void handle(Exchange exchange) throws IOException {
        if (!exchange.path().endsWith("/")) {
            // As on PyPI: twine refuses to follow redirects, so the user learns the right URL.
            exchange.closeConnection();
            exchange.redirect(308, "/legacy/");
            return;
        }
        // One file plus the form fields; a body beyond that is cut off.
        InputStream body = exchange.body(publish.settings().maxFileBytes() + MAX_FIELDS_TOTAL_BYTES + MAX_DRAIN_BYTES);
        Origin origin = exchange.origin();
        Principal principal = authenticate(exchange, body, origin);
        String boundary = MultipartReader.boundaryOf(exchange.header("Content-Type"));
        if (boundary == null) {
            drain(exchange, body);
            throw refuse(
                    principal,
                    null,
                    Why.INVALID,
                    "Invalid request: the body must be multipart/form-data with a boundary.",
                    origin);
        }
        if (boundary.length() > MultipartReader.MAX_BOUNDARY) {
            exchange.closeConnection();
            throw refuse(
                    principal,
                    null,
                    Why.INVALID,
                    "Invalid request: the multipart boundary is longer than " + MultipartReader.MAX_BOUNDARY
                            + " characters (RFC 2046).",
                    origin);
        }
        Form form;
        try {
            form = readForm(exchange, body, new MultipartReader(body, boundary), principal, origin);
        } catch (MalformedMultipartException e) {
            exchange.closeConnection();
            throw refuse(
                    principal,
                    null,
                    Why.INVALID,
                    "Invalid request: malformed multipart body (" + e.getMessage() + ").",
                    origin);
        }
        try {
            String action = form.field(":action");
            if ("submit".equals(action) || "submit_pkg_info".equals(action)) {
                throw gone(
                        principal,
                        form.filename(),
                        "Project pre-registration is no longer required or supported, upload your files instead.",
                        origin);
            }
            if ("doc_upload".equals(action)) {
                throw gone(principal, form.filename(), "Uploading documentation is no longer supported.", origin);
            }
            if (!"file_upload".equals(action)) {
                throw refuse(
                        principal,
                        form.filename(),
                        Why.INVALID,
                        "Invalid or missing :action (expected file_upload).",
                        origin);
            }
            if (!"1".equals(form.field("protocol_version"))) {
                throw refuse(principal, form.filename(), Why.INVALID, "Unknown protocol version.", origin);
            }
            UploadForm upload = new UploadForm(
                    form.field("name"),
                    form.field("version"),
                    form.field("filetype"),
                    form.field("pyversion"),
                    form.field("metadata_version"),
                    form.field("sha256_digest"),
                    form.field("blake2_256_digest"),
                    form.field("md5_digest"),
                    form.field("requires_python"),
                    form.filename(),
                    form.field("attestations"));
            switch (PypiUpload.of(upload, form.content(), ecosystem, blobs)) {
                case PypiUpload.Wrong wrong ->
                    throw refuse(principal, form.filename(), Why.INVALID, wrong.message(), origin);
                case PypiUpload.Ready ready -> answer(exchange, publish.upload(principal, ready.submission(), origin));
            }
        } finally {
            if (form.content() != null) {
                publish.discard(form.content());
            }
        }
    }

    private Principal authenticate(Exchange exchange, InputStream body, Origin origin) {
        String failure;
        switch (AuthorizationHeader.parse(exchange.header("Authorization"))) {
            case AuthorizationHeader.Missing m -> failure = "Invalid or non-existent authentication information.";
            case AuthorizationHeader.Password p ->
                failure = "Username/Password authentication is not supported. Use an API token with the"
                        + " user name __token__, or trusted publishing.";
            case AuthorizationHeader.Token t -> {
                switch (identity.authenticate(t.token(), origin)) {
                    case Authentication.Authenticated a -> {
                        return a.principal();
                    }
                    case Authentication.Refused r ->
                        failure = "Invalid or non-existent authentication information (" + r.reason() + ").";
                    case Authentication.Throttled th -> {
                        drain(exchange, body, MAX_ANONYMOUS_DRAIN_BYTES);
                        throw new Refusal.Throttled("Too many failed authentication attempts: " + th.reason() + ".");
                    }
                }
            }
        }
        drain(exchange, body, MAX_ANONYMOUS_DRAIN_BYTES);
        throw refuse(null, null, Why.NOT_AUTHENTICATED, failure, origin);
    }

    private record Form(Map<String, String> fields, String filename, StagedBlob content) {
        String field(String name) {
            return fields.get(name);
        }
    }

    /**
     * Reads every part; the file part streams to the blob store. On any failure the received file
     * is discarded before the exception propagates.
     */
    private Form readForm(
            Exchange exchange, InputStream body, MultipartReader reader, Principal principal, Origin origin)
            throws IOException {
        Map<String, String> fields = new HashMap<>();
        StagedBlob content = null;
        String filename = null;
        try {
            int total = 0;
            int parts = 0;
            MultipartReader.Part part;
            while ((part = reader.next()) != null) {
                if (++parts > MAX_PARTS) {
                    throw new MalformedMultipartException("more than " + MAX_PARTS + " parts");
                }
                if (part.name().equals("content") && part.filename() != null) {
                    if (content != null) {
                        throw new MalformedMultipartException("more than one file part");
                    }
                    filename = part.filename();
                    try {
                        content = publish.receive(part.body());
                    } catch (BlobTooLargeException e) {
                        drain(exchange, body);
                        throw refuse(
                                principal,
                                filename,
                                Why.TOO_LARGE,
                                "File too large. Limit for this server is " + (e.limit() / (1024 * 1024)) + " MB.",
                                origin);
                    }
                } else if (part.filename() != null && !part.name().equals("gpg_signature")) {
                    drain(exchange, body);
                    throw refuse(principal, filename, Why.INVALID, part.name() + ": Should not be a tuple.", origin);
                } else if (part.filename() == null) {
                    byte[] value = part.body().readNBytes(MAX_FIELD_BYTES + 1);
                    total += value.length;
                    if (value.length > MAX_FIELD_BYTES || total > MAX_FIELDS_TOTAL_BYTES) {
                        drain(exchange, body);
                        throw refuse(
                                principal,
                                filename,
                                Why.INVALID,
                                "Form field '" + part.name() + "' is too large.",
                                origin);
                    }
                    String text = new String(value, StandardCharsets.UTF_8);
                    // PyPI drops fields whose value is "UNKNOWN" (distutils' placeholder).
                    if (!text.equals("UNKNOWN")) {
                        fields.putIfAbsent(part.name(), text);
                    }
                }
            }
            return new Form(fields, filename, content);
        } catch (IOException | RuntimeException e) {
            if (content != null) {
                publish.discard(content);
            }
            throw e;
        }
    }

    private void answer(Exchange exchange, UploadResult result) {
        switch (result) {
            // twine prints this (and the reason phrase) with --verbose; PyPI's protocol has no other place for a
            // message on success.
            case UploadResult.Staged staged ->
                exchange.status(200)
                        .reason("OK, held for approval")
                        .text(
                                "text/plain; charset=utf-8",
                                "OK: " + staged.filename() + " is staged in held release " + staged.version()
                                        + " of " + staged.project() + "; it becomes installable once approved.\n"
                                        + "See why it is held and who may approve it:  portcullis release show "
                                        + staged.project() + " " + staged.version() + "\n");
            case UploadResult.Unchanged unchanged ->
                exchange.status(200)
                        .text(
                                "text/plain; charset=utf-8",
                                "OK: " + unchanged.filename() + " was already uploaded with the same contents.\n");
            case UploadResult.Refused refused -> throw problem(refused);
        }
    }

    /** PyPI answers removed actions with 410; recorded like any refusal. */
    private Refusal gone(Principal principal, String filename, String message, Origin origin) {
        publish.refuse(principal, filename, Why.INVALID, message, origin);
        return new Refusal.Gone(message);
    }

    /** Records the refusal (an event) and returns the problem to throw. */
    private Refusal refuse(Principal principal, String filename, Why refusal, String message, Origin origin) {
        UploadResult.Refused refused = publish.refuse(principal, filename, refusal, message, origin);
        return problem(refused);
    }

    /** PyPI's statuses: 403 for identity and permission, 400 for everything about the upload. */
    private static Refusal problem(UploadResult.Refused refused) {
        return switch (refused.why()) {
            case NOT_AUTHENTICATED, FORBIDDEN -> new Refusal.Forbidden(refused.message());
            case INVALID, FILE_EXISTS, RELEASE_DECIDED, TOO_LARGE -> new Refusal.Invalid(refused.message());
        };
    }

    /** Reads and discards the rest of a refused body (bounded) so the client receives the answer. */
    private static void drain(Exchange exchange, InputStream body) {
        drain(exchange, body, MAX_DRAIN_BYTES);
    }

    private static void drain(Exchange exchange, InputStream body, long max) {
        try {
            byte[] scratch = new byte[8 * 1024];
            long drained = 0;
            int n;
            while (drained < max && (n = body.read(scratch)) >= 0) {
                drained += n;
            }
            if (drained >= max) {
                exchange.closeConnection();
            }
        } catch (IOException | Refusal e) {
            exchange.closeConnection();
        }
    }
}
