package dev.portcullis.publish;

import java.time.Instant;

public record Project(long id, String name, String displayName, Instant createdAt) {}
