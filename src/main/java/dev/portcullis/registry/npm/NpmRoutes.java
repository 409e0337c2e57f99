package dev.portcullis.registry.npm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.core.Refusal;
import dev.portcullis.gate.Decision;
import dev.portcullis.gate.ReleaseGate;
import dev.portcullis.http.ErrorStyle;
import dev.portcullis.http.Exchange;
import dev.portcullis.http.HttpRouter;
import dev.portcullis.http.Routes;
import dev.portcullis.identity.ApiAuthenticator;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Principal;
import dev.portcullis.identity.TrustedPublishing;
import dev.portcullis.publish.Artifact;
import dev.portcullis.publish.Catalog;
import dev.portcullis.publish.Ecosystems;
import dev.portcullis.publish.PublishService;
import dev.portcullis.publish.Release;
import dev.portcullis.publish.ReleaseState;
import dev.portcullis.publish.Submission;
import dev.portcullis.publish.UploadResult;
import dev.portcullis.store.BlobStore;
import dev.portcullis.store.BlobTooLargeException;
import dev.portcullis.store.Database;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * npm's registry protocol under {@code /npm/}: publish ({@code PUT /npm/<name>}) and staged
 * publishing ({@code /npm/-/stage/…}) into held releases; packuments (full, and the abbreviated
 * {@code application/vnd.npm.install-v1+json}) and tarballs of released versions only; {@code
 * whoami} and {@code ping}. Decisions a person makes through npm ({@code npm stage approve},
 * {@code reject}) are the gate's, with the second factor asked for npm's way: a 401 with {@code
 * WWW-Authenticate: OTP}, answered with the {@code npm-otp} header.
 */
final class NpmRoutes implements Routes {

    static final String ABBREVIATED = "application/vnd.npm.install-v1+json";

    private final ApiAuthenticator auth;
    private final PublishService publish;
    private final Catalog catalog;
    private final ReleaseGate gate;
    private final BlobStore blobs;
    private final NpmEcosystem ecosystem;
    private final NpmFiles files;
    private final NpmStages stages;
    private final NpmTags tags;
    private final TrustedPublishing trustedPublishing;
    private final Supplier<String> baseUrl;
    private final Clock clock;

    NpmRoutes(
            ApiAuthenticator auth,
            PublishService publish,
            Catalog catalog,
            ReleaseGate gate,
            BlobStore blobs,
            Database database,
            NpmTags tags,
            TrustedPublishing trustedPublishing,
            NpmEcosystem ecosystem,
            Supplier<String> baseUrl,
            Clock clock) {
        this.auth = auth;
        this.publish = publish;
        this.catalog = catalog;
        this.gate = gate;
        this.blobs = blobs;
        this.ecosystem = ecosystem;
        this.files = new NpmFiles(database);
        this.stages = new NpmStages(database);
        this.tags = tags;
        this.trustedPublishing = trustedPublishing;
        this.baseUrl = baseUrl;
        this.clock = clock;
    }

    @Override
    public void register(HttpRouter router) {
        router.post("/-/npm/v1/oidc/token/exchange/package/{name}", ErrorStyle.NPM, this::exchangeToken)
                .get("/npm/-/ping", ErrorStyle.NPM, ex -> ex.json(Map.of()))
                .get("/npm/-/whoami", ErrorStyle.NPM, this::whoami)
                .get("/npm/-/stage", ErrorStyle.NPM, this::listStages)
                .post("/npm/-/stage/package/{name}", ErrorStyle.NPM, ex -> publish(ex, true))
                .get("/npm/-/stage/{id}", ErrorStyle.NPM, this::viewStage)
                .get("/npm/-/stage/{id}/tarball", ErrorStyle.NPM, this::stagedTarball)
                .post("/npm/-/stage/{id}/approve", ErrorStyle.NPM, this::approveStage)
                .delete("/npm/-/stage/{id}", ErrorStyle.NPM, this::rejectStage)
                .get("/npm/-/package/{name}/dist-tags", ErrorStyle.NPM, this::distTags)
                .put("/npm/-/package/{name}/dist-tags/{tag}", ErrorStyle.NPM, ex -> moveTag(ex, true))
                .delete("/npm/-/package/{name}/dist-tags/{tag}", ErrorStyle.NPM, ex -> moveTag(ex, false))
                .put("/npm/{name}", ErrorStyle.NPM, ex -> publish(ex, false))
                .put("/npm/{name}/-rev/{rev}", ErrorStyle.NPM, ex -> unpublish(ex, false))
                .delete("/npm/{name}/-rev/{rev}", ErrorStyle.NPM, ex -> unpublish(ex, true))
                .delete("/npm/{name}/-/{file}/-rev/{rev}", ErrorStyle.NPM, ex -> ex.json(Map.of("ok", true)))
                .delete("/npm/{scope}/{name}/-/{file}/-rev/{rev}", ErrorStyle.NPM, ex -> ex.json(Map.of("ok", true)))
                .getPublic("/npm/{name}", ErrorStyle.NPM, this::packument)
                .getPublic("/npm/{name}/-/{file}", ErrorStyle.NPM, this::tarball)
                .getPublic("/npm/{scope}/{name}/-/{file}", ErrorStyle.NPM, this::tarball);
    }

