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
    private final String approveToken;
    private final byte[] approverSecret;
    private long lastStep;
    private final HttpClient http = HttpClient.newHttpClient();

    BenchServer(Path dataDir) {
        Settings settings = Settings.defaults(dataDir).withListener("127.0.0.1", 0);
        this.app = Portcullis.open(settings, Clock.systemUTC(), new SecureRandom());
        this.port = app.serve();
        app.identity().addUser("bench-uploader", new RoleGrant(RoleGrant.EVERY_PROJECT, Role.MAINTAINER), "bench");
        this.uploadToken = app.identity()
                .createToken(
                        new TokenRequest("bench-uploader", "bench", null, Set.of(Permission.UPLOAD), null), "bench")
                .secret();
        NewUser approver =
                app.identity().addUser("bench-approver", new RoleGrant(RoleGrant.EVERY_PROJECT, Role.ADMIN), "bench");
        this.approveToken = app.identity()
                .createToken(
                        new TokenRequest(
                                "bench-approver", "bench", null, Set.of(Permission.APPROVE, Permission.READ), null),
                        "bench")
                .secret();
        MfaEnrollment enrollment = app.identity().enrollMfa(approver.ticket().secret(), Origin.LOCAL);
        this.approverSecret = Totp.fromBase32(enrollment.secret());
        app.identity().confirmMfa(approver.ticket().secret(), nextCode(), Origin.LOCAL);
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    Portcullis app() {
        return app;
    }

    /** A fresh code: each step's code is accepted once, and one step ahead is within the window. */
    private String nextCode() {
        long step = Math.max(Totp.step(System.currentTimeMillis() / 1000), lastStep + 1);
        lastStep = step;
        return Totp.code(approverSecret, step);
    }

    /** Uploads {@code wheel} as twine does (multipart, streamed from the file). */
    HttpResponse<String> upload(String project, String version, Path wheel) throws IOException, InterruptedException {
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
                HttpRequest.newBuilder(URI.create(url() + "/legacy/"))
                        .header("Authorization", "Basic " + basic)
                        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                        .POST(body)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return response;
    }

    /** Approves a held release through the API with a fresh second-factor code. */
    HttpResponse<String> approve(String project, String version) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(
                                URI.create(url() + "/api/v1/projects/" + project + "/releases/" + version + "/approve"))
                        .header("Authorization", "Bearer " + approveToken)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"otp\": \"" + nextCode() + "\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return response;
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
