package dev.portcullis.detect;

import dev.portcullis.gate.Assessment;
import dev.portcullis.inspect.Severity;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * When: an upload in an hour of the day (UTC, give or take one hour) in which none of the
 * project's releases (at least {@link #MIN_RELEASES}) arrived is medium; on a weekday never used,
 * low. Configured publish windows are the gate's own hold reason (docs/POLICY.md).
 */
final class TimeDetector implements Detector {

    static final int MIN_RELEASES = 8;

    @Override
    public String id() {
        return "time";
    }

    @Override
    public List<Assessment.Signal> detect(ReleaseFacts release, Baseline baseline, Recent recent) {
        if (baseline.releases() < MIN_RELEASES || release.uploads().isEmpty()) {
            return List.of();
        }
        ZonedDateTime at = release.firstUpload().atZone(ZoneOffset.UTC);
        int[] hours = baseline.hours();
        int hour = at.getHour();
        List<Assessment.Signal> signals = new ArrayList<>();
        if (hours[hour] + hours[(hour + 23) % 24] + hours[(hour + 1) % 24] == 0) {
            signals.add(signal(
                    Severity.MEDIUM,
                    String.format(
                            Locale.ROOT,
                            "uploaded at %02d:%02d UTC on %s; the project's %d releases arrived between %s UTC",
                            hour,
                            at.getMinute(),
                            at.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH),
                            baseline.releases(),
                            usualHours(hours))));
        }
        int[] weekdays = baseline.weekdays();
        if (weekdays[at.getDayOfWeek().getValue() - 1] == 0) {
            signals.add(signal(
                    Severity.LOW,
                    "uploaded on a " + at.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH)
                            + ", a day none of the project's " + baseline.releases() + " releases came on"));
        }
        return signals;
    }

    /** The hours with releases, as ranges ("09:00-17:59"). */
    private static String usualHours(int[] hours) {
        List<String> ranges = new ArrayList<>();
        int start = -1;
        for (int h = 0; h <= 24; h++) {
            boolean used = h < 24 && hours[h] > 0;
            if (used && start < 0) {
                start = h;
            } else if (!used && start >= 0) {
                ranges.add(String.format(Locale.ROOT, "%02d:00-%02d:59", start, h - 1));
                start = -1;
            }
        }
        return String.join(", ", ranges);
    }
}
