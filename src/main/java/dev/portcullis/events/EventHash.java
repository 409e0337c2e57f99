package dev.portcullis.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.core.CanonicalJson;
import dev.portcullis.store.Sha256;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The hash that chains an event to its predecessor: {@code SHA-256(prev_hash + "\n" + JSON array
 * [seq, occurred_at, kind, actor, project, subject, source_ip, user_agent, details])}, hex, the
 * array in RFC 8785 canonical form ({@link CanonicalJson}), so any implementation can recompute
 * it. Every stored column is covered, so editing, deleting or reordering any event breaks the chain.
 *
 * <p>Chains written before the canonical form used Jackson's output ({@link #legacy}), which
 * differs only in the case of the hex digits of a few backslash-u escapes; the verifier accepts either for an
 * event, since both commit to the same stored columns.
 */
public final class EventHash {

    public static final String GENESIS = "0".repeat(64);
    private static final ObjectMapper JSON = new ObjectMapper();

    private EventHash() {}

    public static String of(
            String previous,
            long seq,
            long occurredAt,
            String kind,
            String actor,
            String project,
            String subject,
            String ip,
            String agent,
            String details) {
        String content =
                CanonicalJson.of(Arrays.asList(seq, occurredAt, kind, actor, project, subject, ip, agent, details));
        return Sha256.hex((previous + "\n" + content).getBytes(StandardCharsets.UTF_8));
    }

    /** The hash as versions before RFC 8785 wrote it (Jackson's serialization of the same array). */
    public static String legacy(
            String previous,
            long seq,
            long occurredAt,
            String kind,
            String actor,
            String project,
            String subject,
            String ip,
            String agent,
            String details) {
        try {
            String content = JSON.writeValueAsString(
                    Arrays.asList(seq, occurredAt, kind, actor, project, subject, ip, agent, details));
            return Sha256.hex((previous + "\n" + content).getBytes(StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
