package dev.portcullis.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts secrets that must be stored but never in plain text (TOTP seeds, later upstream
 * credentials): AES-256-GCM with a random 96-bit nonce, under a key kept outside the database.
 *
 * <p>The key comes from {@code PORTCULLIS_SECRET_KEY} (base64, 32 bytes) when set, otherwise from
 * {@code keys/secret.key} in the data directory, created with mode 0600 on first start. Processes
 * sharing a PostgreSQL database must share the key. The associated data binds a ciphertext to its
 * purpose, so one secret cannot be swapped in for another.
 */
public final class SecretBox {

    private static final String PREFIX = "v1:";
    private final SecretKeySpec key;
    private final SecureRandom random;

    SecretBox(byte[] key, SecureRandom random) {
        if (key.length != 32) {
            throw new IllegalArgumentException("the secret key must be 32 bytes (AES-256)");
        }
        this.key = new SecretKeySpec(key, "AES");
        this.random = random;
    }

    /** Loads (or on first use creates) the key as described above. */
    public static SecretBox open(Path dataDir, String environmentKey, SecureRandom random) {
        if (environmentKey != null && !environmentKey.isBlank()) {
            return new SecretBox(Base64.getDecoder().decode(environmentKey.trim()), random);
        }
        Path file = dataDir.resolve("keys").resolve("secret.key");
        try {
            if (!Files.exists(file)) {
                byte[] fresh = new byte[32];
                random.nextBytes(fresh);
                PrivateFiles.writeAtomically(file, Base64.getEncoder().encode(fresh));
            }
            return new SecretBox(
                    Base64.getDecoder().decode(Files.readString(file).trim()), random);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the secret key " + file, e);
        }
    }

    public String seal(byte[] plaintext, String purpose) {
        try {
            byte[] nonce = new byte[12];
            random.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            cipher.updateAAD(purpose.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plaintext);
            byte[] out = new byte[nonce.length + sealed.length];
            System.arraycopy(nonce, 0, out, 0, nonce.length);
            System.arraycopy(sealed, 0, out, nonce.length, sealed.length);
            return PREFIX + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is required by the Java platform", e);
        }
    }

    /** Decrypts; fails if the text was altered, sealed for another purpose, or under another key. */
    public byte[] open(String sealed, String purpose) {
        if (sealed == null || !sealed.startsWith(PREFIX)) {
            throw new IllegalStateException("not a sealed secret");
        }
        byte[] in = Base64.getDecoder().decode(sealed.substring(PREFIX.length()));
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, in, 0, 12));
            cipher.updateAAD(purpose.getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(in, 12, in.length - 12);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("sealed secret cannot be opened (wrong key or altered data)", e);
        }
    }
}
