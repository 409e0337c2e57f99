-- Hardening (docs/SECURITY.md): second-factor enrolment tickets, and approvals bound to the files
-- they saw.

-- A second factor is enrolled only with a ticket issued by an admin or the local operator. Only
-- the SHA-256 of the ticket is stored; it is single-use and expires.
CREATE TABLE enrolment_tickets (
  id VARCHAR(32) PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id),
  secret_hash VARCHAR(64) NOT NULL,
  created_at BIGINT NOT NULL,
  created_by VARCHAR(200) NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT,
  revoked_at BIGINT
);
CREATE INDEX enrolment_tickets_user ON enrolment_tickets (user_id);

-- The SHA-256 digests of every file of the release when the approval was given (a sorted JSON
-- array): an approval counts only for exactly those bytes.
ALTER TABLE approvals ADD COLUMN file_digests TEXT;
