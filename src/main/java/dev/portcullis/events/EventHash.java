package dev.portcullis.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.store.Sha256;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The hash that chains an event to its predecessor: {@code SHA-256(prev_hash + "\n" + JSON array
 * [seq, occurred_at, kind, actor, project, subject, source_ip, user_agent, details])}, hex. Every
 * stored column is covered, so editing, deleting or reordering any event breaks the chain.
 */
public final class EventHash {

  public static final String GENESIS = "0".repeat(64);
  private static final ObjectMapper JSON = new ObjectMapper();

  private EventHash() {}

  public static String of(String previous, long seq, long occurredAt, String kind, String actor, String project, String subject,
      String ip, String agent, String details) {
    try {
      String content = JSON.writeValueAsString(Arrays.asList(seq, occurredAt, kind, actor, project, subject, ip, agent, details));
      return Sha256.hex((previous + "\n" + content).getBytes(StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
