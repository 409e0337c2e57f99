package dev.portcullis.watch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.portcullis.store.Database;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;

/**
 * Appends events. A state change and its event are written through the same {@link Handle}, so
 * they commit or roll back together; an event about a refused request is written on its own.
 */
public final class EventLog {

  private static final ObjectMapper CANONICAL =
      new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  private final Database database;
  private final Clock clock;

  public EventLog(Database database, Clock clock) {
    this.database = database;
    this.clock = clock;
  }

  /** Appends within the caller's transaction. */
  public void append(Handle handle, Event event) {
    handle
        .createUpdate(
            "INSERT INTO events (occurred_at, kind, actor, project, subject, source_ip,"
                + " user_agent, details) VALUES (:at, :kind, :actor, :project, :subject, :ip,"
                + " :agent, :details)")
        .bind("at", clock.millis())
        .bind("kind", event.kind())
        .bind("actor", event.actor())
        .bind("project", event.project())
        .bind("subject", event.subject())
        .bind("ip", event.origin().ip())
        .bind("agent", event.origin().userAgent())
        .bind("details", canonicalJson(event))
        .execute();
  }

  /** Appends in a transaction of its own (for refusals, which change nothing else). */
  public void append(Event event) {
    database.inTransaction(
        handle -> {
          append(handle, event);
          return null;
        });
  }

  /** Events, oldest first, optionally of one project and/or kind. */
  public List<RecordedEvent> list(String project, String kind, long afterId, int limit) {
    StringBuilder sql = new StringBuilder("SELECT * FROM events WHERE id > :after");
    if (project != null) {
      sql.append(" AND project = :project");
    }
    if (kind != null) {
      sql.append(" AND kind = :kind");
    }
    sql.append(" ORDER BY id LIMIT :limit");
    return database.withHandle(
        handle -> {
          var query = handle.createQuery(sql.toString()).bind("after", afterId).bind("limit", limit);
          if (project != null) {
            query.bind("project", project);
          }
          if (kind != null) {
            query.bind("kind", kind);
          }
          return query
              .map(
                  (rs, ctx) ->
                      new RecordedEvent(
                          rs.getLong("id"),
                          Instant.ofEpochMilli(rs.getLong("occurred_at")),
                          rs.getString("kind"),
                          rs.getString("actor"),
                          rs.getString("project"),
                          rs.getString("subject"),
                          rs.getString("source_ip"),
                          rs.getString("user_agent"),
                          rs.getString("details")))
              .list();
        });
  }

  private static String canonicalJson(Event event) {
    try {
      return CANONICAL.writeValueAsString(new TreeMap<>(event.details()));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("event details must be JSON-serialisable", e);
    }
  }
}
