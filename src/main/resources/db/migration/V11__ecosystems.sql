-- Ecosystems (docs/ARCHITECTURE.md). A project belongs to one ecosystem. Its key, projects.name,
-- is its normalized name in the default ecosystem (PyPI, where every existing project is) and
-- '<ecosystem>:<name>' in the others, so the tables that name projects by key (roles, tokens,
-- policies, publishers, watches, events) stay unambiguous across ecosystems without a change.
ALTER TABLE projects ADD COLUMN ecosystem VARCHAR(20) NOT NULL DEFAULT 'pypi';
CREATE UNIQUE INDEX projects_ecosystem_name ON projects (ecosystem, name);

-- What only PyPI knows about a file leaves the shared table: registry/pypi owns pypi_files.
CREATE TABLE pypi_files (
  file_id BIGINT PRIMARY KEY REFERENCES release_files(id),
  python_version VARCHAR(50) NOT NULL,
  requires_python VARCHAR(200),
  blake2_256 VARCHAR(64),
  md5 VARCHAR(32),
  metadata_sha256 VARCHAR(64)
);
INSERT INTO pypi_files (file_id, python_version, requires_python, blake2_256, md5, metadata_sha256)
  SELECT id, python_version, requires_python, blake2_256, md5, metadata_sha256 FROM release_files;

-- The file's kind in neutral words: PyPI's bdist_wheel is a wheel.
ALTER TABLE release_files RENAME COLUMN packagetype TO kind;
UPDATE release_files SET kind = 'wheel' WHERE kind = 'bdist_wheel';
ALTER TABLE release_files DROP COLUMN python_version;
ALTER TABLE release_files DROP COLUMN requires_python;
ALTER TABLE release_files DROP COLUMN blake2_256;
ALTER TABLE release_files DROP COLUMN md5;
ALTER TABLE release_files DROP COLUMN metadata_sha256;
