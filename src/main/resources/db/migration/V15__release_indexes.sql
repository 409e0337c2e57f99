-- A gate decision reads what is new since a project's baseline last learned (detect/Detectors):
-- released releases after a given id, and releases created in the last day. Both by project.
CREATE INDEX releases_project_state ON releases (project_id, state, id);
CREATE INDEX releases_project_created ON releases (project_id, created_at);
