package dev.portcullis.testing;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;

/**
 * A WebAuthn authenticator in software, for the cases a browser's virtual authenticator cannot
 * play: a key whose signature counter stays 0 (many passkeys), and answers made for another
 * origin (a phishing site relaying the page). It answers as the WebAuthn spec says (§6.1
 * authenticator data, §5.8.1 client data, ES256, attestation "none"), built by hand: a packed
 * CBOR encoder of the few types needed.
 */
public final class SoftwareKey {

    private final KeyPair pair;
    private final byte[] credentialId;
    private final boolean counting;
    private int counter;

    /** {@code counting}: whether the signature counter goes up with each use (else it stays 0). */
    public SoftwareKey(boolean counting) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            this.pair = generator.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        this.credentialId = sha256(pair.getPublic().getEncoded());
        this.counting = counting;
    }

    public String credentialId() {
        return b64(credentialId);
    }

    /** The registration answer: {@code attestationObject} and {@code clientDataJSON}, base64url. */
    public String[] create(String challenge, String origin, String rpId) {
        byte[] clientData = clientData("webauthn.create", challenge, origin);
        ByteArrayOutputStream authData = authenticatorData(rpId, (byte) 0x41);
        write(authData, new byte[16]); // AAGUID: none
        authData.write(credentialId.length >> 8);
        authData.write(credentialId.length & 0xff);
        write(authData, credentialId);
        write(authData, coseKey());
        ByteArrayOutputStream attestation = new ByteArrayOutputStream();
        mapHeader(attestation, 3);
        text(attestation, "fmt");
        text(attestation, "none");
        text(attestation, "attStmt");
        mapHeader(attestation, 0);
        text(attestation, "authData");
        bytes(attestation, authData.toByteArray());
        return new String[] {b64(attestation.toByteArray()), b64(clientData)};
    }

    /** An assertion: {@code clientDataJSON}, {@code authenticatorData}, {@code signature}, base64url. */
    public String[] get(String challenge, String origin, String rpId) {
        byte[] clientData = clientData("webauthn.get", challenge, origin);
        byte[] authData = authenticatorData(rpId, (byte) 0x01).toByteArray();
        try {
            Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(pair.getPrivate());
            signer.update(authData);
            signer.update(sha256(clientData));
            return new String[] {b64(clientData), b64(authData), b64(signer.sign())};
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private ByteArrayOutputStream authenticatorData(String rpId, byte flags) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(out, sha256(rpId.getBytes(StandardCharsets.UTF_8)));
        out.write(flags);
        if (counting) {
            counter++;
        }
        write(out, ByteBuffer.allocate(4).putInt(counter).array());
        return out;
    }

    private static byte[] clientData(String type, String challenge, String origin) {
        return ("{\"type\":\"" + type + "\",\"challenge\":\"" + challenge + "\",\"origin\":\"" + origin
                        + "\",\"crossOrigin\":false}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** The public key as COSE_Key (RFC 9053): EC2, ES256, P-256, x, y. */
    private byte[] coseKey() {
        ECPublicKey key = (ECPublicKey) pair.getPublic();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        mapHeader(out, 5);
        out.write(0x01); // kty
        out.write(0x02); // EC2
        out.write(0x03); // alg
        out.write(0x26); // -7: ES256
        out.write(0x20); // crv (-1)
        out.write(0x01); // P-256
        out.write(0x21); // x (-2)
        bytes(out, fixed(key.getW().getAffineX()));
        out.write(0x22); // y (-3)
        bytes(out, fixed(key.getW().getAffineY()));
        return out.toByteArray();
    }

    private static byte[] fixed(BigInteger value) {
        byte[] raw = value.toByteArray();
        byte[] out = new byte[32];
        int from = Math.max(0, raw.length - 32);
        System.arraycopy(raw, from, out, 32 - (raw.length - from), raw.length - from);
        return out;
    }

    private static void mapHeader(ByteArrayOutputStream out, int size) {
        out.write(0xa0 | size);
    }

    private static void text(ByteArrayOutputStream out, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        header(out, 0x60, bytes.length);
        write(out, bytes);
    }

    private static void bytes(ByteArrayOutputStream out, byte[] bytes) {
        header(out, 0x40, bytes.length);
        write(out, bytes);
    }

    private static void header(ByteArrayOutputStream out, int major, int length) {
        if (length < 24) {
            out.write(major | length);
        } else if (length < 256) {
            out.write(major | 24);
            out.write(length);
        } else {
            out.write(major | 25);
            out.write(length >> 8);
            out.write(length & 0xff);
        }
    }

    private static void write(ByteArrayOutputStream out, byte[] bytes) {
        out.write(bytes, 0, bytes.length);
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
