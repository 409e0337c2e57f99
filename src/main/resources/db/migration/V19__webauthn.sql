-- Passkeys and security keys (WebAuthn) of people who approve on the web page (identity owns them).
-- credential_data is the authenticator's attested credential data (AAGUID, credential id, public
-- key as COSE), base64; nothing secret is stored. sign_count is the authenticator's last counter.
CREATE TABLE webauthn_credentials (
  credential_id VARCHAR(1400) PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id),
  name VARCHAR(100) NOT NULL,
  credential_data TEXT NOT NULL,
  sign_count BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  last_used_at BIGINT
);

CREATE INDEX webauthn_credentials_user ON webauthn_credentials (user_id);

-- Each WebAuthn challenge is accepted once: the SHA-256 of every one used.
CREATE TABLE webauthn_used_challenges (
  challenge_hash VARCHAR(64) PRIMARY KEY,
  used_at BIGINT NOT NULL
);
