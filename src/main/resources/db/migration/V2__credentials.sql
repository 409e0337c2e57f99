-- Credentials: per-project roles, MFA, account activity, token life cycle.

CREATE TABLE user_roles (
  user_id BIGINT NOT NULL REFERENCES users(id),
  project VARCHAR(200) NOT NULL,            -- a normalized project name, or '*' for every project
  role VARCHAR(20) NOT NULL,
  granted_at BIGINT NOT NULL,
  granted_by VARCHAR(200) NOT NULL,
  PRIMARY KEY (user_id, project, role)
);
INSERT INTO user_roles (user_id, project, role, granted_at, granted_by)
  SELECT id, '*', role, created_at, 'migration' FROM users;
ALTER TABLE users DROP COLUMN role;

ALTER TABLE users ADD COLUMN last_active_at BIGINT;
ALTER TABLE users ADD COLUMN disabled_reason VARCHAR(300);
-- The TOTP secret, encrypted (AES-256-GCM) with a key kept outside the database.
ALTER TABLE users ADD COLUMN mfa_secret VARCHAR(200);
ALTER TABLE users ADD COLUMN mfa_enabled_at BIGINT;
-- The last accepted TOTP time step: a code is accepted once (RFC 6238 §5.2).
ALTER TABLE users ADD COLUMN mfa_last_step BIGINT;

CREATE TABLE recovery_codes (
  user_id BIGINT NOT NULL REFERENCES users(id),
  code_hash VARCHAR(64) NOT NULL,
  created_at BIGINT NOT NULL,
  used_at BIGINT,
  PRIMARY KEY (user_id, code_hash)
);

ALTER TABLE api_tokens ADD COLUMN expiry_warned_at BIGINT;

-- Rate limits count recent failures per address and per token.
CREATE INDEX events_kind_ip ON events (kind, source_ip, occurred_at);
CREATE INDEX events_kind_actor ON events (kind, actor, occurred_at);
