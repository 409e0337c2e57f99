package dev.portcullis.inspect;

import java.time.Duration;

/**
 * What one inspection may cost. Every limit is checked while reading, against the bytes actually
 * produced (never the sizes an archive declares), so a hostile archive ends the walk with a finding
 * instead of exhausting memory, disk or time.
 *
 * @param maxEntries entries in the archive, nested ones included
 * @param maxEntryBytes uncompressed bytes of one entry, beyond its compressed size (stored entries
 *     are bounded by the upload size limit instead)
 * @param maxTotalBytes uncompressed bytes of all entries (at least the archive's own size)
 * @param maxRatio uncompressed / compressed size of one entry, once it is past {@code ratioFloorBytes}
 * @param ratioFloorBytes entries smaller than this are never ratio bombs (small files compress well)
 * @param maxDepth archives inside archives read this deep (0: the file itself only)
 * @param maxDuration wall-clock time for the whole inspection
 * @param contentBytes bytes of each text file the content rules read (stats cover the whole file)
 */
public record Limits(
        int maxEntries,
        long maxEntryBytes,
        long maxTotalBytes,
        int maxRatio,
        long ratioFloorBytes,
        int maxDepth,
        Duration maxDuration,
        int contentBytes) {

    public static final Limits DEFAULT =
            new Limits(100_000, 1L << 30, 4L << 30, 200, 1 << 20, 2, Duration.ofMinutes(2), 4 << 20);

    public Limits withMaxDuration(Duration duration) {
        return new Limits(
                maxEntries, maxEntryBytes, maxTotalBytes, maxRatio, ratioFloorBytes, maxDepth, duration, contentBytes);
    }
}
