-- The release gate: versioned per-project policies, decision records, approvals, quarantine.

CREATE TABLE policies (
  project VARCHAR(200) NOT NULL,
  version INTEGER NOT NULL,
  document TEXT NOT NULL,
  status VARCHAR(12) NOT NULL,           -- active | pending | superseded
  created_at BIGINT NOT NULL,
  created_by VARCHAR(200) NOT NULL,
  confirmed_by VARCHAR(200),
  PRIMARY KEY (project, version)
);

-- Every evaluation of a release against its policy: the outcome and the rules that decided it.
CREATE TABLE release_decisions (
  id ${id_column},
  release_id BIGINT NOT NULL REFERENCES releases(id),
  decided_at BIGINT NOT NULL,
  outcome VARCHAR(20) NOT NULL,
  risk INTEGER NOT NULL,
  policy_version INTEGER NOT NULL,
  reasons TEXT NOT NULL
);
CREATE INDEX release_decisions_release ON release_decisions (release_id, id);

-- One row per person per release: a person is counted once.
CREATE TABLE approvals (
  release_id BIGINT NOT NULL REFERENCES releases(id),
  kind VARCHAR(20) NOT NULL,             -- release | unquarantine
  user_name VARCHAR(100) NOT NULL,
  approved_at BIGINT NOT NULL,
  comment VARCHAR(1000),
  PRIMARY KEY (release_id, kind, user_name)
);

-- When a held release that policy would auto-release may be released (after the settle time).
ALTER TABLE releases ADD COLUMN auto_release_at BIGINT;
