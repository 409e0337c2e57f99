package dev.portcullis.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MultipartReaderTest {

    private static final String B = "xYz-boundary";

    private record Read(String name, String filename, byte[] body) {}

    private static List<Read> readAll(InputStream in) throws IOException {
        MultipartReader reader = new MultipartReader(in, B);
        List<Read> parts = new ArrayList<>();
        MultipartReader.Part part;
        while ((part = reader.next()) != null) {
            parts.add(new Read(part.name(), part.filename(), part.body().readAllBytes()));
        }
        return parts;
    }

    private static byte[] body(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Delivers at most {@code chunk} bytes per read, to split boundaries across reads. */
    private static InputStream trickle(byte[] bytes, int chunk) {
        return new FilterInputStream(new ByteArrayInputStream(bytes)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, chunk));
            }
        };
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7, 64, 65536})
    void readsFieldsAndFilesWhateverTheReadSizes(int chunk) throws IOException {
        byte[] file = new byte[200_000];
        new Random(42).nextBytes(file);
        // Put delimiter look-alikes inside the file content.
        byte[] lookalike = ("\r\n--" + B.substring(0, B.length() - 1)).getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(lookalike, 0, file, 1000, lookalike.length);
        var out = new java.io.ByteArrayOutputStream();
        out.writeBytes(body(
                "preamble\r\n--" + B + "\r\nContent-Disposition: form-data; name=\":action\"\r\n\r\nfile_upload\r\n"));
        out.writeBytes(
                body(
                        "--" + B
                                + "\r\nContent-Disposition: form-data; name=\"content\"; filename=\"a-1.0.tar.gz\"\r\nContent-Type: application/octet-stream\r\n\r\n"));
        out.writeBytes(file);
        out.writeBytes(body("\r\n--" + B + "\r\nContent-Disposition: form-data; name=\"empty\"\r\n\r\n\r\n--" + B
                + "--\r\nepilogue"));

        List<Read> parts = readAll(trickle(out.toByteArray(), chunk));

        assertThat(parts).hasSize(3);
        assertThat(parts.get(0).name()).isEqualTo(":action");
        assertThat(new String(parts.get(0).body(), StandardCharsets.UTF_8)).isEqualTo("file_upload");
        assertThat(parts.get(1).filename()).isEqualTo("a-1.0.tar.gz");
        assertThat(parts.get(1).body()).isEqualTo(file);
        assertThat(parts.get(2).body()).isEmpty();
    }

    @Test
    void unreadPartsAreSkipped() throws IOException {
        byte[] input = body("--" + B + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nAAAA\r\n--" + B
                + "\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\nBB\r\n--" + B + "--\r\n");
        MultipartReader reader = new MultipartReader(new ByteArrayInputStream(input), B);
        assertThat(reader.next().name()).isEqualTo("a");
        MultipartReader.Part b = reader.next();
        assertThat(new String(b.body().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("BB");
        assertThat(reader.next()).isNull();
    }

    @Test
    void refusesMalformedBodies() {
        assertMalformed("--" + B + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno closing boundary");
        assertMalformed("--" + B + "\r\nContent-Type: text/plain\r\n\r\nx\r\n--" + B + "--");
        assertMalformed("--" + B + "\r\nContent-Disposition: form-data\r\n\r\nx\r\n--" + B + "--");
        assertMalformed("--" + B + "\r\nbroken header line\r\n\r\nx\r\n--" + B + "--");
        assertMalformed("--" + B + "garbage");
        assertMalformed("no boundary at all");
        assertMalformed("--" + B + "\r\nX: " + "y".repeat(20_000) + "\r\n\r\n");
    }

    private static void assertMalformed(String input) {
        assertThatThrownBy(() -> readAll(new ByteArrayInputStream(body(input))))
                .isInstanceOf(MalformedMultipartException.class);
    }

    @Test
    void readsTheBoundaryFromTheContentType() {
        assertThat(MultipartReader.boundaryOf("multipart/form-data; boundary=abc"))
                .isEqualTo("abc");
        assertThat(MultipartReader.boundaryOf("Multipart/Form-Data; charset=utf-8; boundary=\"a b\""))
                .isEqualTo("a b");
        assertThat(MultipartReader.boundaryOf("application/json")).isNull();
        assertThat(MultipartReader.boundaryOf("multipart/form-data")).isNull();
        assertThat(MultipartReader.boundaryOf(null)).isNull();
    }

    @Test
    void randomBytesNeverCrashOrHang() {
        Random random = new Random(7);
        for (int i = 0; i < 2000; i++) {
            byte[] junk = new byte[random.nextInt(400)];
            random.nextBytes(junk);
            byte[] prefixed = i % 2 == 0 ? junk : concat(body("--" + B + "\r\n"), junk);
            try {
                readAll(new ByteArrayInputStream(prefixed));
            } catch (IOException e) {
                assertThat(e).isInstanceOf(MalformedMultipartException.class);
            }
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
