package dev.portcullis.registry.npm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Promotion's streamed base64 is the JDK's encoding of the whole, for every length around its chunk size. */
class Base64StreamTest {

    @Test
    void encodesAsTheWholeWouldBeEncoded() throws IOException {
        Random random = new Random(20);
        int chunk = 3 * 16 * 1024;
        for (int length : new int[] {0, 1, 2, 3, 4, chunk - 1, chunk, chunk + 1, chunk + 2, 3 * chunk + 5, 200_001}) {
            byte[] raw = new byte[length];
            random.nextBytes(raw);
            try (InputStream encoded = new NpmUpstream.Base64Stream(new ByteArrayInputStream(raw))) {
                // Read in odd-sized pieces, single bytes among them, as an HTTP client might.
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                byte[] buffer = new byte[7919];
                int n;
                while ((n = encoded.read(buffer, 0, 1 + random.nextInt(buffer.length))) >= 0) {
                    out.write(buffer, 0, n);
                    int single = encoded.read();
                    if (single < 0) {
                        break;
                    }
                    out.write(single);
                }
                assertThat(out.toString(java.nio.charset.StandardCharsets.US_ASCII))
                        .as("length %d", length)
                        .isEqualTo(Base64.getEncoder().encodeToString(raw));
                assertThat(out.size()).isEqualTo((length + 2) / 3 * 4);
            }
        }
    }
}