    /** A package name as a path segment carries it: {@code @scope%2fname} (npm escapes the slash). */
    static String unescape(String segment) {
        return segment == null
                ? null
                : segment.replace("%2f", "/").replace("%2F", "/").replace("%40", "@");
    }

    private Ecosystems.ProjectRef project(String name) {
        return catalog.ecosystems().project(ecosystem, name);
    }

    // ---------------------------------------------------------------- account

    private void whoami(Exchange exchange) {
        exchange.json(Map.of("username", auth.require(exchange).userName()));
    }

    // ---------------------------------------------------------------- trusted publishing

    /**
     * npm's trusted publishing: the CI job's OIDC token (audience {@code npm:<host>}, the host of this
     * server's configured base URL — never the request's Host header, or a token meant for another
     * registry could be presented here) for a short-lived upload token of this one package. npm's
     * CLI calls it at {@code /-/npm/v1/…} on the registry's host and falls back to its configured
     * token when it fails.
     */
    private void exchangeToken(Exchange exchange) {
        String name = exchange.pathParam("name");
        String header = exchange.header("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            exchange.status(401)
                    .json(Map.of("message", "OIDC token exchange error - an OIDC identity token is required"));
            return;
        }
        Ecosystems.ProjectRef ref;
        try {
            ref = project(name);
        } catch (Refusal.Invalid e) {
            exchange.status(404).json(Map.of("message", "OIDC token exchange error - package not found"));
            return;
        }
        String audience = "npm:" + java.net.URI.create(baseUrl.get()).getHost();
        switch (trustedPublishing.exchangeForProject(
                header.substring(7).strip(), audience, ref.key(), exchange.origin())) {
            case TrustedPublishing.Minted minted -> exchange.status(201).json(Map.of("token", minted.token()));
            case TrustedPublishing.Failed failed ->
                exchange.status(failed.code().equals("invalid-publisher") ? 404 : 401)
                        .json(Map.of("message", "OIDC token exchange error - " + failed.description()));
        }
    }

    // ---------------------------------------------------------------- publishing

