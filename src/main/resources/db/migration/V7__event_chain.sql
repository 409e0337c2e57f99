-- Tamper evidence for the event log (docs/WATCH.md): every event carries its sequence number, the
-- previous event's hash and its own; the head row is the single point appends serialise on.
ALTER TABLE events ADD COLUMN seq BIGINT;
ALTER TABLE events ADD COLUMN prev_hash VARCHAR(64);
ALTER TABLE events ADD COLUMN hash VARCHAR(64);
CREATE UNIQUE INDEX events_seq ON events (seq);
CREATE INDEX events_actor ON events (actor, id);

CREATE TABLE event_chain_head (
  id INTEGER PRIMARY KEY,
  seq BIGINT NOT NULL,
  hash VARCHAR(64) NOT NULL
);
INSERT INTO event_chain_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Signed Merkle roots over the chain's hashes (Ed25519; the key lives outside the database).
CREATE TABLE event_checkpoints (
  seq BIGINT PRIMARY KEY,
  root VARCHAR(64) NOT NULL,
  head_hash VARCHAR(64) NOT NULL,
  signed_at BIGINT NOT NULL,
  key_id VARCHAR(64) NOT NULL,
  signature TEXT NOT NULL
);

-- The client a file was uploaded with (its User-Agent), for the watch baselines.
ALTER TABLE release_files ADD COLUMN uploader_agent VARCHAR(256);

-- The alert outbox (docs/WATCH.md): an alert commits with its AlertRaised event; each sink it goes
-- to is a delivery row the dispatcher works off, with retries that survive restarts. One row per
-- (alert, sink): an alert is delivered to a sink at most once.
CREATE TABLE alerts (
  id ${id_column},
  event_seq BIGINT NOT NULL,
  raised_at BIGINT NOT NULL,
  level VARCHAR(10) NOT NULL,
  kind VARCHAR(64) NOT NULL,
  project VARCHAR(200),
  subject VARCHAR(300),
  title VARCHAR(300) NOT NULL,
  message TEXT NOT NULL,
  details TEXT NOT NULL,
  recipients TEXT                   -- the alert's own webhook URLs (a policy's notify.webhooks), JSON
);
CREATE TABLE alert_deliveries (
  id ${id_column},
  alert_id BIGINT NOT NULL REFERENCES alerts(id),
  sink VARCHAR(600) NOT NULL,
  state VARCHAR(12) NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_at BIGINT NOT NULL,
  last_error VARCHAR(1000),
  delivered_at BIGINT,
  UNIQUE (alert_id, sink)
);
CREATE INDEX alert_deliveries_due ON alert_deliveries (state, next_attempt_at);
