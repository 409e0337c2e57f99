-- Detection drills (docs/DRILLS.md): a sandbox project is drill data. It never appears in the
-- package index listing; once its drill is closed its files are gone and installers get 404.
ALTER TABLE projects ADD COLUMN drill_scenario VARCHAR(40);
ALTER TABLE projects ADD COLUMN drill_closed_at BIGINT;
