package dev.portcullis.cli;

import dev.portcullis.app.Portcullis;
import dev.portcullis.app.Settings;
import dev.portcullis.core.Origin;
import dev.portcullis.identity.MfaEnrollment;
import dev.portcullis.identity.NewUser;
import dev.portcullis.identity.Permission;
import dev.portcullis.identity.Role;
import dev.portcullis.identity.RoleGrant;
import dev.portcullis.identity.TokenRequest;
import dev.portcullis.identity.Totp;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.Set;

/**
 * A Portcullis for a benchmark: the embedded default (SQLite and local files) in a scratch
 * directory, listening on a free loopback port, with an uploader and an approver who has a second
 * factor. Files reach it the way clients send them: twine's multipart upload, the approval API.
 */
final class BenchServer implements AutoCloseable {

    private final Portcullis app;
    private final int port;
    private final String uploadToken;
    /** People who approve: each may use a one-time code once per 30-second step, one step either side. */
    private final java.util.List<Approver> approvers = new java.util.ArrayList<>();

    private final HttpClient http = HttpClient.newHttpClient();

    private static final class Approver {
        final String token;
        final byte[] secret;
        long lastStep;

        Approver(String token, byte[] secret) {
            this.token = token;
            this.secret = secret;
        }
    }

    BenchServer(Path dataDir) {
        this(Settings.defaults(dataDir).withListener("127.0.0.1", 0));
    }

    /** A Portcullis on {@code settings} (another database, a bucket), with the same people. */
    BenchServer(Settings settings) {
        this.app = Portcullis.open(settings, Clock.systemUTC(), new SecureRandom());
        this.port = app.serve();
        app.identity().addUser("bench-uploader", new RoleGrant(RoleGrant.EVERY_PROJECT, Role.MAINTAINER), "bench");
        this.uploadToken = app.identity()
                .createToken(
                        new TokenRequest("bench-uploader", "bench", null, Set.of(Permission.UPLOAD), null), "bench")
                .secret();
        addApprover();
    }

    /** A new upload token for {@code project} only, as a team gives each package's release job its own. */
    String uploadToken(String project) {
        return app.identity()
                .createToken(
                        new TokenRequest("bench-uploader", "bench", project, Set.of(Permission.UPLOAD), null), "bench")
                .secret();
    }

    /** A new approver, enrolled with a second factor (which uses one of its codes). */
    private Approver addApprover() {
        String name = "bench-approver-" + (approvers.size() + 1);
        NewUser approver = app.identity().addUser(name, new RoleGrant(RoleGrant.EVERY_PROJECT, Role.ADMIN), "bench");
        String token = app.identity()
                .createToken(
                        new TokenRequest(name, "bench", null, Set.of(Permission.APPROVE, Permission.READ), null),
                        "bench")
                .secret();
        MfaEnrollment enrollment = app.identity().enrollMfa(approver.ticket().secret(), Origin.LOCAL);
        Approver added = new Approver(token, Totp.fromBase32(enrollment.secret()));
        approvers.add(added);
        app.identity().confirmMfa(approver.ticket().secret(), nextCode(added).orElseThrow(), Origin.LOCAL);
        return added;
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    Portcullis app() {
        return app;
    }

    /** A fresh code of {@code approver}'s, if one is left in the window (the step before, now, the step after). */
    private static java.util.Optional<String> nextCode(Approver approver) {
        long now = Totp.step(System.currentTimeMillis() / 1000);
        long step = Math.max(now - 1, approver.lastStep + 1);
        if (step > now + 1) {
            return java.util.Optional.empty();
        }
        approver.lastStep = step;
        return java.util.Optional.of(Totp.code(approver.secret, step));
    }

    /** Uploads {@code wheel} as twine does (multipart, streamed from the file). */
    HttpResponse<String> upload(String project, String version, Path wheel) throws IOException, InterruptedException {
        return uploadTo(url(), project, version, wheel);
    }

    /** The same, to another instance sharing this one's database (bench cluster). */
    HttpResponse<String> uploadTo(String server, String project, String version, Path wheel)
            throws IOException, InterruptedException {
        String boundary = "bench" + Long.toHexString(System.nanoTime());
        StringBuilder head = new StringBuilder();
        String[][] fields = {
            {":action", "file_upload"},
            {"protocol_version", "1"},
            {"metadata_version", "2.1"},
            {"name", project},
            {"version", version},
            {"filetype", "bdist_wheel"},
            {"pyversion", "py3"},
            {"sha256_digest", dev.portcullis.store.Sha256.hex(wheel)},
        };
        for (String[] f : fields) {
            head.append("--")
                    .append(boundary)
                    .append("\r\nContent-Disposition: form-data; name=\"")
                    .append(f[0])
                    .append("\"\r\n\r\n")
                    .append(f[1])
                    .append("\r\n");
        }
        head.append("--")
                .append(boundary)
                .append("\r\nContent-Disposition: form-data; name=\"content\"; filename=\"")
                .append(wheel.getFileName())
                .append("\"\r\nContent-Type: application/octet-stream\r\n\r\n");
        HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.concat(
                HttpRequest.BodyPublishers.ofString(head.toString()),
                HttpRequest.BodyPublishers.ofFile(wheel),
                HttpRequest.BodyPublishers.ofString("\r\n--" + boundary + "--\r\n"));
        String basic =
                Base64.getEncoder().encodeToString(("__token__:" + uploadToken).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(server + "/legacy/"))
                        .header("Authorization", "Basic " + basic)
                        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                        .POST(body)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return response;
    }

    /** Approves a held release through the API with a fresh second-factor code. */
    HttpResponse<String> approve(String project, String version) throws IOException, InterruptedException {
        Approver approver = null;
        String code = null;
        for (Approver a : approvers) {
            java.util.Optional<String> next = nextCode(a);
            if (next.isPresent()) {
                approver = a;
                code = next.get();
                break;
            }
        }
        if (approver == null) {
            approver = addApprover();
            code = nextCode(approver).orElseThrow();
        }
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(
                                URI.create(url() + "/api/v1/projects/" + project + "/releases/" + version + "/approve"))
                        .header("Authorization", "Bearer " + approver.token)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"otp\": \"" + code + "\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return response;
    }

    /** Signs in to the approver page with an approver's read token; returns the session cookie (name=value). */
    String webSession() throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(url() + "/ui/sign-in/token"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("token="
                                + java.net.URLEncoder.encode(approvers.getFirst().token, StandardCharsets.UTF_8)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        BenchRead.require("web sign-in", response, 303);
        return response.headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0];
    }

    /** A GET with headers, answered as text. */
    HttpResponse<String> getText(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url() + path));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** An approver's API token (read and approve). */
    String approverToken() {
        return approvers.getFirst().token;
    }

    /** A Maven deploy PUT with the upload token (Basic, user {@code __token__}). */
    HttpResponse<String> put(String path, byte[] body) throws IOException, InterruptedException {
        String basic =
                Base64.getEncoder().encodeToString(("__token__:" + uploadToken).getBytes(StandardCharsets.UTF_8));
        return http.send(
                HttpRequest.newBuilder(URI.create(url() + path))
                        .header("Authorization", "Basic " + basic)
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** An anonymous GET, as an installer sends it. */
    HttpResponse<byte[]> get(String path, String accept) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create(url() + path))
                        .header("Accept", accept)
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    @Override
    public void close() {
        app.close();
    }
}
