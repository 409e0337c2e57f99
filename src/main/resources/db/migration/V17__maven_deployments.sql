-- Central Portal deployments (registry/maven owns them): one bundle uploaded through
-- /api/v1/publisher/upload, and the releases its files were staged into. The Portal's "publish"
-- of a deployment is an approval of each of them; its state is read from theirs.
CREATE TABLE maven_deployments (
  id VARCHAR(36) PRIMARY KEY,
  name VARCHAR(255) NOT NULL,
  publishing_type VARCHAR(16) NOT NULL,
  created_by VARCHAR(255) NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE maven_deployment_releases (
  deployment_id VARCHAR(36) NOT NULL REFERENCES maven_deployments(id),
  release_id BIGINT NOT NULL REFERENCES releases(id),
  PRIMARY KEY (deployment_id, release_id)
);
