package dev.portcullis.provenance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.identity.BuildRules;
import dev.portcullis.identity.TrustedPublisher;
import dev.portcullis.identity.TrustedPublishing;
import dev.portcullis.publish.AttestationCheck;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;

/**
 * Checks the attestations sent with an upload — PyPI's {@code attestations} form field (a JSON
 * array of PEP 740 attestations) or npm's {@code .sigstore} attachment (one Sigstore bundle, a JSON
 * object, holding an in-toto statement about the package): each must verify cryptographically for
 * this file (signed by the identity in its own Fulcio certificate); then the signer must be one of
 * the project's trusted publishers. A forged or
 * tampered attestation refuses the upload; a genuine one by another signer is recorded as a
 * mismatch, which the gate holds with the reason.
 */
public final class AttestationChecker implements AttestationCheck {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ATTESTATIONS = 10;

    private final ProvenanceVerifier verifier;
    private final TrustedPublishing publishing;
    private final java.util.function.Supplier<ProvenanceVerifier> drill;
    private ProvenanceVerifier drillVerifier;
    private final SourceCommits sourceCommits;

    /**
     * {@code verifier} is null when the server has no Sigstore trusted root: attestations are then
     * kept, unverified (the gate holds). {@code drill} verifies against the drill Sigstore's root,
     * for open drill sandboxes only and instead of {@code verifier} there. {@code sourceCommits},
     * when not null, is asked whether a GitHub publisher's attested commit is on the attested ref.
     */
    public AttestationChecker(
            ProvenanceVerifier verifier,
            TrustedPublishing publishing,
            java.util.function.Supplier<ProvenanceVerifier> drill,
            SourceCommits sourceCommits) {
        this.sourceCommits = sourceCommits;
        this.verifier = verifier;
        this.publishing = publishing;
        this.drill = drill;
    }

    @Override
    public Result check(
            String project, String filename, Path file, String attestationsJson, Predicate<String> namesThisFile) {
        ProvenanceVerifier verifier = publishing.isOpenDrillSandbox(project) ? drillVerifier() : this.verifier;
        if (verifier == null) {
            return new Checked(
                    false,
                    null,
                    null,
                    null,
                    null,
                    null,
                    Map.of(),
                    "this server has no Sigstore trusted root configured (serve --sigstore-trusted-root), so the attestations were not verified");
        }
        if (attestationsJson.stripLeading().startsWith("{")) {
            return checkBundle(verifier, project, file, attestationsJson, namesThisFile);
        }
        List<Pep740Attestation> attestations = new ArrayList<>();
        try {
            JsonNode array = JSON.readTree(attestationsJson);
            if (array == null || !array.isArray() || array.isEmpty() || array.size() > MAX_ATTESTATIONS) {
                return new Invalid("attestations must be a JSON array of 1 to " + MAX_ATTESTATIONS
                        + " PEP 740 attestation objects");
            }
            for (JsonNode node : array) {
                attestations.add(Pep740Attestation.from(node));
            }
        } catch (Exception e) {
            return new Invalid(
                    e instanceof IllegalArgumentException ? e.getMessage() : "attestations are not valid JSON");
        }
        Checked first = null;
        for (Pep740Attestation attestation : attestations) {
            Optional<ProvenanceVerifier.Signer> signer = ProvenanceVerifier.signer(attestation);
            if (signer.isEmpty()) {
                return new Invalid("an attestation's certificate names no signer identity and issuer");
            }
            ProvenanceVerifier.Result result = verifier.verifyAttestation(
                    attestation,
                    filename,
                    file,
                    ExpectedIdentity.exactly(
                            signer.get().identity(), signer.get().issuer()),
                    namesThisFile);
            if (result instanceof ProvenanceVerifier.Failed failed) {
                return new Invalid(failed.reason());
            }
            ProvenanceVerifier.Verified verified = (ProvenanceVerifier.Verified) result;
            Checked checked = match(project, signer.get(), verified);
            if (first == null || (!first.verified() && checked.verified())) {
                first = checked;
            }
        }
        return first;
    }

