package dev.portcullis.provenance;

import dev.sigstore.encryption.signers.Verifiers;
import dev.sigstore.merkle.InclusionProofVerifier;
import dev.sigstore.rekor.client.RekorEntry;
import dev.sigstore.trustroot.SigstoreTrustedRoot;
import dev.sigstore.trustroot.TransparencyLog;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * A transparency-log entry proven to be in a log the trusted root names: its signed entry
 * timestamp (Rekor v1), its inclusion proof up to a root hash, and a checkpoint for that root hash
 * signed by the log. Built from sigstore-java's primitives (log lookup, signature verifiers, the
 * Merkle inclusion proof, the checkpoint parser), with two rules of our own where sigstore-java
 * 2.0.0's {@code RekorVerifier} differs from the specifications:
 *
 * <ul>
 *   <li><b>Which checkpoint signature is the log's.</b> A checkpoint is a signed note (C2SP
 *       signed-note): a verifier picks the signature by key name and key hint. The name is the
 *       note's origin (for Rekor v1 the part of the origin line before {@code " - <tree id>"}), the
 *       hint the first four bytes of the log's key id. sigstore-java compares the name with the
 *       log URL's host, which drops the port, so a log at {@code localhost:8000} (the conformance
 *       suite's {@code intoto-with-custom-trust-root}) never verifies. Cosignatures by witnesses,
 *       in any order, are ignored.
 *   <li><b>The log's key was valid when the entry was logged.</b> With a signed entry timestamp,
 *       the log is looked up by id <em>and</em> by its key's validity at the integrated time (the
 *       trusted root's {@code validFor}); sigstore-java looks it up by id alone. The checkpoint's
 *       tree size must also be the proof's.
 * </ul>
 */
final class LogEntryVerifier {

    /** As sigstore-java: a checkpoint with more signatures than this is refused, not searched. */
    private static final int MAX_CHECKPOINT_SIGNATURES = 20;

    private final List<TransparencyLog> logs;

    LogEntryVerifier(SigstoreTrustedRoot root) {
        this.logs = root.getTLogs();
    }

    void verify(RekorEntry entry) throws StatementVerifier.Failure {
        RekorEntry.Verification verification = entry.getVerification();
        if (verification == null || verification.getInclusionProof() == null) {
            throw new StatementVerifier.Failure("the transparency-log entry has no inclusion proof");
        }
        byte[] logId;
        try {
            logId = HexFormat.of().parseHex(entry.getLogID());
        } catch (IllegalArgumentException e) {
            throw new StatementVerifier.Failure("the transparency-log entry's log id is not hexadecimal");
        }
        String set = verification.getSignedEntryTimestamp();
        boolean timed = set != null && !set.isEmpty();
        Optional<TransparencyLog> found = timed
                ? TransparencyLog.find(logs, logId, entry.getIntegratedTimeInstant())
                : TransparencyLog.find(logs, logId);
        TransparencyLog log = found.orElseThrow(() -> new StatementVerifier.Failure(
                timed
                        ? "no transparency log of the trusted root with this entry's log id had a valid key at "
                                + entry.getIntegratedTimeInstant()
                        : "the entry is from a transparency log the trusted root does not name"));
        PublicKey key;
        try {
            key = log.getPublicKey().toJavaPublicKey();
        } catch (Exception e) {
            throw new StatementVerifier.Failure("the transparency log's key cannot be read: " + e.getMessage());
        }
        if (timed && !verifies(key, entry.getSignableContent(), base64(set))) {
            throw new StatementVerifier.Failure("the signed entry timestamp is not the log's signature");
        }
        RekorEntry.InclusionProof proof = verification.getInclusionProof();
        byte[] rootHash;
        try {
            rootHash = HexFormat.of().parseHex(proof.getRootHash());
            InclusionProofVerifier.verify(
                    leafHash(entry),
                    proof.getLogIndex(),
                    proof.getTreeSize(),
                    proof.getHashes().stream().map(HexFormat.of()::parseHex).toList(),
                    rootHash);
        } catch (Exception e) {
            throw new StatementVerifier.Failure("the inclusion proof does not verify: " + e.getMessage());
        }
        checkpoint(proof, rootHash, logId, key);
    }

    private static void checkpoint(RekorEntry.InclusionProof proof, byte[] rootHash, byte[] logId, PublicKey key)
            throws StatementVerifier.Failure {
        RekorEntry.Checkpoint checkpoint;
        try {
            checkpoint = proof.parsedCheckpoint();
        } catch (Exception e) {
            throw new StatementVerifier.Failure("the checkpoint cannot be read: " + e.getMessage());
        }
        if (checkpoint.getSignatures().size() > MAX_CHECKPOINT_SIGNATURES) {
            throw new StatementVerifier.Failure(
                    "the checkpoint carries more than " + MAX_CHECKPOINT_SIGNATURES + " signatures");
        }
        if (!Arrays.equals(base64(checkpoint.getBase64Hash()), rootHash)) {
            throw new StatementVerifier.Failure("the checkpoint is for another root hash than the inclusion proof");
        }
        if (!checkpoint.getSize().equals(proof.getTreeSize())) {
            throw new StatementVerifier.Failure("the checkpoint is for a tree of " + checkpoint.getSize()
                    + " entries, the inclusion proof for " + proof.getTreeSize());
        }
        String name = keyName(checkpoint.getOrigin());
        byte[] hint = Arrays.copyOf(logId, 4);
        byte[] signed = checkpoint.getSignedData().getBytes(StandardCharsets.UTF_8);
        boolean logSigned = checkpoint.getSignatures().stream()
                .filter(s -> s.getIdentity().equals(name) && Arrays.equals(s.getKeyHint(), hint))
                .anyMatch(s -> verifies(key, signed, s.getSignature()));
        if (!logSigned) {
            throw new StatementVerifier.Failure("the checkpoint carries no valid signature by the log (" + name + ")");
        }
    }

    /** The signer name a checkpoint's origin line gives: Rekor v1 writes "name - tree id", Rekor v2 the name alone. */
    static String keyName(String origin) {
        int dash = origin.indexOf(" - ");
        return dash < 0 ? origin : origin.substring(0, dash);
    }

    private static byte[] leafHash(RekorEntry entry) throws Exception {
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        sha256.update((byte) 0x00); // RFC 6962 leaf prefix
        sha256.update(Base64.getDecoder().decode(entry.getBody()));
        return sha256.digest();
    }

    private static boolean verifies(PublicKey key, byte[] content, byte[] signature) {
        try {
            return Verifiers.newVerifier(key).verify(content, signature);
        } catch (Exception e) {
            return false;
        }
    }

    private static byte[] base64(String text) throws StatementVerifier.Failure {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new StatementVerifier.Failure("the transparency-log entry holds invalid base64");
        }
    }
}
