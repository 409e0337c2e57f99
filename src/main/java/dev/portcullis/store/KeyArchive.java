package dev.portcullis.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.stream.Stream;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.generators.SCrypt;

/**
 * The data directory's keys ({@code keys/}: the sealing key of stored secrets, the checkpoint
 * signing key) as one file encrypted with a passphrase: scrypt (N=2^15, r=8, p=1, 16-byte salt)
 * derives an AES-256-GCM key; the file names are authenticated with the contents. Whoever holds a
 * backup without the passphrase cannot open a TOTP seed or sign a checkpoint.
 */
final class KeyArchive {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int N = 1 << 15;
    private static final int R = 8;
    private static final int P = 1;

    private KeyArchive() {}

    static void write(Path keys, Path to, char[] passphrase) throws IOException {
        ObjectNode files = JSON.createObjectNode();
        if (Files.isDirectory(keys)) {
            try (Stream<Path> entries = Files.list(keys)) {
                for (Path file : entries.filter(Files::isRegularFile).sorted().toList()) {
                    files.put(
                            file.getFileName().toString(),
                            Base64.getEncoder().encodeToString(Files.readAllBytes(file)));
                }
            }
        }
        SecureRandom random = new SecureRandom();
        byte[] salt = new byte[16];
        byte[] nonce = new byte[12];
        random.nextBytes(salt);
        random.nextBytes(nonce);
        byte[] sealed = crypt(Cipher.ENCRYPT_MODE, passphrase, salt, nonce, JSON.writeValueAsBytes(files));
        ObjectNode out = JSON.createObjectNode();
        out.put("kdf", "scrypt").put("n", N).put("r", R).put("p", P);
        out.put("salt", Base64.getEncoder().encodeToString(salt));
        out.put("cipher", "AES-256-GCM");
        out.put("nonce", Base64.getEncoder().encodeToString(nonce));
        out.put("sealed", Base64.getEncoder().encodeToString(sealed));
        PrivateFiles.writeAtomically(to, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(out));
    }

    /** Opens the archive: each key file's name and bytes. Writes nothing. */
    static java.util.Map<String, byte[]> open(Path archive, char[] passphrase) throws IOException {
        JsonNode in = JSON.readTree(archive.toFile());
        if (!"scrypt".equals(in.path("kdf").asText()) || in.path("n").asInt() != N) {
            throw new IOException("keys.enc is not in this version's format");
        }
        byte[] plain;
        try {
            plain = crypt(
                    Cipher.DECRYPT_MODE,
                    passphrase,
                    Base64.getDecoder().decode(in.path("salt").asText()),
                    Base64.getDecoder().decode(in.path("nonce").asText()),
                    Base64.getDecoder().decode(in.path("sealed").asText()));
        } catch (IOException e) {
            throw new IOException("the passphrase does not open the backup's keys (or keys.enc was changed)", e);
        }
        java.util.Map<String, byte[]> files = new java.util.TreeMap<>();
        for (var entry : JSON.readTree(plain).properties()) {
            String name = entry.getKey();
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
                throw new IOException("keys.enc names a file " + name + " that is not a key file");
            }
            files.put(name, Base64.getDecoder().decode(entry.getValue().asText()));
        }
        return files;
    }

    static void writeTo(java.util.Map<String, byte[]> files, Path keys) throws IOException {
        PrivateFiles.createDirectories(keys);
        for (var entry : files.entrySet()) {
            PrivateFiles.writeAtomically(keys.resolve(entry.getKey()), entry.getValue());
        }
    }

    private static byte[] crypt(int mode, char[] passphrase, byte[] salt, byte[] nonce, byte[] input)
            throws IOException {
        byte[] key = SCrypt.generate(new String(passphrase).getBytes(StandardCharsets.UTF_8), salt, N, R, P, 32);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
            cipher.updateAAD("portcullis-backup-keys".getBytes(StandardCharsets.US_ASCII));
            return cipher.doFinal(input);
        } catch (javax.crypto.AEADBadTagException e) {
            throw new IOException("authentication failed", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is required by the Java platform", e);
        } finally {
            java.util.Arrays.fill(key, (byte) 0);
        }
    }
}