    /** {@code npm publish} or {@code npm stage publish}: the version goes into a held release either way. */
    private void publish(Exchange exchange, boolean staged) throws IOException {
        Principal principal;
        try {
            principal = auth.require(exchange);
        } catch (Refusal refused) {
            exchange.closeConnection(); // the body (a whole tarball) is not read for nobody
            throw refused;
        }
        String name = unescape(exchange.pathParam("name"));
        InputStream body =
                exchange.body(publish.settings().maxFileBytes() / 3 * 4 + NpmPublication.MAX_DOCUMENT_BYTES + 1024);
        NpmPublication publication;
        try {
            switch (NpmPublication.read(body, blobs, publish.settings().maxFileBytes())) {
                case NpmPublication p -> publication = p;
                case NpmBody.MetadataUpdate update -> {
                    if (staged) {
                        throw new Refusal.Invalid("the stage carries no tarball (_attachments)");
                    }
                    deprecate(exchange, principal, name, update);
                    return;
                }
            }
        } catch (BlobTooLargeException e) {
            exchange.closeConnection();
            throw new Refusal.TooLarge(
                    "the tarball is larger than this server's limit of " + (e.limit() >> 20) + " MiB");
        } catch (Refusal.Invalid e) {
            publish.refuse(principal, name, UploadResult.Why.INVALID, e.getMessage(), exchange.origin());
            throw e;
        }
        UploadResult result;
        try {
            result = publish.upload(
                    principal,
                    new Submission(
                            ecosystem,
                            name,
                            publication.version(),
                            NpmEcosystem.tarballName(name, publication.version()),
                            "tarball",
                            publication.tarball(),
                            publication.sigstore(),
                            new NpmUpload(publication, name)),
                    exchange.origin());
        } finally {
            publish.discard(publication.tarball());
        }
        switch (result) {
            case UploadResult.Staged s -> {
                String id = stageOf(name, publication.version(), principal);
                exchange.header(
                        "npm-notice",
                        name + "@" + s.version() + " is held for approval by the publish gate (stage id " + id
                                + "; portcullis release show npm:" + name + " " + s.version() + ")");
                exchange.status(staged ? 201 : 200)
                        .json(staged ? Map.of("ok", true, "stageId", id) : Map.of("ok", true, "id", name));
            }
            case UploadResult.Unchanged u -> {
                String id = stageOf(name, publication.version(), principal);
                exchange.status(staged ? 201 : 200)
                        .json(staged ? Map.of("ok", true, "stageId", id) : Map.of("ok", true, "id", name));
            }
            case UploadResult.Refused r ->
                throw switch (r.why()) {
                    case NOT_AUTHENTICATED -> new Refusal.Unauthenticated(r.message());
                    case FORBIDDEN, FILE_EXISTS, RELEASE_DECIDED -> new Refusal.Forbidden(r.message());
                    case INVALID -> new Refusal.Invalid(r.message());
                    case TOO_LARGE -> new Refusal.TooLarge(r.message());
                };
        }
    }

    /** The stage id of the release of {@code name} {@code version} (made on its first upload). */
    private String stageOf(String name, String version, Principal principal) {
        Release release = catalog.findRelease(
                        project(name).key(), ecosystem.version(version).canonical())
                .orElseThrow();
        return stages.idOf(release.id(), () -> UUID.randomUUID().toString(), clock.instant(), principal.userName());
    }

    // ---------------------------------------------------------------- staged publishing

    private record Staged(String id, Release release, Artifact file) {}

    private Staged staged(Exchange exchange) {
        String id = exchange.pathParam("id");
        Optional<Long> releaseId = stages.releaseOf(id);
        if (releaseId.isEmpty()) {
            throw new Refusal.NotFound("no staged package " + id);
        }
        Release release = catalog.getRelease(releaseId.get());
        List<Artifact> artifacts = catalog.artifactsOf(release.id());
        if (artifacts.isEmpty()) {
            throw new Refusal.NotFound("no staged package " + id);
        }
        return new Staged(id, release, artifacts.getFirst());
    }

    /** Who may see a staged version: someone who may read or approve its project (staged bytes are not public). */
    private Principal reader(Exchange exchange, Release release) {
        Principal principal = auth.require(exchange);
        if (!principal.can(Permission.READ, release.project())
                && !principal.can(Permission.APPROVE, release.project())) {
            throw new Refusal.NotFound("no such staged package");
        }
        return principal;
    }

    private Map<String, Object> stageItem(Staged s) {
        String name = catalog.ecosystems().nameOf(s.release().project());
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("id", s.id());
        item.put("packageName", name);
        item.put("version", s.release().version());
        item.put("tag", files.find(s.file().id()).map(NpmFiles.Attributes::tag).orElse("latest"));
        item.put("createdAt", s.file().uploadedAt().toString());
        item.put("actor", s.file().uploadedBy());
        item.put("actorType", s.file().viaTrustedPublisher() ? "trusted publisher" : "token");
        item.put(
                "shasum",
                files.find(s.file().id()).map(NpmFiles.Attributes::shasum).orElse(null));
        item.put("state", s.release().state().wireName());
        item.put(
                "gate",
                "portcullis release show npm:" + name + " " + s.release().version());
        return item;
    }

