-- Duties that one process does at a time when several share the database (the gate's clock,
-- housekeeping, event-log checkpoints, scheduled drills): the holder of a duty's lease does them
-- until the lease expires unrenewed (store/Leases).
CREATE TABLE leases (
  name VARCHAR(100) PRIMARY KEY,
  holder VARCHAR(200) NOT NULL,
  expires_at BIGINT NOT NULL
);
