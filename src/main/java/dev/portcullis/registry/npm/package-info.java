/**
 * The npm registry protocol: {@code npm publish} (and {@code npm stage}), packuments and tarballs for
 * {@code npm install}, {@code whoami}/{@code ping}, with npm's naming (scoped names), SemVer, and its
 * tarballs for the inspector. Mounted under {@code /npm/}: a client's registry is {@code
 * http(s)://HOST/npm/}.
 */
package dev.portcullis.registry.npm;
