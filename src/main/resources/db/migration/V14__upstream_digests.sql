-- Upstream files carry the index's own digest with its algorithm (sha256:<hex> on PyPI, npm's SRI
-- sha512-<base64>), no longer a bare SHA-256: npm registries list tarballs by SHA-512.
CREATE TABLE upstream_seen (
  watch_id BIGINT NOT NULL REFERENCES watched_projects(id),
  filename VARCHAR(300) NOT NULL,
  version VARCHAR(100) NOT NULL,
  digest VARCHAR(200) NOT NULL,
  size BIGINT NOT NULL,
  upload_time VARCHAR(40),
  first_seen_at BIGINT NOT NULL,
  verdict VARCHAR(20) NOT NULL,          -- approved | unapproved | mismatch | existing | seen | inspected | uninspected
  PRIMARY KEY (watch_id, filename)
);
INSERT INTO upstream_seen (watch_id, filename, version, digest, size, upload_time, first_seen_at, verdict)
  SELECT watch_id, filename, version, 'sha256:' || LOWER(sha256), size, upload_time, first_seen_at, verdict FROM upstream_files;
DROP TABLE upstream_files;
ALTER TABLE upstream_seen RENAME TO upstream_files;
