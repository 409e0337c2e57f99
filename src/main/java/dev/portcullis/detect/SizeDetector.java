package dev.portcullis.detect;

import dev.portcullis.gate.Assessment;
import dev.portcullis.inspect.Bytes;
import dev.portcullis.inspect.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How big, with robust statistics per file type (wheel, sdist) over the last releases: a file more
 * than twice the median, and more than five median absolute deviations above it (MAD scaled by
 * 1.4826; any jump when the sizes never varied), is medium; five times the median, high.
 * Needs three earlier files of the type.
 */
final class SizeDetector implements Detector {

    static final int MIN_FILES = 3;

    @Override
    public String id() {
        return "size";
    }

    @Override
    public List<Assessment.Signal> detect(ReleaseFacts release, Baseline baseline, Recent recent) {
        List<Assessment.Signal> signals = new ArrayList<>();
        for (Upload u : release.uploads()) {
            List<Long> sizes = baseline.sizes(u.type());
            if (sizes.size() < MIN_FILES) {
                continue;
            }
            long[] values = sizes.stream().mapToLong(Long::longValue).toArray();
            double median = Baseline.median(values);
            long[] deviations = new long[values.length];
            for (int i = 0; i < values.length; i++) {
                deviations[i] = (long) Math.abs(values[i] - median);
            }
            double mad = 1.4826 * Baseline.median(deviations);
            double ratio = u.size() / Math.max(1, median);
            boolean outlier = mad == 0 || (u.size() - median) / mad > 5;
            if (ratio > 2 && outlier) {
                signals.add(signal(
                        ratio >= 5 ? Severity.HIGH : Severity.MEDIUM,
                        String.format(
                                Locale.ROOT,
                                "%s is %s, %.1f times the median %s of the project's last %d %s files (MAD %s)",
                                u.filename(),
                                Bytes.human(u.size()),
                                ratio,
                                Bytes.human((long) median),
                                values.length,
                                u.type(),
                                Bytes.human((long) mad))));
            }
        }
        return signals;
    }
}
