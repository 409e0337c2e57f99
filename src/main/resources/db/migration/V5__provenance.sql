-- The attestations that came with a file, and what checking them found.
CREATE TABLE file_provenance (
  file_id BIGINT PRIMARY KEY REFERENCES release_files(id),
  attestations TEXT NOT NULL,
  status VARCHAR(20) NOT NULL,           -- verified | mismatch
  signer VARCHAR(500),
  issuer VARCHAR(300),
  publisher VARCHAR(500),
  publisher_kind VARCHAR(20),
  publisher_config TEXT,
  source TEXT,
  reason VARCHAR(1000)
);
