package dev.portcullis.publish;

import java.time.Instant;

/** A project: its ecosystem, its key (docs/ARCHITECTURE.md: the normalized name, prefixed outside the default ecosystem) and its name as first uploaded. */
public record Project(long id, String ecosystem, String name, String displayName, Instant createdAt) {}
