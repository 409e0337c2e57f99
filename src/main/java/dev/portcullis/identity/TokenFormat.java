package dev.portcullis.identity;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * The token format, made for secret scanning (documented in docs/TOKENS.md).
 *
 * <pre>pcl_u_ IIIIIIIIIIII SSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSS CCCCCC</pre>
 *
 * <p>{@code pcl_} names Portcullis, the next letter the kind ({@code u} user API token, {@code p}
 * short-lived publish token, {@code e} second-factor enrolment ticket). The body is 12 base62 characters of public identifier (the database
 * key) and 32 of secret (190 bits together, all from {@link SecureRandom}); the last 6 characters
 * are the CRC32 of everything before them, in base62, so a scanner (or this server) can tell a real
 * token from a typo without a look-up.
 */
public final class TokenFormat {

    public enum Kind {
        USER('u'),
        PUBLISH('p'),
        /** A single-use ticket to enrol a second factor; never accepted as an API token. */
        ENROLMENT('e');

        private final char letter;

        Kind(char letter) {
            this.letter = letter;
        }

        public char letter() {
            return letter;
        }

        static Kind of(char letter) {
            for (Kind kind : values()) {
                if (kind.letter == letter) {
                    return kind;
                }
            }
            throw new IllegalArgumentException("unknown token kind " + letter);
        }
    }

    /** A syntactically valid token with a correct checksum. */
    public record Parsed(Kind kind, String id, String token) {}

    static final int ID_LENGTH = 12;
    static final int SECRET_LENGTH = 32;
    static final int CHECKSUM_LENGTH = 6;
    private static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    public static final Pattern PATTERN =
            Pattern.compile("pcl_([upe])_([0-9A-Za-z]{" + (ID_LENGTH + SECRET_LENGTH) + "})([0-9A-Za-z]{6})");

    private final SecureRandom random;

    public TokenFormat(SecureRandom random) {
        this.random = random;
    }

    public String generate(Kind kind) {
        StringBuilder token = new StringBuilder("pcl_").append(kind.letter()).append('_');
        for (int i = 0; i < ID_LENGTH + SECRET_LENGTH; i++) {
            token.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return token.append(checksum(token.toString())).toString();
    }

    /** Checks shape and checksum only; says nothing about whether the token exists. */
    public static Optional<Parsed> parse(String candidate) {
        if (candidate == null || candidate.length() > 128) {
            return Optional.empty();
        }
        Matcher m = PATTERN.matcher(candidate);
        if (!m.matches()) {
            return Optional.empty();
        }
        String withoutChecksum = candidate.substring(0, candidate.length() - CHECKSUM_LENGTH);
        if (!checksum(withoutChecksum).equals(m.group(3))) {
            return Optional.empty();
        }
        return Optional.of(new Parsed(Kind.of(m.group(1).charAt(0)), m.group(2).substring(0, ID_LENGTH), candidate));
    }

    static String checksum(String text) {
        CRC32 crc = new CRC32();
        crc.update(text.getBytes(StandardCharsets.US_ASCII));
        long value = crc.getValue();
        char[] out = new char[CHECKSUM_LENGTH];
        for (int i = CHECKSUM_LENGTH - 1; i >= 0; i--) {
            out[i] = ALPHABET.charAt((int) (value % 62));
            value /= 62;
        }
        return new String(out);
    }
}
