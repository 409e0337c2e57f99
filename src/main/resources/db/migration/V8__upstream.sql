-- The public registry (docs/PUBLISHING-TO-PYPI.md): projects watched upstream, what was seen there,
-- and promotion of approved releases to an upstream index.
CREATE TABLE watched_projects (
  id ${id_column},
  name VARCHAR(200) NOT NULL,            -- the project's normalized name upstream
  index_url VARCHAR(500) NOT NULL,       -- https://pypi.org, https://test.pypi.org, any PyPI-compatible index
  kind VARCHAR(12) NOT NULL,             -- own | dependency
  local_project VARCHAR(200),            -- own: the gate's project whose approvals upstream files must match
  etag VARCHAR(200),
  state VARCHAR(12) NOT NULL,            -- new | ok | degraded
  failures INTEGER NOT NULL,
  next_poll_at BIGINT NOT NULL,
  last_polled_at BIGINT,
  last_ok_at BIGINT,
  last_error VARCHAR(1000),
  accept_existing BOOLEAN NOT NULL,
  created_at BIGINT NOT NULL,
  created_by VARCHAR(200),
  UNIQUE (index_url, name)
);

CREATE TABLE upstream_files (
  watch_id BIGINT NOT NULL REFERENCES watched_projects(id),
  filename VARCHAR(300) NOT NULL,
  version VARCHAR(100) NOT NULL,
  sha256 VARCHAR(64) NOT NULL,
  size BIGINT NOT NULL,
  upload_time VARCHAR(40),
  first_seen_at BIGINT NOT NULL,
  verdict VARCHAR(20) NOT NULL,          -- approved | unapproved | mismatch | existing | seen | inspected
  PRIMARY KEY (watch_id, filename)
);

CREATE TABLE upstream_targets (
  project VARCHAR(200) PRIMARY KEY,
  upload_url VARCHAR(500) NOT NULL,
  credential TEXT NOT NULL,              -- sealed with the secret key (never in plain text)
  created_at BIGINT NOT NULL,
  created_by VARCHAR(200),
  last_used_at BIGINT
);

CREATE TABLE promotions (
  id ${id_column},
  file_id BIGINT NOT NULL REFERENCES release_files(id),
  project VARCHAR(200) NOT NULL,
  state VARCHAR(12) NOT NULL,            -- pending | uploaded | failed
  attempts INTEGER NOT NULL,
  next_attempt_at BIGINT NOT NULL,
  last_error VARCHAR(1000),
  uploaded_at BIGINT,
  UNIQUE (file_id)
);
CREATE INDEX promotions_due ON promotions (state, next_attempt_at);
