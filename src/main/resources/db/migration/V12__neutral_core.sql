-- A file's dependencies in neutral words (docs/ARCHITECTURE.md): each as its ecosystem writes one
-- (a PEP 508 requirement, npm's name@range); the JSON array itself is unchanged.
ALTER TABLE file_inspections RENAME COLUMN requires_dist TO dependencies;

-- A watch belongs to an ecosystem: whose protocol lists the project's files upstream, and whose
-- project of the gate they are compared with. Every existing watch is on a PyPI index.
ALTER TABLE watched_projects ADD COLUMN ecosystem VARCHAR(20) NOT NULL DEFAULT 'pypi';

-- Each file's provenance outcome is the publish feature's (decided at upload, read by the gate and
-- the indexes); the attestations themselves stay in file_provenance, the provenance feature's.
ALTER TABLE release_files ADD COLUMN provenance VARCHAR(20);
ALTER TABLE release_files ADD COLUMN provenance_reason VARCHAR(1000);
UPDATE release_files SET
  provenance = (SELECT fp.status FROM file_provenance fp WHERE fp.file_id = release_files.id),
  provenance_reason = (SELECT fp.reason FROM file_provenance fp WHERE fp.file_id = release_files.id);
