-- Browser sessions of the approver's web page (identity owns them). The cookie holds a random
-- secret; only its SHA-256 is stored. A session signed in with an API token names the token and
-- dies with it; one signed in through the organisation's OpenID Connect provider keeps the roles
-- the provider's groups mapped to at sign-in ("role@project" lines, "*" for every project).
CREATE TABLE web_sessions (
  id_hash VARCHAR(64) PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id),
  method VARCHAR(16) NOT NULL,
  token_id VARCHAR(64),
  grants TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  ip VARCHAR(64),
  user_agent VARCHAR(512),
  closed_at BIGINT,
  closed_reason VARCHAR(64)
);

CREATE INDEX web_sessions_user ON web_sessions (user_id);