    private void listStages(Exchange exchange) {
        Principal principal = auth.require(exchange);
        String filter = exchange.query("package").map(NpmRoutes::unescape).orElse(null);
        int page = Math.max(0, exchange.query("page").map(NpmRoutes::number).orElse(0));
        int perPage = Math.min(
                100,
                Math.max(1, exchange.query("perPage").map(NpmRoutes::number).orElse(100)));
        List<Map<String, Object>> visible = new ArrayList<>();
        for (Release release : catalog.releases(ReleaseState.HELD)) {
            if (!catalog.ecosystems().ofKey(release.project()).id().equals(NpmEcosystem.ID)
                    || (filter != null
                            && !release.project().equals(project(filter).key()))
                    || !(principal.can(Permission.READ, release.project())
                            || principal.can(Permission.APPROVE, release.project()))) {
                continue;
            }
            Optional<String> id = stages.idOfRelease(release.id());
            List<Artifact> artifacts = catalog.artifactsOf(release.id());
            if (id.isPresent() && !artifacts.isEmpty()) {
                visible.add(stageItem(new Staged(id.get(), release, artifacts.getFirst())));
            }
        }
        int from = Math.min(visible.size(), page * perPage);
        exchange.json(Map.of(
                "items", visible.subList(from, Math.min(visible.size(), from + perPage)), "total", visible.size()));
    }

