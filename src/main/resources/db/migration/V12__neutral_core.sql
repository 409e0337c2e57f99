-- A file's dependencies in neutral words (docs/ARCHITECTURE.md): each as its ecosystem writes one
-- (a PEP 508 requirement, npm's name@range); the JSON array itself is unchanged.
ALTER TABLE file_inspections RENAME COLUMN requires_dist TO dependencies;

-- A watch belongs to an ecosystem: whose protocol lists the project's files upstream, and whose
-- project of the gate they are compared with. Every existing watch is on a PyPI index.
ALTER TABLE watched_projects ADD COLUMN ecosystem VARCHAR(20) NOT NULL DEFAULT 'pypi';
