package dev.portcullis.upstream;

import dev.portcullis.inspect.PackageFormat;
import dev.portcullis.net.GuardedHttp;
import dev.portcullis.publish.Artifact;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One ecosystem's public registry, as the watcher and the promoter speak to it (a port; each
 * registry plug-in implements it): a project's files there with their digests, and the upload of a
 * file the gate approved. Everything around it — schedules, comparisons, inspection of dependency
 * releases, alerts, retries — is the upstream feature's and the same for every ecosystem.
 *
 * <p>Implementations go through the {@link GuardedHttp} client they are given (the outbound policy
 * applies to every URL, listed file URLs included) and never put what the other server answered
 * into an exception message: it would reach a watch's last error and alerts.
 */
public interface UpstreamProtocol {

    /** The ecosystem whose registry this is ({@code pypi}). */
    String ecosystem();

    /** The indexes a watch may name instead of a URL ({@code pypi} → {@code https://pypi.org}). */
    Map<String, String> wellKnownIndexes();

    /** Where promotion uploads when a target names no URL ({@code https://upload.pypi.org/legacy/}). */
    String defaultUploadUrl();

    /** The ecosystem's package files, for inspecting dependency releases. */
    PackageFormat format();

    /** A project's files on the index at {@code indexUrl}, with {@code If-None-Match} when {@code etag} is known. */
    Answer list(GuardedHttp http, String indexUrl, String project, String etag) throws IOException;

    /** Uploads one approved file to {@code uploadUrl} with {@code credential}, streaming it from {@code blob}. */
    Pushed push(GuardedHttp http, String uploadUrl, String credential, Approved file, Path blob) throws IOException;

    /**
     * Ends the promotion of a release once every file of it was pushed: what the protocol's own
     * clients send last (Maven: the artifact's {@code maven-metadata.xml} with the version added,
     * which a repository that takes deployments lists versions from). Nothing by default.
     */
    default Pushed finish(GuardedHttp http, String uploadUrl, String credential, String project, String version)
            throws IOException {
        return new Uploaded();
    }

    /**
     * The digest of a file the gate released, in the form {@link File#digest()} has on this index, so
     * the two compare as strings.
     */
    String digestOf(Artifact local);

    /**
     * One file as the index lists it: {@code digest} is the index's own digest of it, prefixed with
     * its algorithm and normalised by the protocol ({@code sha256:<hex>} on PyPI, npm's SRI {@code
     * sha512-<base64>}); {@code url} is where to download it.
     */
    record File(String version, String filename, String digest, long size, String uploadTime, String url) {}

    /** What a listing found: nothing new (304), no such project (404), or the files and the new ETag. */
    sealed interface Answer {}

    record NotModified() implements Answer {}

    record Missing() implements Answer {}

    record Listing(List<File> files, String etag) implements Answer {}

    /** An approved file to push: the project's name in its ecosystem (no prefix), and the file as the gate has it. */
    record Approved(long fileId, String project, String version, String filename, String kind, String sha256) {}

    /** How a push ended: uploaded; already there with these bytes (a retry after a crash); or refused with an HTTP status. */
    sealed interface Pushed {}

    record Uploaded() implements Pushed {}

    record AlreadyThere() implements Pushed {}

    record Refused(int status) implements Pushed {}
}
