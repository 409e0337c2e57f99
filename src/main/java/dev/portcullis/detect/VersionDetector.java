package dev.portcullis.detect;

import dev.portcullis.gate.Assessment;
import dev.portcullis.inspect.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which version: lower than the highest released one on a major.minor line the project has not
 * released in its recent window (an old branch revived: ua-parser-js hit three lines at once) is
 * medium; skipping ahead (a major by more than one, a minor or patch by more than five) is low.
 * Whether the version was tagged in the source repository is not checked (no network).
 */
final class VersionDetector implements Detector {

    private static final Pattern RELEASE = Pattern.compile("^(?:\\d+!)?(\\d+(?:\\.\\d+)*)");

    @Override
    public String id() {
        return "version";
    }

    @Override
    public List<Assessment.Signal> detect(ReleaseFacts release, Baseline baseline, Recent recent) {
        Optional<int[]> current = parts(release.version());
        java.util.Collection<int[]> known = baseline.versions();
        int[] highest = baseline.highestVersion();
        if (current.isEmpty() || highest == null) {
            return List.of();
        }
        int[] v = current.get();
        List<Assessment.Signal> signals = new ArrayList<>();
        if (compare(v, highest) < 0) {
            boolean lineActive = known.stream().anyMatch(k -> at(k, 0) == at(v, 0) && at(k, 1) == at(v, 1));
            if (!lineActive) {
                signals.add(signal(
                        Severity.MEDIUM,
                        "version " + release.version() + " goes back to the " + at(v, 0) + "." + at(v, 1)
                                + " line, which had no release among the project's last " + known.size()
                                + "; the highest is " + text(highest)));
            }
        } else {
            int majorJump = at(v, 0) - at(highest, 0);
            int minorJump = majorJump == 0 ? at(v, 1) - at(highest, 1) : 0;
            int patchJump = majorJump == 0 && minorJump == 0 ? at(v, 2) - at(highest, 2) : 0;
            if (majorJump > 1 || minorJump > 5 || patchJump > 5) {
                signals.add(signal(
                        Severity.LOW,
                        "version " + release.version() + " skips ahead of the highest release " + text(highest)));
            }
        }
        return signals;
    }

    static Optional<int[]> parts(String version) {
        Matcher m = RELEASE.matcher(version);
        if (!m.find()) {
            return Optional.empty();
        }
        String[] pieces = m.group(1).split("\\.");
        int[] numbers = new int[pieces.length];
        try {
            for (int i = 0; i < pieces.length; i++) {
                numbers[i] = Integer.parseInt(pieces[i]);
            }
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return Optional.of(numbers);
    }

    private static int at(int[] v, int i) {
        return i < v.length ? v[i] : 0;
    }

    static int compare(int[] a, int[] b) {
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            int c = Integer.compare(at(a, i), at(b, i));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private static String text(int[] v) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            s.append(i == 0 ? "" : ".").append(v[i]);
        }
        return s.toString();
    }
}
