-- Trusted publishing: OIDC identities allowed to publish a project, single-use JWT ids, and the
-- short-lived publish tokens minted from them.

CREATE TABLE trusted_publishers (
  id ${id_column},
  project VARCHAR(200) NOT NULL,
  kind VARCHAR(20) NOT NULL,
  issuer VARCHAR(300) NOT NULL,
  config TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  created_by VARCHAR(200) NOT NULL,
  removed_at BIGINT,
  removed_by VARCHAR(200)
);
CREATE INDEX trusted_publishers_project ON trusted_publishers (project);

-- A JWT id is accepted once per issuer; rows are kept until the JWT would have expired.
CREATE TABLE oidc_jti (
  issuer VARCHAR(300) NOT NULL,
  jti VARCHAR(300) NOT NULL,
  expires_at BIGINT NOT NULL,
  PRIMARY KEY (issuer, jti)
);

CREATE TABLE publish_tokens (
  id VARCHAR(32) PRIMARY KEY,
  secret_hash VARCHAR(64) NOT NULL,
  publisher_id BIGINT NOT NULL REFERENCES trusted_publishers(id),
  projects VARCHAR(2000) NOT NULL,
  identity TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  last_used_at BIGINT,
  last_used_ip VARCHAR(64)
);

-- Per project: may long-lived user tokens upload at all (allow | deny)? Absent means allow.
CREATE TABLE token_upload_rules (
  project VARCHAR(200) PRIMARY KEY,
  mode VARCHAR(10) NOT NULL,
  updated_at BIGINT NOT NULL,
  updated_by VARCHAR(200) NOT NULL
);

-- The CI identity behind an upload made with a minted token (JSON), so the release record tells
-- "published by the trusted workflow" from "published with a personal token".
ALTER TABLE release_files ADD COLUMN publisher_identity TEXT;
