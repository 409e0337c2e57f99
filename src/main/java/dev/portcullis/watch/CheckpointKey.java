package dev.portcullis.watch;

import dev.portcullis.store.Sha256;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * The Ed25519 key that signs event-log checkpoints. It lives in files beside the database, never
 * in it ({@code keys/event-checkpoint.key}, owner-only; the public half in {@code .pub}), so
 * someone who can rewrite the database cannot re-sign a rewritten history.
 */
public final class CheckpointKey {

    private final PrivateKey privateKey;
    private final PublicKey publicKey;

    private CheckpointKey(PrivateKey privateKey, PublicKey publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
    }

    /** Loads the key from {@code dataDir/keys}, creating it on first use. */
    public static CheckpointKey open(Path dataDir, SecureRandom random) {
        Path dir = dataDir.resolve("keys");
        Path priv = dir.resolve("event-checkpoint.key");
        Path pub = dir.resolve("event-checkpoint.pub");
        try {
            if (!Files.exists(priv)) {
                dev.portcullis.store.PrivateFiles.createDirectories(dir);
                KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
                generator.initialize(255, random);
                KeyPair pair = generator.generateKeyPair();
                Files.writeString(
                        pub, Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()));
                dev.portcullis.store.PrivateFiles.writeAtomically(
                        priv,
                        Base64.getEncoder()
                                .encodeToString(pair.getPrivate().getEncoded())
                                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            }
            KeyFactory factory = KeyFactory.getInstance("Ed25519");
            PrivateKey privateKey = factory.generatePrivate(new PKCS8EncodedKeySpec(
                    Base64.getDecoder().decode(Files.readString(priv).strip())));
            return new CheckpointKey(privateKey, publicKey(pub));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the checkpoint key in " + dir, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the checkpoint key in " + dir + " is unusable", e);
        }
    }

    /** Reads a public key written by {@link #open} (base64 of the X.509 encoding). */
    public static PublicKey publicKey(Path file) throws IOException {
        try {
            return KeyFactory.getInstance("Ed25519")
                    .generatePublic(new X509EncodedKeySpec(
                            Base64.getDecoder().decode(Files.readString(file).strip())));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException(file + " is not an Ed25519 public key", e);
        }
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    /** The first 16 hex digits of the SHA-256 of the public key's encoding. */
    public static String keyId(PublicKey key) {
        return Sha256.hex(key.getEncoded()).substring(0, 16);
    }

    public String sign(String payload) {
        try {
            Signature signer = Signature.getInstance("Ed25519");
            signer.initSign(privateKey);
            signer.update(payload.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(signer.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static boolean verify(PublicKey key, String payload, String signature) {
        try {
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(key);
            verifier.update(payload.getBytes(StandardCharsets.UTF_8));
            return verifier.verify(Base64.getDecoder().decode(signature));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }
}
