-- Maven's attributes of a deployed file (registry/maven owns it): the digests Maven asks for
-- beside each file (.md5, .sha1, .sha512; .sha256 is the release file's own), computed from the
-- bytes as they arrived, so a checksum PUT is checked and a checksum GET answered without reading
-- the file again.
CREATE TABLE maven_files (
  file_id BIGINT PRIMARY KEY REFERENCES release_files(id),
  md5 VARCHAR(32) NOT NULL,
  sha1 VARCHAR(40) NOT NULL,
  sha512 VARCHAR(128) NOT NULL
);