    private static int number(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new Refusal.Invalid("page and perPage are whole numbers");
        }
    }

    private void viewStage(Exchange exchange) {
        Staged s = staged(exchange);
        reader(exchange, s.release());
        exchange.json(stageItem(s));
    }

    /** The staged tarball, for review (its readers only; installers never see held bytes). */
    private void stagedTarball(Exchange exchange) throws IOException {
        Staged s = staged(exchange);
        reader(exchange, s.release());
        send(exchange, s.file());
    }

    /** {@code npm stage approve}: one approval toward the policy's count, with the second factor through npm's OTP challenge. */
    private void approveStage(Exchange exchange) {
        Staged s = staged(exchange);
        Principal principal = auth.require(exchange);
        String otp = requireOtp(exchange);
        String name = catalog.ecosystems().nameOf(s.release().project());
        Decision decision = gate.approve(
                principal,
                otp,
                NpmEcosystem.ID + ":" + name,
                s.release().version(),
                "npm stage approve",
                List.of(s.file().sha256()),
                exchange.origin());
        answer(exchange, decision, 201);
    }

    /** {@code npm stage reject}: rejects the held release (one eligible approver, second factor). */
    private void rejectStage(Exchange exchange) {
        Staged s = staged(exchange);
        Principal principal = auth.require(exchange);
        String otp = requireOtp(exchange);
        String name = catalog.ecosystems().nameOf(s.release().project());
        Decision decision = gate.reject(
                principal,
                otp,
                NpmEcosystem.ID + ":" + name,
                s.release().version(),
                "npm stage reject",
                exchange.origin());
        answer(exchange, decision, 204);
    }

    /** npm's way of asking for the second factor: a 401 whose {@code WWW-Authenticate} says {@code OTP}. */
    private static String requireOtp(Exchange exchange) {
        String otp = exchange.header("npm-otp");
        if (otp == null || otp.isBlank()) {
            exchange.header("WWW-Authenticate", "OTP");
            throw new Refusal.Unauthenticated(
                    "This operation requires a one-time password from your authenticator app.");
        }
        return otp.strip();
    }

    private static void answer(Exchange exchange, Decision decision, int done) {
        switch (decision) {
            case Decision.Decided d -> {
                if (done == 0) {
                    return;
                }
                if (done == 204) {
                    exchange.status(204).text("application/json", "");
                } else {
                    exchange.status(done)
                            .json(Map.of(
                                    "ok", true, "state", d.release().state().wireName()));
                }
            }
            case Decision.Pending p -> {
                if (done != 0) {
                    exchange.status(201)
                            .header(
                                    "npm-notice",
                                    p.approvals() + " of " + p.required()
                                            + " approvals; the version stays staged until enough people approved it")
                            .json(Map.of(
                                    "ok", true, "state", "held", "approvals", p.approvals(), "required", p.required()));
                }
            }
            case Decision.Forbidden f -> throw new Refusal.Forbidden(f.reason());
            case Decision.NotFound n ->
                throw new Refusal.NotFound("no staged package " + n.project() + "@" + n.version());
            case Decision.AlreadyDecided a -> throw new Refusal.Conflict(a.reason());
        }
    }

    // ---------------------------------------------------------------- deprecate and unpublish

    /**
     * {@code npm deprecate}: the package document sent back with {@code deprecated} set on some
     * versions. Each newly deprecated released version is yanked by the gate (an approver, with a
     * second factor), and served with that message; nothing else a client sends back changes anything.
     */
    private void deprecate(Exchange exchange, Principal principal, String name, NpmBody.MetadataUpdate update) {
        Ecosystems.ProjectRef ref = project(name);
        List<Artifact> released = catalog.releasedArtifacts(ref.key());
        List<String[]> changes = new ArrayList<>();
        for (Artifact file : released) {
            JsonNode message = update.versions().path(file.version()).path("deprecated");
            if (message.isTextual() && !message.asText().isEmpty() && !file.yanked()) {
                changes.add(new String[] {file.version(), message.asText()});
            } else if (message.isTextual() && message.asText().isEmpty() && file.yanked()) {
                throw new Refusal.Forbidden(name + "@" + file.version()
                        + " was yanked through the gate and stays so; publish a new version");
            }
        }
        if (changes.isEmpty()) {
            throw new Refusal.Invalid(
                    "the request carries no tarball (_attachments) and deprecates no released version");
        }
        String otp = requireOtp(exchange);
        for (String[] change : changes) {
            answer(
                    exchange,
                    gate.yank(principal, otp, NpmEcosystem.ID + ":" + name, change[0], change[1], exchange.origin()),
                    0);
        }
        exchange.json(Map.of("ok", true));
    }

    /**
     * {@code npm unpublish}: the versions it removes (all of them with {@code DELETE
     * /npm/<name>/-rev/<rev>}) are quarantined by the gate — hidden from installers at once, kept for
     * forensics, and brought back only by several approvers (docs/POLICY.md). An approver with a
     * second factor decides; a token that may only upload cannot unpublish.
     */
    private void unpublish(Exchange exchange, boolean everything) {
        Principal principal = auth.require(exchange);
        String name = exchange.pathParam("name");
        Ecosystems.ProjectRef ref = project(name);
        List<Artifact> released = catalog.releasedArtifacts(ref.key());
        List<String> removed;
        if (everything) {
            removed = released.stream().map(Artifact::version).distinct().toList();
        } else {
            JsonNode body = exchange.jsonBody(JsonNode.class, (int) NpmPublication.MAX_DOCUMENT_BYTES);
            JsonNode versions = body == null ? null : body.path("versions");
            if (versions == null || !versions.isObject()) {
                throw new Refusal.Invalid("the body must be the package document without the versions to unpublish");
            }
            removed = released.stream()
                    .map(Artifact::version)
                    .distinct()
                    .filter(v -> !versions.has(v))
                    .toList();
        }
        if (!removed.isEmpty()) {
            String otp = requireOtp(exchange);
            for (String version : removed) {
                answer(
                        exchange,
                        gate.quarantine(
                                principal,
                                otp,
                                NpmEcosystem.ID + ":" + name,
                                version,
                                "npm unpublish",
                                exchange.origin()),
                        0);
            }
        }
        exchange.json(Map.of("ok", true));
    }

    /** The document {@code npm unpublish} and {@code npm deprecate} read back first: the full packument with a revision. */
    static String revision(JsonNode packument) {
        return "1-"
                + dev.portcullis.store.Sha256.hex(
                                packument.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8))
                        .substring(0, 32);
    }

    // ---------------------------------------------------------------- dist-tags

    private void distTags(Exchange exchange) {
        Ecosystems.ProjectRef ref = project(exchange.pathParam("name"));
        List<Artifact> released = catalog.releasedArtifacts(ref.key());
        if (released.isEmpty()) {
            throw new Refusal.NotFound("Not found");
        }
        exchange.json(Packuments.tags(
                released, files.of(released.stream().map(Artifact::id).toList()), tags.overrides(ref.key())));
    }

    /** {@code npm dist-tag add|rm}: a recorded request, applied once enough approvers agreed (docs/NPM.md). */
    private void moveTag(Exchange exchange, boolean add) {
        Principal principal = auth.require(exchange);
        String name = exchange.pathParam("name");
        String tag = exchange.pathParam("tag");
        Ecosystems.ProjectRef ref = project(name);
        String version = null;
        if (add) {
            JsonNode body = exchange.jsonBody(JsonNode.class, 4096);
            if (body == null || !body.isTextual()) {
                throw new Refusal.Invalid("the body must be the version as a JSON string");
            }
            String wanted = body.asText();
            if (catalog.releasedArtifacts(ref.key()).stream()
                    .noneMatch(a -> a.version().equals(wanted))) {
                throw new Refusal.NotFound(
                        name + "@" + wanted + " is not a released version; a dist-tag only names released versions");
            }
            version = wanted;
        }
        String command = add ? "add " + name + "@" + version + " " + tag : "rm " + name + " " + tag;
        switch (tags.change(principal, exchange.header("npm-otp"), ref.key(), name, tag, version, exchange.origin())) {
            case NpmTags.Moved moved ->
                exchange.json(Map.of("ok", true, tag, moved.version() == null ? "(removed)" : moved.version()));
            case NpmTags.Waiting w ->
                throw new Refusal.Forbidden("the dist-tag change is recorded and waits for approval (" + w.approvals()
                        + " of " + w.required() + " so far): an approver runs npm dist-tag " + command + " --otp CODE");
            case NpmTags.NeedsSecondFactor n -> {
                exchange.header("WWW-Authenticate", "OTP");
                throw new Refusal.Unauthenticated(
                        "This operation requires a one-time password from your authenticator app.");
            }
        }
    }

    // ---------------------------------------------------------------- installing

    /** The packument: released versions only, their tarballs' own package.json, dist-tags that never name an unreleased version. */
    private void packument(Exchange exchange) {
        String name = unescape(exchange.pathParam("name"));
        Ecosystems.ProjectRef ref;
        try {
            ref = project(name);
        } catch (Refusal.Invalid e) {
            throw new Refusal.NotFound("Not found");
        }
        List<Artifact> released = catalog.releasedArtifacts(ref.key());
        if (released.isEmpty()) {
            throw new Refusal.NotFound("Not found");
        }
        boolean abbreviated = String.valueOf(exchange.header("Accept")).contains(ABBREVIATED);
        JsonNode document = Packuments.of(
                name,
                released,
                files.of(released.stream().map(Artifact::id).toList()),
                tags.overrides(ref.key()),
                baseUrl.get() + "/npm/",
                abbreviated);
        if (!abbreviated
                && exchange.query("write").isPresent()
                && document instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
            o.put("_rev", revision(document)); // npm unpublish and deprecate send it back
        }
        exchange.json(abbreviated ? ABBREVIATED + "; charset=utf-8" : "application/json; charset=utf-8", document);
    }

    /** A released version's tarball; nothing held, rejected or quarantined exists here. */
    private void tarball(Exchange exchange) throws IOException {
        String scope = exchange.pathParam("scope");
        String name = scope == null
                ? unescape(exchange.pathParam("name"))
                : unescape(scope) + "/" + exchange.pathParam("name");
        Ecosystems.ProjectRef ref;
        try {
            ref = project(name);
        } catch (Refusal.Invalid e) {
            throw new Refusal.NotFound("Not found");
        }
        String file = exchange.pathParam("file");
        Artifact artifact =
                catalog.findReleasedArtifact(ref.key(), file).orElseThrow(() -> new Refusal.NotFound("Not found"));
        send(exchange, artifact);
    }

    private void send(Exchange exchange, Artifact artifact) throws IOException {
        Path blob = blobs.find(artifact.sha256()).orElseThrow(() -> new Refusal.NotFound("Not found"));
        exchange.header("Content-Type", "application/octet-stream");
        exchange.header("ETag", "\"" + artifact.sha256() + "\"");
        exchange.sendFile(blob, 0, Files.size(blob));
    }
}
