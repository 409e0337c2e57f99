/**
 * The Maven repository protocol: {@code mvn deploy} (PUT of each file and its checksums, then
 * {@code maven-metadata.xml}) into held releases, and resolution of released artifacts only, with
 * {@code maven-metadata.xml} generated from released versions; Maven coordinates and poms for the
 * core and the inspector. Mounted under {@code /maven2/}: a build's repository is {@code
 * http(s)://HOST/maven2/}.
 */
package dev.portcullis.registry.maven;
