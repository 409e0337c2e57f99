package dev.portcullis.cli;

import dev.portcullis.provenance.ExpectedIdentity;
import dev.portcullis.provenance.Pep740Attestation;
import dev.portcullis.provenance.ProvenanceVerifier;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Detached, offline verification of build provenance (docs/PROVENANCE.md). */
@Command(
        name = "provenance",
        description = "Build provenance (PEP 740 attestations, Sigstore bundles).",
        subcommands = {ProvenanceCommand.Verify.class})
final class ProvenanceCommand {

    @Command(
            name = "verify",
            description = "Verify an attestation or bundle for a file, offline. Exit 0 verified, 1 not.")
    static final class Verify implements Callable<Integer> {
        @Option(names = "--artifact", required = true, paramLabel = "FILE", description = "The distribution file.")
        Path artifact;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Evidence evidence;

        static final class Evidence {
            @Option(names = "--attestation", paramLabel = "FILE", description = "A PEP 740 attestation (JSON).")
            Path attestation;

            @Option(names = "--bundle", paramLabel = "FILE", description = "A Sigstore bundle (JSON).")
            Path bundle;
        }

        @ArgGroup(exclusive = true, multiplicity = "1")
        Signer signer;

        static final class Signer {
            @Option(
                    names = "--identity",
                    paramLabel = "SAN",
                    description = "The signer's certificate identity, exactly.")
            String identity;

            @Option(
                    names = "--identity-regex",
                    paramLabel = "REGEX",
                    description = "The signer's identity as a regular expression.")
            String regex;
        }

        @Option(
                names = "--issuer",
                required = true,
                paramLabel = "URL",
                description = "The OIDC issuer Fulcio recorded, exactly.")
        String issuer;

        @Option(
                names = "--trusted-root",
                required = true,
                paramLabel = "FILE",
                description = "Sigstore trusted root (trusted_root.json) to verify against, offline.")
        Path trustedRoot;

        @Option(
                names = "--filename",
                paramLabel = "NAME",
                description = "The distribution's file name, if the artifact is stored under another.")
        String filename;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            ExpectedIdentity expected = signer.identity != null
                    ? ExpectedIdentity.exactly(signer.identity, issuer)
                    : new ExpectedIdentity(null, Pattern.compile(signer.regex), issuer);
            String name = filename != null ? filename : artifact.getFileName().toString();
            PrintWriter out = spec.commandLine().getOut();
            ProvenanceVerifier verifier;
            try {
                verifier = new ProvenanceVerifier(trustedRoot, java.time.Clock.systemUTC());
            } catch (IllegalArgumentException e) {
                // Nothing verifies against a root that cannot be trusted: the answer is "no".
                out.println("NOT VERIFIED " + name + ": " + e.getMessage());
                return 1;
            }
            ProvenanceVerifier.Result result = evidence.attestation != null
                    ? verifier.verifyAttestation(
                            Pep740Attestation.parse(Files.readString(evidence.attestation)),
                            name,
                            artifact,
                            expected,
                            subject -> dev.portcullis.app.Portcullis.registryFor(name, "pypi")
                                    .ecosystem()
                                    .namesFile(subject, null, null, name))
                    : verifier.verifyBundle(Files.readString(evidence.bundle), artifact, expected);
            switch (result) {
                case ProvenanceVerifier.Verified v -> {
                    out.println("VERIFIED " + name);
                    out.println("  signed by   " + v.identity());
                    out.println("  issuer      " + v.issuer());
                    out.println("  predicate   " + v.predicateType());
                    v.source()
                            .forEach((k, value) -> out.printf(
                                    java.util.Locale.ROOT,
                                    "  %-11s %s%n",
                                    k.replace("source_repository_", "source ").replace("_", " "),
                                    value));
                    return 0;
                }
                case ProvenanceVerifier.Failed f -> {
                    out.println("NOT VERIFIED " + name + ": " + f.reason());
                    return 1;
                }
            }
        }
    }
}
