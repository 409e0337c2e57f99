-- Portcullis foundation schema. Runs unchanged on SQLite and PostgreSQL; ${id_column} is the
-- dialect's auto-generated primary key. Times are epoch milliseconds (UTC).

CREATE TABLE users (
  id ${id_column},
  name VARCHAR(100) NOT NULL UNIQUE,
  role VARCHAR(20) NOT NULL,
  created_at BIGINT NOT NULL,
  disabled_at BIGINT
);

-- A token's secret is never stored: only the SHA-256 of the whole token. The id is the public
-- identifier embedded in the token, used for the look-up.
CREATE TABLE api_tokens (
  id VARCHAR(32) PRIMARY KEY,
  kind VARCHAR(20) NOT NULL,
  user_id BIGINT NOT NULL REFERENCES users(id),
  name VARCHAR(100) NOT NULL,
  secret_hash VARCHAR(64) NOT NULL,
  project VARCHAR(200),
  permissions VARCHAR(200) NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  last_used_at BIGINT,
  last_used_ip VARCHAR(64),
  last_used_agent VARCHAR(256),
  rotated_from VARCHAR(32),
  revoked_at BIGINT,
  revoked_by VARCHAR(100),
  revoked_reason VARCHAR(500)
);

CREATE TABLE projects (
  id ${id_column},
  name VARCHAR(200) NOT NULL UNIQUE,
  display_name VARCHAR(200) NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE releases (
  id ${id_column},
  project_id BIGINT NOT NULL REFERENCES projects(id),
  version VARCHAR(100) NOT NULL,
  canonical_version VARCHAR(100) NOT NULL,
  state VARCHAR(20) NOT NULL,
  created_at BIGINT NOT NULL,
  decided_at BIGINT,
  decided_by VARCHAR(100),
  decision_reason VARCHAR(1000),
  UNIQUE (project_id, canonical_version)
);

-- Rows are never deleted, so the unique key also means a file name is never reused in a project.
CREATE TABLE release_files (
  id ${id_column},
  release_id BIGINT NOT NULL REFERENCES releases(id),
  project_id BIGINT NOT NULL REFERENCES projects(id),
  filename VARCHAR(255) NOT NULL,
  packagetype VARCHAR(20) NOT NULL,
  python_version VARCHAR(50) NOT NULL,
  requires_python VARCHAR(200),
  size BIGINT NOT NULL,
  sha256 VARCHAR(64) NOT NULL,
  blake2_256 VARCHAR(64) NOT NULL,
  md5 VARCHAR(32) NOT NULL,
  metadata_sha256 VARCHAR(64),
  uploaded_at BIGINT NOT NULL,
  uploaded_by VARCHAR(100) NOT NULL,
  uploader_token VARCHAR(32) NOT NULL,
  uploader_ip VARCHAR(64),
  yanked_at BIGINT,
  yanked_reason VARCHAR(500),
  UNIQUE (project_id, filename)
);
CREATE INDEX release_files_release ON release_files (release_id);

CREATE TABLE events (
  id ${id_column},
  occurred_at BIGINT NOT NULL,
  kind VARCHAR(64) NOT NULL,
  actor VARCHAR(200),
  project VARCHAR(200),
  subject VARCHAR(300),
  source_ip VARCHAR(64),
  user_agent VARCHAR(256),
  details TEXT NOT NULL
);
CREATE INDEX events_project ON events (project, id);
CREATE INDEX events_kind ON events (kind, id);
