package dev.portcullis.registry.maven;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import org.bouncycastle.bcpg.sig.IssuerFingerprint;
import org.bouncycastle.openpgp.PGPCompressedData;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.jcajce.JcaPGPObjectFactory;

/**
 * Which OpenPGP key made a detached signature ({@code .asc}, as Maven Central requires beside each
 * file): the issuer's key id, and its v4 fingerprint when the signature carries one. Read only —
 * nothing is verified here (verifying needs the project's public key, which Portcullis does not
 * hold); what it tells is whether a release is signed by the key its previous release was.
 */
final class Signatures {

    /** The signing key: its 64-bit key id in hex (the last 16 digits of a v4 fingerprint), and the fingerprint if given. */
    record Signer(String keyId, String fingerprint) {}

    private Signatures() {}

    static Optional<Signer> signer(byte[] asc) {
        try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(asc))) {
            JcaPGPObjectFactory objects = new JcaPGPObjectFactory(in);
            Object next = objects.nextObject();
            if (next instanceof PGPCompressedData compressed) {
                objects = new JcaPGPObjectFactory(compressed.getDataStream());
                next = objects.nextObject();
            }
            if (!(next instanceof PGPSignatureList list) || list.isEmpty()) {
                return Optional.empty();
            }
            PGPSignature signature = list.get(0);
            String fingerprint = null;
            for (var packets : new org.bouncycastle.openpgp.PGPSignatureSubpacketVector[] {
                signature.getHashedSubPackets(), signature.getUnhashedSubPackets()
            }) {
                IssuerFingerprint issuer = packets == null ? null : packets.getIssuerFingerprint();
                if (fingerprint == null && issuer != null) {
                    fingerprint = HexFormat.of().withUpperCase().formatHex(issuer.getFingerprint());
                }
            }
            long id = signature.getKeyID();
            String keyId = id != 0
                    ? HexFormat.of().withUpperCase().toHexDigits(id)
                    : fingerprint != null && fingerprint.length() >= 16
                            ? fingerprint.substring(fingerprint.length() - 16)
                            : null;
            return keyId == null
                    ? Optional.empty()
                    : Optional.of(new Signer(keyId.toUpperCase(Locale.ROOT), fingerprint));
        } catch (Exception e) {
            return Optional.empty();
        }
    }
}
