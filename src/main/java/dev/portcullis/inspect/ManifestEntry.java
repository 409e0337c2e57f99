package dev.portcullis.inspect;

/**
 * One file inside a distribution: its path in the archive, uncompressed size, SHA-256, kind, line
 * count and longest line (text only; 0 for binaries), and Shannon entropy in bits per byte (0-8).
 */
public record ManifestEntry(
        String path, long size, String sha256, FileKind kind, long lines, long longestLine, double entropy) {}
