package dev.portcullis.detect;

import java.time.Instant;

/** One stored file as the detectors see it: what, how big, when, from where, with which credential. */
public record Upload(
        String filename,
        String type,
        long size,
        Instant at,
        String ip,
        String agent,
        String token,
        String user,
        boolean trustedPublisher) {}