    /** One Sigstore bundle (npm's provenance): verified against its own signer, then matched to a trusted publisher. */
    private Result checkBundle(
            ProvenanceVerifier verifier,
            String project,
            Path file,
            String bundleJson,
            Predicate<String> namesThisFile) {
        if (bundleJson.length() > Pep740Attestation.MAX_BYTES) {
            return new Invalid("the provenance bundle is larger than " + Pep740Attestation.MAX_BYTES + " bytes");
        }
        Optional<String> malformed = ProvenanceVerifier.notABundle(bundleJson);
        if (malformed.isPresent()) {
            return new Invalid(malformed.get());
        }
        Optional<ProvenanceVerifier.Signer> signer = ProvenanceVerifier.signer(bundleJson);
        if (signer.isEmpty()) {
            return new Invalid("the bundle's signing certificate names no signer identity and issuer");
        }
        ExpectedIdentity itsSigner =
                ExpectedIdentity.exactly(signer.get().identity(), signer.get().issuer());
        ProvenanceVerifier.Result result = verifier.verifyBundle(bundleJson, file, itsSigner, namesThisFile);
        return switch (result) {
            case ProvenanceVerifier.Failed failed -> new Invalid(failed.reason());
            case ProvenanceVerifier.Verified verified -> match(project, signer.get(), verified);
        };
    }

    /** Made on the first drill upload: the drill Sigstore's keys exist only once a drill needs them. */
    private synchronized ProvenanceVerifier drillVerifier() {
        if (drillVerifier == null) {
            drillVerifier = drill.get();
        }
        return drillVerifier;
    }

    @Override
    public void record(Handle h, long fileId, String attestationsJson, Checked checked) {
        ProvenanceStore.insert(h, fileId, attestationsJson, checked);
    }

    /**
     * Whether the (already verified) signer is one of the project's trusted publishers, and its build
     * one the publisher allows: the signer's identity and source repository, then what the
     * certificate says about the build ({@link #buildMismatch}). A genuine signature from the right
     * repository whose build breaks a rule is kept unverified with the rule named, so the gate holds it.
     */
    private Checked match(String project, ProvenanceVerifier.Signer signer, ProvenanceVerifier.Verified verified) {
        String broken = null;
        for (TrustedPublishing.Registered registered : publishing.list(project)) {
            Optional<ExpectedIdentity> expected = identityOf(registered.publisher());
            if (expected.isPresent()
                    && matches(expected.get(), signer)
                    && sameSource(registered.publisher(), verified)) {
                Optional<String> mismatch = buildMismatch(registered.publisher(), verified.source())
                        .or(() -> commitNotOnRef(project, registered.publisher(), verified.source()));
                if (mismatch.isPresent()) {
                    broken = broken != null
                            ? broken
                            : "signed by " + signer.identity() + ", the trusted publisher "
                                    + registered.publisher().describe() + ", but from a build it does not allow: "
                                    + mismatch.get();
                    continue;
                }
                return new Checked(
                        true,
                        signer.identity(),
                        signer.issuer(),
                        registered.publisher().describe(),
                        registered.publisher().kind(),
                        registered.publisher().config(),
                        verified.source(),
                        null);
            }
        }
        return new Checked(
                false,
                signer.identity(),
                signer.issuer(),
                null,
                null,
                null,
                verified.source(),
                broken != null
                        ? broken
                        : "attested by " + signer.identity() + " (" + signer.issuer()
                                + "), which is not a trusted publisher of " + project);
    }

    /** With {@code --check-source-commits}, for a GitHub publisher of a real project: whether the forge has the commit on the ref. */
    private Optional<String> commitNotOnRef(
            String project, TrustedPublisher publisher, Map<String, String> certificate) {
        if (sourceCommits == null
                || !(publisher instanceof TrustedPublisher.GitHub g)
                || publishing.isOpenDrillSandbox(project)) {
            return Optional.empty();
        }
        return sourceCommits.notOnRef(
                g.owner() + "/" + g.repository(),
                certificate.get("source_repository_ref"),
                certificate.get("source_repository_digest"));
    }

