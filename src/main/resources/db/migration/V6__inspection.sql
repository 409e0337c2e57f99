-- What inspecting each stored file found (docs/INSPECTION.md). report is the JSON inspection
-- (manifest, metadata, findings); it is null and error says why when the inspection failed.
CREATE TABLE file_inspections (
  file_id BIGINT PRIMARY KEY REFERENCES release_files(id),
  inspected_at BIGINT NOT NULL,
  max_severity VARCHAR(10) NOT NULL,
  findings INTEGER NOT NULL,
  report TEXT,
  error VARCHAR(1000),
  requires_dist TEXT                 -- the metadata's Requires-Dist (JSON array), for the detectors
);
