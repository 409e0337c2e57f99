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

-- dist-tags moved after publishing (npm dist-tag add/rm): a move waits for as many approvers as the
-- project's policy requires (each with a second factor), then applies. version NULL: the tag is removed.
CREATE TABLE npm_dist_tags (
  project VARCHAR(200) NOT NULL,
  tag VARCHAR(100) NOT NULL,
  version VARCHAR(256),
  set_at BIGINT NOT NULL,
  set_by VARCHAR(1000) NOT NULL,
  PRIMARY KEY (project, tag)
);

CREATE TABLE npm_tag_requests (
  id ${id_column},
  project VARCHAR(200) NOT NULL,
  tag VARCHAR(100) NOT NULL,
  version VARCHAR(256),
  state VARCHAR(12) NOT NULL,            -- pending | applied | superseded
  requested_by VARCHAR(200) NOT NULL,
  requested_at BIGINT NOT NULL,
  decided_at BIGINT
);

CREATE TABLE npm_tag_approvals (
  request_id BIGINT NOT NULL REFERENCES npm_tag_requests(id),
  user_name VARCHAR(200) NOT NULL,
  approved_at BIGINT NOT NULL,
  PRIMARY KEY (request_id, user_name)
);
