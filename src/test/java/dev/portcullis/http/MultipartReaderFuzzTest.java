package dev.portcullis.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Fuzzes the hand-written multipart reader, which parses every upload before anything else looks
 * at it: any body, with any boundary and any Content-Type, is read part by part or refused with
 * {@link MalformedMultipartException} — never another exception, a hang, or more parts or bytes
 * than the body holds. Stored inputs run in every build; {@code JAZZER_FUZZ=1} fuzzes.
 */
class MultipartReaderFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void anyBodyIsReadOrRefused(FuzzedDataProvider data) {
        String contentType = data.consumeString(200);
        String boundary = MultipartReader.boundaryOf(contentType);
        if (boundary == null || boundary.length() > MultipartReader.MAX_BOUNDARY) {
            boundary = data.consumeBoolean() ? "b" : "portcullis-boundary";
        }
        byte[] body = data.consumeRemainingAsBytes();
        MultipartReader reader = new MultipartReader(new ByteArrayInputStream(body), boundary);
        long seen = 0;
        int parts = 0;
        try {
            MultipartReader.Part part;
            while ((part = reader.next()) != null) {
                parts++;
                assertThat(part.name()).isNotNull();
                seen += part.body().transferTo(OutputStream.nullOutputStream());
                assertThat(parts).isLessThanOrEqualTo(body.length);
            }
        } catch (MalformedMultipartException expected) {
            // refused, with a reason
            assertThat(expected.getMessage()).isNotBlank();
        } catch (IOException e) {
            throw new AssertionError("only malformed-multipart refusals are expected from an in-memory body", e);
        }
        assertThat(seen).isLessThanOrEqualTo(body.length);
    }
}