    /**
     * What the Fulcio certificate says about the build, against what the publisher allows: for
     * GitHub, the repository owner's numeric id (extension .17, as the token exchange checks {@code
     * repository_owner_id}: a deleted and re-created account of the same name is another owner) and
     * the workflow that was started (build config, .18: a release workflow called as a reusable
     * workflow from another workflow of the repository names the caller here); then the publisher's
     * {@link BuildRules} on the ref (.14), trigger (.20) and runner (.11). Empty when all hold.
     */
    static Optional<String> buildMismatch(TrustedPublisher publisher, Map<String, String> certificate) {
        if (publisher instanceof TrustedPublisher.GitHub g) {
            String ownerId = certificate.get("source_repository_owner_id");
            // Fail closed: Fulcio has written both extensions for GitHub since 2023; a certificate
            // without them cannot show the build is the publisher's.
            if (ownerId == null) {
                return Optional.of("owner id: the certificate does not name the repository owner's id");
            }
            if (!ownerId.equals(g.ownerId())) {
                return Optional.of("owner id: the repository's owner has id " + ownerId + ", the publisher's "
                        + g.ownerId() + " (an account of the same name that was deleted and re-created is another"
                        + " owner)");
            }
            String config = certificate.get("build_config_uri");
            String expected = "https://github.com/" + g.owner() + "/" + g.repository() + "/.github/workflows/"
                    + g.workflow() + "@";
            if (config == null) {
                return Optional.of("workflow: the certificate does not name the workflow that was started");
            }
            if (!config.regionMatches(true, 0, expected, 0, expected.length())) {
                return Optional.of("workflow: the run was started by " + config + ", not by " + expected + "<ref>");
            }
        }
        BuildRules.Platform platform =
                publisher instanceof TrustedPublisher.GitLab ? BuildRules.Platform.GITLAB : BuildRules.Platform.GITHUB;
        if (publisher instanceof TrustedPublisher.GitHub || publisher instanceof TrustedPublisher.GitLab) {
            return publisher
                    .rules()
                    .mismatch(
                            new BuildRules.Build(
                                    certificate.get("source_repository_ref"),
                                    certificate.get("build_trigger"),
                                    certificate.get("runner_environment")),
                            platform);
        }
        return Optional.empty();
    }

    /** The Fulcio identity a trusted publisher's CI signs with. */
    static Optional<ExpectedIdentity> identityOf(TrustedPublisher publisher) {
        return switch (publisher) {
            case TrustedPublisher.GitHub g ->
                Optional.of(ExpectedIdentity.githubWorkflow(g.owner(), g.repository(), g.workflow()));
            case TrustedPublisher.GitLab g ->
                Optional.of(new ExpectedIdentity(
                        null,
                        Pattern.compile(
                                Pattern.quote((g.issuerUrl() == null ? "https://gitlab.com" : g.issuerUrl()) + "/"
                                                + g.projectPath() + "//" + g.ciConfigPath() + "@")
                                        + ".+",
                                Pattern.CASE_INSENSITIVE),
                        g.issuerUrl() == null ? "https://gitlab.com" : g.issuerUrl()));
            case TrustedPublisher.Google g ->
                Optional.of(ExpectedIdentity.exactly(g.email(), "https://accounts.google.com"));
            case TrustedPublisher.Generic g -> Optional.empty();
        };
    }

    /**
     * For GitHub, the certificate's source repository (Fulcio extension 1.3.6.1.4.1.57264.1.12) must
     * be the publisher's repository too: with a reusable workflow, the identity names the called
     * workflow, and the source names the repository that was built.
     */
    private static boolean sameSource(TrustedPublisher publisher, ProvenanceVerifier.Verified verified) {
        if (publisher instanceof TrustedPublisher.GitHub g) {
            return ("https://github.com/" + g.owner() + "/" + g.repository())
                    .equalsIgnoreCase(verified.source().getOrDefault("source_repository_uri", ""));
        }
        return true;
    }

    private static boolean matches(ExpectedIdentity expected, ProvenanceVerifier.Signer signer) {
        boolean identity = expected.san() != null
                ? expected.san().equals(signer.identity())
                : expected.sanPattern().matcher(signer.identity()).matches();
        return identity && expected.issuer().equals(signer.issuer());
    }
}
