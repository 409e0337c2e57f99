-- npm (registry/npm owns these tables).
-- Each tarball's npm attributes: integrity (SRI sha512) and shasum (sha1) as npm clients check
-- them, the tarball's own package.json (what installers are served: never the manifest a client
-- sent beside it), and the dist-tag the publish asked for (applied once the release is released).
CREATE TABLE npm_files (
  file_id BIGINT PRIMARY KEY REFERENCES release_files(id),
  integrity VARCHAR(100) NOT NULL,
  shasum VARCHAR(40) NOT NULL,
  manifest TEXT NOT NULL,
  tag VARCHAR(100)
);

-- npm's staged publishing: the id `npm stage` names a staged (held) release by.
CREATE TABLE npm_stages (
  id VARCHAR(36) PRIMARY KEY,
  release_id BIGINT NOT NULL UNIQUE REFERENCES releases(id),
  created_at BIGINT NOT NULL,
  created_by VARCHAR(200)
);
